//! One module per subcommand; this one routes and holds what they share.

mod audit;
mod calendar;
pub(crate) mod check;
mod due;
pub mod facts;
mod import;
mod init;
mod lifecycle;
mod list;
mod log;
mod merge_ticket;
mod penalties;
pub(crate) mod rate;
mod report;
pub(crate) mod settle;
mod show;
mod void;

use crate::cli::{Cli, Command, ReadOpts, WriteOpts};
use crate::desk::Desk;
use crate::time::{Moment, human, parse_moment};
use anyhow::{Result, anyhow};
use chrono::Timelike;
use std::path::PathBuf;

/// What every command knows before it starts: where the desk is and which rulebook to use.
pub struct Ctx {
    pub desk: PathBuf,
    pub rules: Option<PathBuf>,
    /// `--no-commit`: write the files, leave git alone.
    pub no_commit: bool,
}

impl Ctx {
    pub fn open(&self) -> Result<Desk> {
        Desk::open(&self.desk, self.rules.as_deref())
    }

    /// Opens the desk for a command that writes as `by`: its writes are committed under
    /// that name where a repository keeps the desk.
    pub fn open_writing(&self, by: &str) -> Result<Desk> {
        let desk = self.open()?;
        desk.commit_as(by, !self.no_commit);
        Ok(desk)
    }
}

pub fn dispatch(cli: Cli) -> Result<i32> {
    crate::output::set_quiet(cli.quiet);
    crate::output::set_colour(match cli.color {
        crate::cli::ColorWhen::Always => true,
        crate::cli::ColorWhen::Never => false,
        crate::cli::ColorWhen::Auto => {
            use std::io::IsTerminal;
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").map_or(true, |t| t != "dumb")
        }
    });
    let ctx = Ctx {
        // The environment is read here rather than by clap, whose usage line would then
        // show these options as if they had been typed.
        desk: desk_dir(cli.desk.clone()),
        rules: cli.rules.clone(),
        no_commit: cli.no_commit || env_flag("PLAINT_NO_COMMIT"),
    };
    match cli.command {
        Command::Init(a) => init::run(&ctx, a),
        Command::Log(a) => log::log(&ctx, a),
        Command::Import(a) => import::run(&ctx, a),
        Command::Amend(a) => log::amend(&ctx, a),
        Command::Classify(a) => lifecycle::classify(&ctx, a),
        Command::Assign(a) => lifecycle::assign(&ctx, a),
        Command::Forward(a) => lifecycle::forward(&ctx, a),
        Command::Respond(a) => lifecycle::respond(&ctx, a),
        Command::Plan(a) => lifecycle::plan(&ctx, a),
        Command::Close(a) => lifecycle::close(&ctx, a),
        Command::Callback(a) => lifecycle::callback(&ctx, a),
        Command::Reopen(a) => lifecycle::reopen(&ctx, a),
        Command::Escalate(a) => lifecycle::escalate(&ctx, a),
        Command::Delay(a) => lifecycle::delay(&ctx, a),
        Command::Step(a) => lifecycle::step(&ctx, a),
        Command::Violation(a) => lifecycle::violation(&ctx, a),
        Command::Show(a) => show::run(&ctx, a),
        Command::List(a) => list::run(&ctx, a),
        Command::Report(a) => report::run(&ctx, a),
        Command::Penalties(a) => penalties::run(&ctx, a),
        Command::Due(a) => due::run(&ctx, a),
        Command::Rate(a) => rate::run(&ctx, a),
        Command::Settle(a) => settle::run(&ctx, a),
        Command::Void(a) => void::run(&ctx, a),
        Command::Calendar(a) => calendar::run(&ctx, a),
        Command::Check(a) => check::run(&ctx, a),
        Command::Audit(a) => audit::run(&ctx, a),
        Command::MergeTicket(a) => merge_ticket::run(a),
        Command::Completions(a) => {
            let mut cmd = completing(&ctx);
            clap_complete::generate(a.shell, &mut cmd, "plaint", &mut std::io::stdout());
            Ok(0)
        }
        Command::Man => {
            // One page: plaint(1) with every subcommand's options and examples after it.
            let cmd = <Cli as clap::CommandFactory>::command();
            let mut out = Vec::new();
            clap_mangen::Man::new(cmd.clone()).render(&mut out)?;
            for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
                let full = format!("plaint {}", sub.get_name());
                let man = clap_mangen::Man::new(sub.clone().bin_name(full.clone()));
                out.extend_from_slice(format!(".SH \"{}\"\n", full.to_uppercase()).as_bytes());
                man.render_description_section(&mut out)?;
                man.render_synopsis_section(&mut out)?;
                man.render_options_section(&mut out)?;
                man.render_extra_section(&mut out)?;
            }
            crate::output::print(&String::from_utf8_lossy(&out))?;
            Ok(0)
        }
    }
}

