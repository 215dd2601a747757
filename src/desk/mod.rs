//! The desk on disk: where tickets live, how they are read in bulk, and how writes are made
//! safe (one writer at a time, atomic replacement, append-only files).

pub mod audit;
pub mod cache;
pub mod catalog;
pub mod git;
pub mod id;
pub mod journal;
pub mod judge;
pub mod record;
pub mod settlements;
pub mod store;
pub mod verdicts;

use crate::rules::Rules;
use crate::ticket::{Event, Ticket};
use anyhow::{Context, Result, bail};
use std::fs;
use std::path::{Path, PathBuf};

pub struct Desk {
    pub root: PathBuf,
    pub rules: Rules,
    /// Where the rulebook came from, for messages and report footers.
    pub rules_source: RulesSource,
    /// SHA-256 of the rulebook's bytes (hex), so a report can be reproduced later.
    pub rules_sha256: String,
    /// The files this command wrote, the desk lock it holds until they are committed, and
    /// whom it commits as.
    pub written: record::Writes,
    /// The rulebook's versions, read once when first asked for.
    pub versions: std::cell::OnceCell<Vec<Version>>,
}

#[derive(Debug, Clone)]
pub enum RulesSource {
    File(PathBuf),
    Builtin,
}

impl RulesSource {
    pub fn describe(&self) -> String {
        match self {
            RulesSource::File(p) => p.display().to_string(),
            RulesSource::Builtin => "(built-in rules.yaml)".into(),
        }
    }
}

/// A ticket read from disk together with the text it was read from.
pub struct Loaded {
    pub path: PathBuf,
    pub text: String,
    pub ticket: Ticket,
}

/// Where earlier versions of the rulebook are kept.
pub const VERSIONS: &str = "rulebooks";

/// One version of the rulebook and the day it took effect (`None`: from the beginning).
pub struct Version {
    pub path: PathBuf,
    pub from: Option<chrono::NaiveDate>,
    pub rules: Rules,
    pub sha256: String,
    pub terms_sha256: String,
}

/// A ticket file that could not be read as a ticket.
#[derive(Debug)]
pub struct Broken {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

impl Broken {
    pub fn render(&self) -> String {
        match self.line {
            Some(l) => format!("{}:{l}: {}", self.path.display(), self.message),
            None => format!("{}: {}", self.path.display(), self.message),
        }
    }
}

impl Desk {
    /// Opens the desk at `root` with the rulebook at `rules` (default `root/rules.yaml`,
    /// else the built-in one). The rulebook must be valid.
    pub fn open(root: &Path, rules: Option<&Path>) -> Result<Desk> {
        Desk::require(root)?;
        // An import interrupted after it committed is completed before anything is read.
        if journal::pending(root)
            && let Err(e) = store::DeskLock::acquire(root)
        {
            eprintln!(
                "warning: an interrupted import in {} could not be completed ({e:#}); the desk may show only part of it until a writer opens it",
                root.display()
            );
        }
        let (text, source) = Desk::rules_text(root, rules)?;
        let rules = match &text {
            Some(t) => Rules::parse(t).map_err(|problems| {
                let file = source.describe();
                let lines: Vec<String> = problems.iter().map(|p| p.render(&file)).collect();
                anyhow::anyhow!(
                    "the rulebook has {} problem{}:\n{}",
                    problems.len(),
                    if problems.len() == 1 { "" } else { "s" },
                    lines.join("\n")
                )
            })?,
            None => Rules::builtin(),
        };
        let bytes = text.as_deref().unwrap_or(crate::rules::BUILTIN).as_bytes();
        Ok(Desk {
            root: root.to_path_buf(),
            rules,
            rules_source: source,
            rules_sha256: sha256_hex(bytes),
            written: Default::default(),
            versions: Default::default(),
        })
    }

    /// Refuses a directory that is no desk (neither rules.yaml nor tickets/): a cron job
    /// pointed at the wrong place must fail, not mail empty reports, and `log` must not
    /// start a desk by accident (SPEC §1).
    pub fn require(root: &Path) -> Result<()> {
        if root.join("rules.yaml").is_file() || root.join("tickets").is_dir() {
            return Ok(());
        }
        let what = if root.is_dir() {
            "has neither rules.yaml nor tickets/"
        } else if root.exists() {
            "is not a directory"
        } else {
            "does not exist"
        };
        bail!(
            "{} is not a plaint desk: it {what}. Create one with `plaint init {}`, or point --desk (or $PLAINT_DESK) at an existing desk",
            root.display(),
            root.display()
        )
    }

