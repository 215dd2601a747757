//! The derived ticket cache (`.plaint/cache/`): every ticket file parsed once, kept in
//! MessagePack beside the desk, one shard per month directory, and a small index of the
//! tickets that have a target. (`list` keeps its verdicts there too: `super::verdicts`.)
//!
//! Reports read every ticket of the desk. Parsing 100,000 YAML files costs more than reading
//! them, so each file's parsed ticket is kept together with what the file looked like when
//! it was read: its size, modification and change times (to the nanosecond) and inode. On
//! every run each file is checked against that (one `stat`), and only files that differ are
//! parsed again. The cache is never the record: git ignores it, deleting it changes no
//! output, and a shard that is corrupt (its checksum), of another version or of another
//! desk layout is ignored and written afresh.
//!
//! Each entry holds a `Digest` beside the encoded ticket: when the ticket was received, when
//! its last event happened, whether every step was done by then, its same-target stretches
//! and its references. A command decides from the digest whether it needs the ticket at all
//! (a monthly report does not need a complaint settled years ago), and decodes only those.
//!
//! A file changed twice within the file system's timestamp granularity could keep its
//! stamp, so, as git does with its index, an entry whose file was modified shortly before
//! the cache read it is not trusted: it is parsed again until it is old enough. `touch`
//! cannot put a changed file back to its cached stamp either: setting the modification time
//! changes the change time.

use crate::rules::Rules;
use crate::rules::grading::{Complainant, Peers, Stretch, mentioned_keys, stretches};
use crate::ticket::Ticket;
use crate::time::Moment;
use chrono::{FixedOffset, TimeZone};
use serde::{Deserialize, Serialize};
use std::fs;
use std::path::{Path, PathBuf};

/// Bumped whenever the shape of a cached entry changes; the plaint version is checked too.
const FORMAT: u32 = 6;
/// Every cache file starts with this, then the CRC-32 of the rest.
const MAGIC: &[u8] = b"plaint cache\n";
/// An entry modified less than this before it was read is read again next time.
const RACY_NS: i64 = 2_000_000_000;

/// What a file looked like: any change to its bytes changes one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileStamp {
    pub len: u64,
    pub mtime_ns: i64,
    pub ctime_ns: i64,
    pub ino: u64,
}

impl FileStamp {
    pub fn of(meta: &fs::Metadata) -> FileStamp {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            FileStamp {
                len: meta.len(),
                mtime_ns: meta.mtime() * 1_000_000_000 + meta.mtime_nsec(),
                ctime_ns: meta.ctime() * 1_000_000_000 + meta.ctime_nsec(),
                ino: meta.ino(),
            }
        }
        #[cfg(not(unix))]
        {
            let ns = |t: std::io::Result<std::time::SystemTime>| {
                t.ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos() as i64)
            };
            FileStamp {
                len: meta.len(),
                mtime_ns: ns(meta.modified()),
                ctime_ns: ns(meta.created()),
                ino: 0,
            }
        }
    }

    /// The stamp of the file or directory at `path` (not following a link).
    pub fn at(path: &Path) -> Option<FileStamp> {
        fs::symlink_metadata(path).ok().map(|m| FileStamp::of(&m))
    }

    /// Whether a record taken at `read_at_ns` of something that had this stamp can be
    /// trusted: not when it was modified so shortly before that a second change could have
    /// kept the same stamp.
    pub fn settled_before(&self, read_at_ns: i64) -> bool {
        self.mtime_ns <= read_at_ns - RACY_NS
    }
}

/// What the desk-wide commands ask of a ticket before deciding whether to read it whole.
/// A function of the ticket and the rulebook (`settled`): a shard records which rulebook.
#[derive(Debug, Clone, PartialEq)]
pub struct Digest {
    pub received_at: Moment,
    /// The latest moment of any event (voids included); `None` for a ticket without events.
    pub last_at: Option<Moment>,
    /// Whether every step was done once all its events had happened.
    pub settled: bool,
    /// Its same-target stretches once all its events had happened.
    pub stretches: Vec<Stretch>,
    /// Every (project, target) it was ever given, withdrawn corrections included: where it
    /// may have stood at any moment.
    pub keys: Vec<(String, String)>,
    /// Its external references, its own and amended.
    pub refs: Vec<String>,
    /// The fingerprint of the sheet row it was imported from, when it had no reference.
    pub fingerprint: Option<String>,
}

