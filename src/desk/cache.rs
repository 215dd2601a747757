//! The derived ticket cache (`.plaint/cache/`): every ticket file parsed once, kept in
//! MessagePack beside the desk, one shard per month directory.
//!
//! Reports read every ticket of the desk. Parsing 100,000 YAML files costs more than reading
//! them, so each file's parsed ticket is kept together with what the file looked like when
//! it was read: its size, modification and change times (to the nanosecond) and inode. On
//! every run each file is checked against that (one `stat`), and only files that differ are
//! parsed again. The cache is never the record: git ignores it, deleting it changes no
//! output, and a shard that is corrupt, of another version or of another desk layout is
//! ignored and written afresh.
//!
//! A file changed twice within the file system's timestamp granularity could keep its
//! stamp, so, as git does with its index, an entry whose file was modified shortly before
//! the cache read it is not trusted: it is parsed again until it is old enough. `touch`
//! cannot put a changed file back to its cached stamp either: setting the modification time
//! changes the change time.

use crate::ticket::Ticket;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Bumped whenever the shape of a cached ticket changes; the plaint version is checked too.
const FORMAT: u32 = 1;
const MAGIC: &str = "plaint ticket cache";
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
}

#[derive(Serialize)]
struct ShardOut<'a> {
    magic: &'a str,
    format: u32,
    version: &'a str,
    /// When the files of this shard were read (ns since the epoch): entries modified close
    /// to it are not trusted.
    read_at_ns: i64,
    entries: Vec<EntryOut<'a>>,
}

#[derive(Serialize)]
struct EntryOut<'a> {
    name: &'a str,
    stamp: FileStamp,
    ticket: &'a Ticket,
}

#[derive(Deserialize)]
struct ShardIn {
    magic: String,
    format: u32,
    version: String,
    read_at_ns: i64,
    entries: Vec<EntryIn>,
}

#[derive(Deserialize)]
struct EntryIn {
    name: String,
    stamp: FileStamp,
    ticket: Ticket,
}

/// One month directory's cached tickets, by file name, with their stamps.
#[derive(Default)]
pub struct Shard {
    entries: HashMap<String, (FileStamp, Ticket)>,
    read_at_ns: i64,
}

impl Shard {
    /// The shard for `month` (`YYYY/MM`), or an empty one when it is missing, unreadable,
    /// corrupt or written by another version.
    pub fn load(root: &Path, month: &str) -> Shard {
        let Ok(bytes) = fs::read(shard_path(root, month)) else {
            return Shard::default();
        };
        match rmp_serde::from_slice::<ShardIn>(&bytes) {
            Ok(s)
                if s.magic == MAGIC
                    && s.format == FORMAT
                    && s.version == env!("CARGO_PKG_VERSION") =>
            {
                Shard {
                    read_at_ns: s.read_at_ns,
                    entries: s
                        .entries
                        .into_iter()
                        .map(|e| (e.name, (e.stamp, e.ticket)))
                        .collect(),
                }
            }
            _ => Shard::default(),
        }
    }

    /// Entries not taken: files that changed or went away since the shard was written.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The cached ticket of file `name`, if the file still has the stamp it was read with
    /// and was not modified too close to that read.
    pub fn take(&mut self, name: &str, now: FileStamp) -> Option<Ticket> {
        let (stamp, _) = self.entries.get(name)?;
        if *stamp != now || stamp.mtime_ns > self.read_at_ns - RACY_NS {
            return None;
        }
        self.entries.remove(name).map(|(_, t)| t)
    }
}

/// Where the shard of `month` (`YYYY/MM`) lives.
fn shard_path(root: &Path, month: &str) -> PathBuf {
    root.join(super::store::STATE)
        .join("cache")
        .join(format!("{}.msgpack", month.replace('/', "-")))
}

/// Writes the shard of `month` from the tickets just read. Best effort: a desk the user may
/// only read (or a full disk) simply goes without a cache.
pub fn store(root: &Path, month: &str, read_at_ns: i64, entries: &[(&str, FileStamp, &Ticket)]) {
    let out = ShardOut {
        magic: MAGIC,
        format: FORMAT,
        version: env!("CARGO_PKG_VERSION"),
        read_at_ns,
        entries: entries
            .iter()
            .map(|(name, stamp, ticket)| EntryOut {
                name,
                stamp: *stamp,
                ticket,
            })
            .collect(),
    };
    let Ok(bytes) = rmp_serde::to_vec_named(&out) else {
        return;
    };
    let Ok(dir) = super::store::state_dir(root, "cache") else {
        return;
    };
    let path = shard_path(root, month);
    let Ok(mut tmp) = tempfile::NamedTempFile::new_in(&dir) else {
        return;
    };
    use std::io::Write;
    if tmp.write_all(&bytes).is_ok() {
        let _ = tmp.persist(path);
    }
}

/// Now, in ns since the epoch, for `read_at_ns`.
pub fn now_ns() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i64)
}