    /// The rulebook text to use and where it came from (`None` text: the built-in one).
    pub fn rules_text(root: &Path, rules: Option<&Path>) -> Result<(Option<String>, RulesSource)> {
        let path = match rules {
            Some(p) => p.to_path_buf(),
            None => {
                let p = root.join("rules.yaml");
                if !p.exists() {
                    return Ok((None, RulesSource::Builtin));
                }
                p
            }
        };
        let bytes = store::read_regular(&path, store::MAX_RULEBOOK)
            .with_context(|| format!("cannot read the rulebook {}", path.display()))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            anyhow::anyhow!(
                "the rulebook {} is not UTF-8 text (byte {} is not); save it as UTF-8",
                path.display(),
                e.utf8_error().valid_up_to()
            )
        })?;
        Ok((Some(text), RulesSource::File(path)))
    }

    pub fn tickets_dir(&self) -> PathBuf {
        self.root.join("tickets")
    }

    pub fn ticket_path(&self, id: &str) -> Result<PathBuf> {
        let parsed = id::TicketId::parse(id)?;
        Ok(self.tickets_dir().join(parsed.relative_path()))
    }

    /// Reads one ticket by ID.
    pub fn load(&self, id: &str) -> Result<Loaded> {
        let path = self.ticket_path(id)?;
        if !path.exists() {
            bail!(
                "no ticket {id} in {} (looked for {}); `plaint list` shows the tickets there",
                self.root.display(),
                path.display()
            );
        }
        read_ticket(&path).map_err(|b| anyhow::anyhow!("{} (run `plaint check`)", b.render()))
    }

    /// Every ticket file under tickets/YYYY/MM/, in path order.
    pub fn ticket_paths(&self) -> Result<Vec<PathBuf>> {
        let mut out = Vec::new();
        for m in self.month_dirs()? {
            out.extend(Desk::month_files(&m)?);
        }
        Ok(out)
    }

    /// Reads and parses every ticket file, on all cores, with its text: what `check`
    /// verifies (it never trusts the cache).
    pub fn scan(&self) -> Result<Vec<Result<Loaded, Broken>>> {
        let paths = self.ticket_paths()?;
        Ok(parallel_map(&paths, |p| read_ticket(p)))
    }

    /// The rulebook's versions, oldest first: each earlier one kept in `rulebooks/*.yaml`,
    /// then the rulebook in use, each in force from its `desk.effective_from` (the oldest
    /// from the beginning) until the next one's. Every version keeps the current calendar:
    /// holidays and make-up days are facts and apply everywhere.
    pub fn versions(&self) -> Result<&[Version]> {
        if let Some(v) = self.versions.get() {
            return Ok(v);
        }
        let read = self.read_versions()?;
        Ok(self.versions.get_or_init(|| read))
    }

    /// The version in force on `day` (the newest that took effect by then).
    pub fn version_at(&self, day: chrono::NaiveDate) -> Result<Option<&Version>> {
        Ok(self
            .versions()?
            .iter()
            .rev()
            .find(|v| v.from.is_none_or(|f| f <= day)))
    }

    fn read_versions(&self) -> Result<Vec<Version>> {
        let dir = self.root.join(VERSIONS);
        let mut files: Vec<PathBuf> = match fs::read_dir(&dir) {
            Ok(rd) => rd
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
                .collect(),
            Err(_) => Vec::new(),
        };
        files.sort();
        let mut out = Vec::new();
        for f in files {
            let bytes = store::read_regular(&f, store::MAX_RULEBOOK)?;
            let text = String::from_utf8(bytes)
                .map_err(|_| anyhow::anyhow!("{} is not UTF-8 text", f.display()))?;
            out.push(self.version(f, &text)?);
        }
        // The rulebook in use: the one this desk was opened with (`--rules`, or its own).
        let text = match &self.rules_source {
            RulesSource::File(p) => Desk::rules_text(&self.root, Some(p))?.0,
            _ => None,
        }
        .unwrap_or_else(|| crate::rules::BUILTIN.to_string());
        let current = self.version(PathBuf::from(self.rules_source.describe()), &text)?;
        out.push(current);
        out.sort_by_key(|v| v.from);
        Ok(out)
    }

    fn version(&self, path: PathBuf, text: &str) -> Result<Version> {
        let mut rules = Rules::parse(text).map_err(|ps| {
            anyhow::anyhow!(
                "{}",
                ps.iter()
                    .map(|p| p.render(&path.display().to_string()))
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        })?;
        rules.calendar = self.rules.calendar.clone();
        Ok(Version {
            from: rules.book.desk.effective_from,
            terms_sha256: settlements::terms_sha256(text),
            sha256: sha256_hex(text.as_bytes()),
            path,
            rules,
        })
    }

    /// Every ticket as the desk knew it at `known` (`--known-at`): read whole from the files,
    /// not through the cache, whose digests describe the tickets as they are now.
    pub fn known_tickets(&self, known: crate::time::Moment) -> Result<Vec<Ticket>> {
        let mut out = Vec::new();
        let mut broken = Vec::new();
        for r in self.scan()? {
            match r {
                Ok(l) => out.extend(l.ticket.known_at(known)),
                Err(b) => broken.push(b.render()),
            }
        }
        if !broken.is_empty() {
            bail!(
                "{} ticket file{} cannot be read (fix it, then `plaint check`):\n{}",
                broken.len(),
                if broken.len() == 1 { "" } else { "s" },
                broken.join("\n")
            );
        }
        Ok(out)
    }

    /// Appends one event to a ticket under the desk lock; `check` sees the ticket as it is
    /// on disk (after the lock is taken) and may refuse the event.
    ///
    /// The new text is read back before it replaces the file: it must be the old ticket with
    /// exactly the new event added. A file plaint cannot append to safely (hand-edited into
    /// another layout) is refused with what to fix, and stays as it was.
    pub fn append(&self, id: &str, check: impl FnOnce(&Ticket) -> Result<Event>) -> Result<Event> {
        let _lock = self.written.lock(&self.root)?;
        let loaded = self.load(id)?;
        let event = check(&loaded.ticket)?;
        let mut text = loaded.text.clone();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&store::event_text(&event)?);
        if text.len() > crate::yaml::MAX_BYTES {
            bail!(
                "{}: with this event the file would be {} KB, over the size limit of {} KB a ticket file may have; nothing was written (a complaint this long belongs in several tickets, or its long texts in an attachment kept elsewhere)",
                loaded.path.display(),
                text.len() / 1024,
                crate::yaml::MAX_BYTES / 1024
            );
        }
        let mut expected = loaded.ticket.clone();
        expected.events.push(event.clone());
        let reread =
            crate::yaml::from_str::<Ticket>(text.strip_prefix('\u{feff}').unwrap_or(&text));
        let same = match &reread {
            Ok(t) => store::ticket_text(t)? == store::ticket_text(&expected)?,
            Err(_) => false,
        };
        if !same {
            bail!(
                "{}: plaint cannot add to this file safely: {}. Put it back in plaint's layout (the facts, then `events:` as the last key, one `- at: ...` item per event), check it with `plaint check`, and try again; nothing was written",
                loaded.path.display(),
                store::layout_problem(&loaded.text).unwrap_or_else(|| {
                    "an event added at the end would not read back as one more event".into()
                })
            );
        }
        self.written.will_write(&self.root, &loaded.path)?;
        store::write_atomic(&self.root, &loaded.path, text.as_bytes(), false)?;
        Ok(event)
    }

    /// The ticket that carries the external reference `r` (its own or amended), if any.
    pub fn ref_holder(&self, r: &str) -> Result<Option<String>> {
        let catalog = self.catalog_for_writing()?;
        match catalog
            .entries()
            .iter()
            .position(|e| e.digest.refs.iter().any(|x| x == r))
        {
            Some(i) => Ok(catalog.tickets(&[i])?.pop().map(|t| t.id)),
            None => Ok(None),
        }
    }

    /// Refuses a ref that another ticket of the desk already carries: one complaint of the
    /// source system is one ticket here (SPEC §9).
    pub fn unique_ref(&self, r: &str, own: Option<&str>) -> Result<()> {
        match self.ref_holder(r)? {
            Some(holder) if Some(holder.as_str()) != own => bail!(
                "--ref: '{r}' is already the reference of {holder}; one complaint of the source system is one ticket (`plaint show {holder}`)"
            ),
            _ => Ok(()),
        }
    }

    /// This command's writes are committed as `by` when a repository keeps the desk and
    /// `commit` says so (the rulebook's `desk.commit`, less `--no-commit`).
    pub fn commit_as(&self, by: &str, commit: bool) {
        if commit && self.rules.book.desk.commit {
            self.written.commit_as(&self.root, by);
        }
    }

    /// The prefix of IDs minted here: the rulebook's, then this clone's site code and a
    /// dash (`KM-202611-0001`), so that sites sharing one repository never mint one ID twice.
    pub fn id_prefix(&self) -> Result<String> {
        let mut p = self.rules.book.desk.prefix.clone();
        if let Some(site) = git::site(&self.root)? {
            p.push_str(&site);
            p.push('-');
        }
        Ok(p)
    }

    /// Mints the next ID for the month of receipt and writes the new ticket.
    pub fn create(&self, mut ticket: Ticket) -> Result<String> {
        let prefix = &self.id_prefix()?;
        let lock = self.written.lock(&self.root)?;
        if let Some(r) = &ticket.ext_ref {
            self.unique_ref(r, None)?;
        }
        let month_dir = self.tickets_dir().join(id::month_dir(&ticket.received_at));
        let mut serials = lock.serials();
        let key = id::series(prefix, &ticket.received_at);
        let serial = id::next_serial(
            &month_dir,
            prefix,
            &ticket.received_at,
            serials.get(&key).copied(),
        )?;
        ticket.id = id::format_id(prefix, &ticket.received_at, serial);
        let path = month_dir.join(format!("{}.yaml", ticket.id));
        self.written.will_write(&self.root, &path)?;
        store::write_atomic(
            &self.root,
            &path,
            store::ticket_text(&ticket)?.as_bytes(),
            true,
        )?;
        serials.insert(key, serial);
        lock.remember(&serials);
        Ok(ticket.id)
    }
}