impl Digest {
    pub fn of(rules: &Rules, t: &Ticket) -> Digest {
        let last_at = t.events.iter().map(|e| e.at).max();
        let after = last_at.map_or(t.received_at, |l| l.max(t.received_at));
        Digest {
            received_at: t.received_at,
            last_at,
            settled: t.every_step_done_by(rules, after),
            stretches: stretches(t, after),
            keys: mentioned_keys(t),
            refs: t.refs().map(str::to_string).collect(),
            fingerprint: t.fingerprint.clone(),
        }
    }

    /// Whether nothing happened to the ticket after `at`: then what the digest says holds
    /// at `at` as well.
    pub fn quiet_by(&self, at: Moment) -> bool {
        self.last_at.is_none_or(|l| l <= at)
    }

    /// Whether every step was done by `at`, when the digest can tell.
    pub fn settled_by(&self, at: Moment) -> Option<bool> {
        self.quiet_by(at).then_some(self.settled)
    }

    /// The fingerprints of the same-target groups of every (project, target) the ticket
    /// was ever given, as `peers` counts them.
    pub fn groups(&self, peers: &Peers) -> Vec<[u8; 16]> {
        self.keys
            .iter()
            .map(|(p, t)| peers.fingerprint(p, t))
            .collect()
    }

    /// The ticket's stretches as the desk stood at `at`, when the digest can tell.
    pub fn stretches_at(&self, at: Moment) -> Option<&[Stretch]> {
        self.quiet_by(at).then_some(self.stretches.as_slice())
    }
}

/// A moment as the cache stores it: seconds, nanoseconds and offset, decoded without
/// parsing text.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub(super) struct Packed(i64, u32, i32);

impl Packed {
    pub(super) fn of(m: &Moment) -> Packed {
        Packed(
            m.timestamp(),
            m.timestamp_subsec_nanos(),
            m.offset().local_minus_utc(),
        )
    }

    pub(super) fn moment(self) -> Option<Moment> {
        FixedOffset::east_opt(self.2)?
            .timestamp_opt(self.0, self.1)
            .single()
    }
}

#[derive(Serialize, Deserialize)]
struct WireStretch {
    project: String,
    target: String,
    from: Packed,
    until: Option<Packed>,
    phone_digits: String,
    name: String,
}

#[derive(Serialize, Deserialize)]
struct WireDigest {
    received_at: Packed,
    last_at: Option<Packed>,
    settled: bool,
    stretches: Vec<WireStretch>,
    keys: Vec<(String, String)>,
    refs: Vec<String>,
    fingerprint: Option<String>,
}

impl WireDigest {
    fn of(d: &Digest) -> WireDigest {
        WireDigest {
            received_at: Packed::of(&d.received_at),
            last_at: d.last_at.as_ref().map(Packed::of),
            settled: d.settled,
            stretches: d
                .stretches
                .iter()
                .map(|s| WireStretch {
                    project: s.key.0.clone(),
                    target: s.key.1.clone(),
                    from: Packed::of(&s.from),
                    until: s.until.as_ref().map(Packed::of),
                    phone_digits: s.complainant.phone_digits.clone(),
                    name: s.complainant.name.clone(),
                })
                .collect(),
            keys: d.keys.clone(),
            refs: d.refs.clone(),
            fingerprint: d.fingerprint.clone(),
        }
    }

    fn digest(self) -> Option<Digest> {
        Some(Digest {
            received_at: self.received_at.moment()?,
            last_at: match self.last_at {
                Some(p) => Some(p.moment()?),
                None => None,
            },
            settled: self.settled,
            stretches: self
                .stretches
                .into_iter()
                .map(|s| {
                    Some(Stretch {
                        key: (s.project, s.target),
                        from: s.from.moment()?,
                        until: match s.until {
                            Some(p) => Some(p.moment()?),
                            None => None,
                        },
                        complainant: Complainant {
                            phone_digits: s.phone_digits,
                            name: s.name,
                        },
                    })
                })
                .collect::<Option<_>>()?,
            keys: self.keys,
            refs: self.refs,
            fingerprint: self.fingerprint,
        })
    }
}