/// Records a step in git: when a repository keeps the desk (and neither the rulebook nor
/// `--no-commit` says otherwise), commits exactly the files the command wrote, authored by
/// the writer `Desk::commit_as` named, still under the lock the writes took; then lets the
/// lock go. The files are written either way: a commit that fails is a warning, and the
/// next writer commits them as recovered.
pub fn commit(_ctx: &Ctx, desk: &Desk, _by: &str, message: &str) {
    let files = desk.written.paths();
    if let Err(e) = desk.written.commit(&desk.root, message) {
        eprintln!(
            "warning: the step is recorded but not committed ({e:#}); the next plaint command that writes commits {}",
            if files.len() == 1 {
                "the file"
            } else {
                "the files"
            }
        );
    }
}

/// A commit message's words for an event: the kind, then its own fields in short.
pub fn summary(e: &crate::ticket::Event) -> String {
    let text = event_fields(e)
        .into_iter()
        .map(|(_, v)| match v {
            serde_json::Value::String(s) => s.replace('\n', " "),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ");
    let short: String = text.chars().take(72).collect();
    if short.len() < text.len() {
        format!("{short}…")
    } else {
        short
    }
}

/// An event's own fields (not when, who, what kind, or where it was entered from), for the
/// events table of `show` and the message of a step's commit.
pub fn event_fields(e: &crate::ticket::Event) -> Vec<(String, serde_json::Value)> {
    match serde_json::to_value(e) {
        Ok(serde_json::Value::Object(map)) => map
            .into_iter()
            .filter(|(k, _)| {
                !matches!(
                    k.as_str(),
                    "at" | "by" | "kind" | "entered_at" | "source" | "entered_by"
                )
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The command line with the values a shell can offer: the rulebook's codes and labels
/// (the desk's rulebook, else the built-in one) for every coded option, and the desk's
/// ticket IDs for the ID argument, as they are when the script is made.
fn completing(ctx: &Ctx) -> clap::Command {
    const MAX_COMPLETED_IDS: usize = 2000;
    use clap::builder::PossibleValuesParser;
    let desk = ctx.open().ok();
    let builtin;
    let rules = match &desk {
        Some(d) => &d.rules,
        None => {
            builtin = crate::rules::Rules::builtin();
            &builtin
        }
    };
    let values: Vec<(&str, Vec<String>)> = coded_values(rules)
        .into_iter()
        .map(|(id, pairs)| {
            let mut v: Vec<String> = pairs.into_iter().flat_map(|(c, l)| [c, l]).collect();
            v.dedup();
            (id, v)
        })
        .collect();
    // The newest IDs, from the newest months back: a script holding 100,000 IDs would slow
    // every shell start.
    let mut ids: Vec<String> = Vec::new();
    if let Some(d) = &desk {
        for m in d.month_dirs().unwrap_or_default().iter().rev() {
            let files = Desk::month_files(m).unwrap_or_default();
            ids.extend(
                files
                    .iter()
                    .rev()
                    .filter_map(|p| p.file_stem()?.to_str().map(str::to_string)),
            );
            if ids.len() >= MAX_COMPLETED_IDS {
                break;
            }
        }
    }
    ids.truncate(MAX_COMPLETED_IDS);
    every_subcommand(|mut sub| {
        let has: Vec<String> = sub
            .get_arguments()
            .map(|a| a.get_id().to_string())
            .collect();
        for (id, vals) in &values {
            if has.iter().any(|h| h == id) && !vals.is_empty() {
                sub = sub.mut_arg(*id, |a| {
                    a.value_parser(PossibleValuesParser::new(vals.clone()))
                });
            }
        }
        if has.iter().any(|h| h == "id") && !ids.is_empty() {
            sub = sub.mut_arg("id", |a| {
                a.value_parser(PossibleValuesParser::new(ids.clone()))
            });
        }
        sub
    })
}

/// Each coded option (by its argument id) with the rulebook's (code, label) pairs; a
/// project is its own label.
pub fn coded_values(rules: &crate::rules::Rules) -> Vec<(&'static str, Vec<(String, String)>)> {
    use crate::rules::codes::{CodeTable, Labelled};
    fn pairs<T: Labelled>(t: CodeTable<'_, T>) -> Vec<(String, String)> {
        t.table
            .keys()
            .map(|k| (k.to_string(), t.label(k).to_string()))
            .collect()
    }
    let projects = rules
        .book
        .projects
        .iter()
        .map(|p| (p.clone(), p.clone()))
        .collect();
    vec![
        ("project", projects),
        ("department", pairs(rules.departments())),
        ("received_by", pairs(rules.departments())),
        ("grade", pairs(rules.grades())),
        ("category", pairs(rules.categories())),
        ("type_", pairs(rules.types())),
        ("channel", pairs(rules.channels())),
        ("flags", pairs(rules.flags())),
    ]
}

/// The command line for `--help`: each coded option's help ends with the values of the
/// rulebook in use (the one `--rules`/`--desk`/`$PLAINT_DESK` name, else the built-in one),
/// codes with their Chinese labels.
pub fn with_values(args: &[std::ffi::OsString]) -> clap::Command {
    let arg = |name: &str| -> Option<PathBuf> {
        let i = args.iter().position(|a| a == name)?;
        args.get(i + 1).map(PathBuf::from)
    };
    let desk = desk_dir(arg("--desk"));
    let rules = Desk::rules_text(&desk, arg("--rules").as_deref())
        .ok()
        .and_then(|(text, _)| text)
        .and_then(|t| crate::rules::Rules::parse(&t).ok())
        .unwrap_or_else(crate::rules::Rules::builtin);
    let values = coded_values(&rules);
    every_subcommand(|mut sub| {
        for (id, pairs) in &values {
            let Some(help) = sub
                .get_arguments()
                .find(|a| a.get_id() == *id)
                .map(|a| a.get_help().map(|h| h.to_string()).unwrap_or_default())
            else {
                continue;
            };
            let list: Vec<String> = pairs
                .iter()
                .map(|(c, l)| {
                    if c == l {
                        c.clone()
                    } else {
                        format!("{c} {l}")
                    }
                })
                .collect();
            sub = sub.mut_arg(*id, |a| {
                a.help(format!("{help} [values: {}]", list.join(", ")))
            });
        }
        sub
    })
}

/// The command line with `f` applied to every subcommand.
fn every_subcommand(mut f: impl FnMut(clap::Command) -> clap::Command) -> clap::Command {
    let mut cmd = <Cli as clap::CommandFactory>::command();
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        cmd = cmd.mut_subcommand(&name, &mut f);
    }
    cmd
}

/// The present moment in desk time, to the second. `$PLAINT_NOW` (any form `--at` takes)
/// stands in for the system clock, so that a demo desk or a test comes out the same on any
/// day.
pub fn now(desk: &Desk) -> Result<Moment> {
    if let Ok(s) = std::env::var("PLAINT_NOW")
        && !s.trim().is_empty()
    {
        return parse_moment(&s, desk.rules.offset).map_err(|e| anyhow!("$PLAINT_NOW: {e}"));
    }
    Ok(chrono::Utc::now()
        .with_timezone(&desk.rules.offset)
        .with_nanosecond(0)
        .expect("zero nanoseconds is valid"))
}

/// When a written event happened, and when it was written if that differs by more than
/// the rulebook's tolerance (SPEC §2): back-dating stays visible.
#[derive(Debug, Clone, Copy)]
pub struct Stamp {
    pub at: Moment,
    pub entered_at: Option<Moment>,
}

impl Stamp {
    /// An event stamped with this moment.
    pub fn event(&self, by: &str, action: crate::ticket::Action) -> crate::ticket::Event {
        let mut e = crate::ticket::Event::new(self.at, by, action);
        e.entered_at = self.entered_at;
        e
    }
}

/// `--at` of a writing command, or now. A moment further in the future than the rulebook's
/// tolerance is refused: nobody can record what has not happened yet.
pub fn event_time(desk: &Desk, w: &WriteOpts) -> Result<Stamp> {
    let Some(s) = &w.at else {
        return Ok(Stamp {
            at: now(desk)?,
            entered_at: None,
        });
    };
    let at = parse_moment(s, desk.rules.offset).map_err(|e| anyhow!("--at: {e}"))?;
    stamp(desk, at, now(desk)?).map_err(|e| anyhow!("--at: {e}"))
}

/// Stamps a moment given for an event, written at `now`.
pub fn stamp(desk: &Desk, at: Moment, now: Moment) -> Result<Stamp> {
    let tolerance = desk.rules.book.desk.clock_tolerance;
    if at - now > tolerance.duration() {
        return Err(anyhow!(
            "{} is in the future (it is now {}; the rulebook allows {tolerance} of clock difference). Record a step once it has happened",
            human(&at),
            human(&now)
        ));
    }
    let entered_at = crate::time::entered_at(at, now, tolerance.duration());
    Ok(Stamp { at, entered_at })
}

/// `--as-of` of a reading command, or now.
pub fn as_of(desk: &Desk, r: &ReadOpts) -> Result<Moment> {
    match &r.as_of {
        Some(s) => parse_moment(s, desk.rules.offset).map_err(|e| anyhow!("--as-of: {e}")),
        None => now(desk),
    }
}

/// `--known-at` of a reading command: `None` (everything written so far) when not given.
pub fn known_at(desk: &Desk, r: &ReadOpts) -> Result<Option<Moment>> {
    r.known_at
        .as_deref()
        .map(|s| parse_moment(s, desk.rules.offset).map_err(|e| anyhow!("--known-at: {e}")))
        .transpose()
}

/// The desk directory: `--desk`, else `$PLAINT_DESK`, else the current directory.
fn desk_dir(flag: Option<PathBuf>) -> PathBuf {
    flag.or_else(|| {
        std::env::var_os("PLAINT_DESK")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
    })
    .unwrap_or_else(|| PathBuf::from("."))
}

/// Whether an environment variable is set to something that means yes (not empty, `0`,
/// `false`, `no` or `off`), as clap reads a flag from the environment.
fn env_flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| {
        !matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "" | "0" | "false" | "no" | "off" | "n" | "f"
        )
    })
}

/// `--by`, else `$PLAINT_USER`, else the OS user: `$USER`, or, where no
/// such variable is set (systemd units, containers), the account the process runs as.
pub fn actor(w: &WriteOpts) -> Result<String> {
    let name =
        w.by.clone()
            .or_else(|| {
                std::env::var("PLAINT_USER")
                    .ok()
                    .filter(|u| !u.trim().is_empty())
            })
            .or_else(|| std::env::var("USER").ok().filter(|u| !u.trim().is_empty()))
            .or_else(|| {
                std::env::var("USERNAME")
                    .ok()
                    .filter(|u| !u.trim().is_empty())
            })
            .or_else(os_user)
            .unwrap_or_default();
    let name = name.trim().to_string();
    if name.chars().any(char::is_control) {
        return Err(anyhow!(
            "the name '{}' contains a control character; give --by NAME",
            crate::output::visible(&name)
        ));
    }
    if name.is_empty() {
        return Err(anyhow!(
            "who is doing this? give --by NAME or set PLAINT_USER"
        ));
    }
    Ok(name)
}

/// A mistake in how a command was called (options that do not go together): exit status 2,
/// like the errors clap itself reports (SPEC §8).
#[derive(Debug)]
pub struct Usage(pub String);

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

/// Joins several input problems into one error, one per line.
pub fn refuse(problems: Vec<String>) -> Result<()> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(anyhow!("{}", problems.join("\n")))
    }
}