fn sorted_dirs(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir() && !hidden(p))
        .collect();
    v.sort();
    Ok(v)
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn hidden(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_none_or(|n| n.starts_with('.'))
}

/// A ticket file's name: `*.yaml`, not hidden.
fn is_ticket_name(n: &std::ffi::OsStr) -> bool {
    n.to_str()
        .is_some_and(|n| !n.starts_with('.') && n.len() > 5 && n.ends_with(".yaml"))
}

/// Reads a ticket file; a problem is reported with its line.
pub fn read_ticket(path: &Path) -> Result<Loaded, Broken> {
    let broken = |message: String| Broken {
        path: path.to_path_buf(),
        line: None,
        message,
    };
    // A link could point anywhere (and an error would quote what it points at): ticket
    // files are regular files, of a size a ticket can have.
    let meta = fs::symlink_metadata(path).map_err(|e| broken(format!("cannot read: {e}")))?;
    if meta.file_type().is_symlink() {
        return Err(broken(
            "is a symbolic link; ticket files must be regular files (replace the link with the file itself)".into(),
        ));
    }
    if !meta.is_file() {
        return Err(broken("is not a regular file".into()));
    }
    if meta.len() > crate::yaml::MAX_BYTES as u64 {
        return Err(broken(format!(
            "is {} KB; a ticket file holds at most {} KB",
            meta.len() / 1024,
            crate::yaml::MAX_BYTES / 1024
        )));
    }
    let text = fs::read_to_string(path).map_err(|e| broken(format!("cannot read: {e}")))?;
    // A byte-order mark (some Windows editors add one) is not part of the YAML.
    let yaml = text.strip_prefix('\u{feff}').unwrap_or(&text);
    match crate::yaml::from_str_fast::<Ticket>(yaml) {
        Ok(ticket) => Ok(Loaded {
            path: path.to_path_buf(),
            text,
            ticket,
        }),
        Err(e) => Err(Broken {
            path: path.to_path_buf(),
            line: e.line,
            message: e.message,
        }),
    }
}

pub use crate::par::parallel_map;

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Ratings file at the desk root: platform scores entered with `plaint rate`.
pub const RATINGS: &str = "ratings.yaml";