/// The encoded form of a ticket, as a shard keeps it.
pub fn encode(t: &Ticket) -> Option<Vec<u8>> {
    rmp_serde::to_vec_named(t).ok()
}

/// A ticket from its encoded form; `None` when the bytes are not one (the caller reads the
/// file instead).
pub fn decode(bytes: &[u8]) -> Option<Ticket> {
    rmp_serde::from_slice(bytes).ok()
}

#[derive(Serialize)]
struct ShardOut<'a> {
    format: u32,
    version: &'a str,
    /// The SHA-256 of the rulebook the digests' `settled` was worked out with.
    rules: &'a str,
    /// When the files of this shard were read (ns since the epoch): entries modified close
    /// to it are not trusted.
    read_at_ns: i64,
    entries: Vec<EntryOut<'a>>,
}

#[derive(Serialize)]
struct EntryOut<'a> {
    name: &'a str,
    stamp: FileStamp,
    digest: WireDigest,
    body: Body,
}

#[derive(Deserialize)]
struct ShardIn {
    format: u32,
    version: String,
    rules: String,
    read_at_ns: i64,
    entries: Vec<EntryIn>,
}

#[derive(Deserialize)]
struct EntryIn {
    name: String,
    stamp: FileStamp,
    digest: WireDigest,
    body: Body,
}

/// Where an encoded ticket lies among a shard's bodies, and its CRC-32.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Body {
    pub offset: u64,
    pub len: u32,
    pub crc: u32,
}

/// One cached entry: the file's stamp when read, its digest, and where its encoded ticket
/// lies in the shard.
pub struct Cached {
    pub stamp: FileStamp,
    pub digest: Digest,
    pub body: Body,
}

/// One month directory's cached tickets, in file name order.
///
/// A shard file is the magic, the CRC-32 and length of its head, the head (the entries:
/// name, stamp, digest, where the body lies) and then the bodies. Loading reads the head
/// only; a body is read when a command asks for its ticket, and checked by its own CRC-32.
/// The head is MessagePack with structs as arrays: no field names to read back 100,000
/// times.
#[derive(Default)]
pub struct Shard {
    /// The open shard file, for reading bodies (kept open: a shard written meanwhile by
    /// another run replaces the file, not these bytes).
    pub file: Option<fs::File>,
    /// Where the bodies start in the file.
    pub bodies_at: u64,
    /// By file name, in order; `None` once taken.
    entries: Vec<(String, Option<Cached>)>,
    /// Where `take` goes on looking.
    next: usize,
    /// How many were taken.
    taken: usize,
    read_at_ns: i64,
}

impl Shard {
    /// The shard for `month` (`YYYY/MM`) whose digests were worked out with the rulebook
    /// `rules` (its SHA-256), or an empty one when it is missing, unreadable, corrupt,
    /// written by another version or for another rulebook.
    pub fn load(root: &Path, month: &str, rules: &str) -> Shard {
        let Some((file, head, bodies_at)) = read_head(&shard_path(root, month)) else {
            return Shard::default();
        };
        let Ok(s) = rmp_serde::from_slice::<ShardIn>(&head) else {
            return Shard::default();
        };
        if s.format != FORMAT || s.version != env!("CARGO_PKG_VERSION") || s.rules != rules {
            return Shard::default();
        }
        let mut entries = Vec::with_capacity(s.entries.len());
        for e in s.entries {
            let Some(digest) = e.digest.digest() else {
                return Shard::default();
            };
            let cached = Cached {
                stamp: e.stamp,
                digest,
                body: e.body,
            };
            entries.push((e.name, Some(cached)));
        }
        if !entries.is_sorted_by(|a, b| a.0 < b.0) {
            return Shard::default();
        }
        Shard {
            file: Some(file),
            bodies_at,
            entries,
            read_at_ns: s.read_at_ns,
            ..Shard::default()
        }
    }