/// The period named by the options, for `report` and `penalties`.
pub fn period(p: &crate::cli::PeriodArgs, as_of: Moment) -> Result<crate::report::period::Period> {
    let c = crate::report::period::Choice {
        month: p.month.clone(),
        year: p.year.clone(),
        from: p.from.clone(),
        to: p.to.clone(),
        last_month: p.last_month,
    };
    if c.ways() > 1 {
        return Err(
            Usage("give only one of --month, --year, --from/--to and --last-month".into()).into(),
        );
    }
    crate::report::period::choose(&c, as_of).map_err(|e| anyhow!("{e}"))
}

/// Where figures came from, printed with every report and penalty list.
pub fn provenance(desk: &Desk, as_of: Moment) -> crate::report::render::Provenance {
    crate::report::render::Provenance {
        rules_path: desk.rules_source.describe(),
        rules_sha256: desk.rules_sha256.chars().take(12).collect(),
        as_of,
        commit: crate::desk::git::head(&desk.root),
    }
}

/// One warning on stderr when any judged deadline ran its working clock through a year the
/// calendar does not cover (the years gathered as the tickets were judged): those figures
/// count that year's holidays as working days.
pub fn warn_gap_years(years: &std::collections::BTreeSet<i32>) {
    if !years.is_empty() {
        let list = years
            .iter()
            .map(|y| y.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        eprintln!(
            "warning: some working-clock deadlines run through {list}, which the rulebook's calendar does not cover: its holidays count as working days there. Enter them in calendar.holidays/workdays and calendar.years (see `plaint calendar`)"
        );
    }
}

/// The name of the account the process runs as, from the system's user database; `uid N`
/// when the database has no entry for it (a container started with a bare uid).
#[cfg(unix)]
fn os_user() -> Option<String> {
    // SAFETY: getuid cannot fail; getpwuid_r writes only into the buffers given, and the
    // name is read from them before they go out of scope.
    unsafe {
        let uid = libc::getuid();
        let mut buf = vec![0 as libc::c_char; 16 * 1024];
        let mut pwd: libc::passwd = std::mem::zeroed();
        let mut found: *mut libc::passwd = std::ptr::null_mut();
        let rc = libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut found);
        if rc != 0 || found.is_null() || pwd.pw_name.is_null() {
            return Some(format!("uid {uid}"));
        }
        let name = std::ffi::CStr::from_ptr(pwd.pw_name)
            .to_string_lossy()
            .into_owned();
        (!name.is_empty()).then_some(name)
    }
}

#[cfg(not(unix))]
fn os_user() -> Option<String> {
    None
}