    /// A shard whose bodies are read from `file` (a staged shard), its entries already
    /// taken.
    pub fn reading(file: fs::File, bodies_at: u64) -> Shard {
        Shard {
            file: Some(file),
            bodies_at,
            ..Shard::default()
        }
    }

    /// Entries not taken: files that changed or went away since the shard was written.
    pub fn is_empty(&self) -> bool {
        self.taken == self.entries.len()
    }

    /// The cached entry of file `name`, if the file still has the stamp it was read with
    /// and was not modified too close to that read. Files are asked for in name order (as
    /// a month directory is listed); the shard walks its entries alongside.
    pub fn take(&mut self, name: &str, now: FileStamp) -> Option<Cached> {
        while self
            .entries
            .get(self.next)
            .is_some_and(|(n, _)| n.as_str() < name)
        {
            self.next += 1;
        }
        let (n, slot) = self.entries.get_mut(self.next)?;
        if n != name {
            return None;
        }
        self.next += 1;
        let c = slot.as_ref()?;
        if c.stamp != now || !c.stamp.settled_before(self.read_at_ns) {
            return None;
        }
        self.taken += 1;
        slot.take()
    }
}

/// The encoded ticket at `body` of the shard `file` whose bodies start at `bodies_at`, if
/// it is there and its checksum holds.
pub fn read_body(file: &fs::File, bodies_at: u64, body: Body) -> Option<Vec<u8>> {
    let mut buf = vec![0; body.len as usize];
    read_at(file, &mut buf, bodies_at.checked_add(body.offset)?)?;
    (crc32fast::hash(&buf) == body.crc).then_some(buf)
}

/// All the bodies of a shard at once: cheaper than one read per body when most are wanted.
pub fn read_bodies(file: &fs::File, bodies_at: u64) -> Option<Vec<u8>> {
    let len = file.metadata().ok()?.len().checked_sub(bodies_at)?;
    let mut buf = vec![0; usize::try_from(len).ok()?];
    read_at(file, &mut buf, bodies_at)?;
    Some(buf)
}

/// The encoded ticket at `body` within all the bodies `all`, if its checksum holds.
pub fn body_in(all: &[u8], body: Body) -> Option<&[u8]> {
    let start = usize::try_from(body.offset).ok()?;
    let bytes = all.get(start..start.checked_add(body.len as usize)?)?;
    (crc32fast::hash(bytes) == body.crc).then_some(bytes)
}

fn read_at(file: &fs::File, buf: &mut [u8], offset: u64) -> Option<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        file.read_exact_at(buf, offset).ok()
    }
    #[cfg(not(unix))]
    {
        use std::io::{Read, Seek, SeekFrom};
        let mut f = file.try_clone().ok()?;
        f.seek(SeekFrom::Start(offset)).ok()?;
        f.read_exact(buf).ok()
    }
}

/// One entry to store: file name, stamp, digest, encoded ticket.
pub type Store<'a> = (&'a str, FileStamp, &'a Digest, &'a [u8]);

/// Where the shard of `month` (`YYYY/MM`) lives.
fn shard_path(root: &Path, month: &str) -> PathBuf {
    cache_dir(root).join(format!("{}.msgpack", month.replace('/', "-")))
}

pub(super) fn cache_dir(root: &Path) -> PathBuf {
    root.join(super::store::STATE).join("cache")
}

/// Bytes before the head: the magic, the head's CRC-32 and its length.
const PREFIX: usize = MAGIC.len() + 4 + 8;

/// The open file, its head (checked) and where the rest starts.
pub(super) fn read_head(path: &Path) -> Option<(fs::File, Vec<u8>, u64)> {
    // Anything but a regular file (a FIFO would block the read) is no shard: ignored, and
    // written afresh.
    if !fs::symlink_metadata(path).ok()?.is_file() {
        return None;
    }
    let file = fs::File::open(path).ok()?;
    let mut prefix = [0u8; PREFIX];
    read_at(&file, &mut prefix, 0)?;
    if &prefix[..MAGIC.len()] != MAGIC {
        return None;
    }
    let sum = u32::from_le_bytes(prefix[MAGIC.len()..MAGIC.len() + 4].try_into().ok()?);
    let len = u64::from_le_bytes(prefix[MAGIC.len() + 4..].try_into().ok()?);
    if len > file.metadata().ok()?.len() {
        return None;
    }
    let mut head = vec![0; usize::try_from(len).ok()?];
    read_at(&file, &mut head, PREFIX as u64)?;
    (crc32fast::hash(&head) == sum).then_some((file, head, PREFIX as u64 + len))
}

/// The head and the rest behind the magic, the head's checksum and length, in a temporary
/// file beside the cache, not yet in place. Best effort: a desk the user may only read (or
/// a full disk) simply goes without a cache.
fn stage_checked(root: &Path, head: &[u8], rest: &[&[u8]]) -> Option<tempfile::NamedTempFile> {
    let dir = super::store::state_dir(root, "cache").ok()?;
    let tmp = tempfile::NamedTempFile::new_in(&dir).ok()?;
    use std::io::Write;
    let mut w = std::io::BufWriter::new(tmp);
    let sum = crc32fast::hash(head).to_le_bytes();
    let len = (head.len() as u64).to_le_bytes();
    let ok = w.write_all(MAGIC).is_ok()
        && w.write_all(&sum).is_ok()
        && w.write_all(&len).is_ok()
        && w.write_all(head).is_ok()
        && rest.iter().all(|b| w.write_all(b).is_ok());
    if !ok {
        return None;
    }
    w.into_inner().ok()
}

pub(super) fn write_checked(root: &Path, path: &Path, head: &[u8], rest: &[&[u8]]) {
    if let Some(tmp) = stage_checked(root, head, rest) {
        let _ = tmp.persist(path);
    }
}

/// A shard written to a temporary file, put in place only once the whole command has read
/// the desk without an error (a command that fails leaves the cache as it was).
pub struct Staged {
    tmp: tempfile::NamedTempFile,
    month: String,
    /// Where the bodies start, and where each entry's body lies, in entry order.
    pub bodies_at: u64,
    pub bodies: Vec<Body>,
}

impl Staged {
    /// The staged file, open for reading the bodies back.
    pub fn reader(&self) -> Option<fs::File> {
        self.tmp.reopen().ok()
    }

    /// Puts the shard in place.
    pub fn persist(self, root: &Path) {
        let _ = self.tmp.persist(shard_path(root, &self.month));
    }
}

/// Writes the shard of `month` from the entries just read into a staged file.
pub fn stage(
    root: &Path,
    month: &str,
    rules: &str,
    read_at_ns: i64,
    entries: &[Store],
) -> Option<Staged> {
    let mut offset = 0u64;
    let mut bodies = Vec::with_capacity(entries.len());
    let out = ShardOut {
        format: FORMAT,
        version: env!("CARGO_PKG_VERSION"),
        rules,
        read_at_ns,
        entries: entries
            .iter()
            .map(|(name, stamp, digest, body)| {
                let b = Body {
                    offset,
                    len: body.len() as u32,
                    crc: crc32fast::hash(body),
                };
                bodies.push(b);
                offset += body.len() as u64;
                EntryOut {
                    name,
                    stamp: *stamp,
                    digest: WireDigest::of(digest),
                    body: b,
                }
            })
            .collect(),
    };
    let head = rmp_serde::to_vec(&out).ok()?;
    let rest: Vec<&[u8]> = entries.iter().map(|e| e.3).collect();
    let tmp = stage_checked(root, &head, &rest)?;
    Some(Staged {
        tmp,
        month: month.to_string(),
        bodies_at: (PREFIX + head.len()) as u64,
        bodies,
    })
}

/// The index of the tickets that have (or had) a target, for commands on one ticket: its
/// same-target peers without reading the desk.
///
/// Each month directory is recorded with its stamp: a file added, removed or replaced there
/// (plaint, git and most editors replace files) changes it, and that month is then read
/// again. A member's own file is checked by its stamp. The file is a small head (the months,
/// and the length and CRC-32 of what follows) and then the members: every desk-wide command
/// reads the head to see whether the index is current, only `show` and the lifecycle steps
/// read the members.
#[derive(Serialize, Deserialize, Default)]
pub struct TargetIndex {
    format: u32,
    version: String,
    pub read_at_ns: i64,
    /// `YYYY/MM` and the directory's stamp when it was listed.
    pub months: Vec<(String, FileStamp)>,
    /// The members' bytes after the head: their length and CRC-32.
    members_len: u64,
    members_crc: u32,
}

#[derive(Serialize, Deserialize)]
struct WireMember {
    month: u32,
    name: String,
    stamp: FileStamp,
    digest: WireDigest,
}

/// A ticket of the target index.
pub struct Member {
    /// Index into `TargetIndex::months`.
    pub month: usize,
    pub name: String,
    pub stamp: FileStamp,
    pub digest: Digest,
}

impl TargetIndex {
    /// The index's head, unless it is missing, corrupt or of another version; the open file
    /// and where the members start.
    fn head(root: &Path) -> Option<(TargetIndex, fs::File, u64)> {
        let (file, bytes, rest) = read_head(&index_path(root))?;
        let ix: TargetIndex = rmp_serde::from_slice(&bytes).ok()?;
        (ix.format == FORMAT && ix.version == env!("CARGO_PKG_VERSION")).then_some((ix, file, rest))
    }

    /// The index, unless it is missing, corrupt or of another version.
    pub fn load(root: &Path) -> Option<(TargetIndex, Vec<Member>)> {
        let (ix, file, at) = TargetIndex::head(root)?;
        let mut bytes = vec![0; usize::try_from(ix.members_len).ok()?];
        read_at(&file, &mut bytes, at)?;
        if crc32fast::hash(&bytes) != ix.members_crc {
            return None;
        }
        let members = rmp_serde::from_slice::<Vec<WireMember>>(&bytes)
            .ok()?
            .into_iter()
            .map(|m| {
                Some(Member {
                    month: m.month as usize,
                    name: m.name,
                    stamp: m.stamp,
                    digest: m.digest.digest()?,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        (members.iter().all(|m| m.month < ix.months.len())).then_some((ix, members))
    }

    /// Whether the index on disk was written for month directories with these stamps, all
    /// old enough to be trusted: then it need not be written again.
    pub fn current(root: &Path, months: &[(String, FileStamp)]) -> bool {
        TargetIndex::head(root).is_some_and(|(h, _, _)| {
            h.months == months
                && h.months
                    .iter()
                    .all(|(_, st)| st.settled_before(h.read_at_ns))
        })
    }

    /// Writes the index of `months` (with their stamps when listed) and the members, each
    /// (month, file name, stamp, digest); only tickets that ever had a target are kept.
    pub fn store<'a>(
        root: &Path,
        read_at_ns: i64,
        months: Vec<(String, FileStamp)>,
        members: impl Iterator<Item = (usize, &'a str, FileStamp, &'a Digest)>,
    ) {
        let members: Vec<WireMember> = members
            .filter(|(_, _, _, d)| !d.keys.is_empty())
            .map(|(month, name, stamp, d)| WireMember {
                month: month as u32,
                name: name.to_string(),
                stamp,
                digest: WireDigest::of(d),
            })
            .collect();
        let Ok(members) = rmp_serde::to_vec(&members) else {
            return;
        };
        let ix = TargetIndex {
            format: FORMAT,
            version: env!("CARGO_PKG_VERSION").into(),
            read_at_ns,
            months,
            members_len: members.len() as u64,
            members_crc: crc32fast::hash(&members),
        };
        if let Ok(head) = rmp_serde::to_vec(&ix) {
            write_checked(root, &index_path(root), &head, &[&members]);
        }
    }
}

fn index_path(root: &Path) -> PathBuf {
    cache_dir(root).join("targets.msgpack")
}

/// Now, in ns since the epoch, for `read_at_ns`.
pub fn now_ns() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i64)
}
