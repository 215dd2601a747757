//! One module per subcommand; this one routes and holds what they share.

mod audit;
mod calendar;
pub(crate) mod check;
mod due;
pub mod facts;
mod help;
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
mod when;

pub use help::{coded_values, with_values};
pub use when::{Stamp, actor, as_of, event_time, known_at, now, stamp};

use crate::cli::{Cli, Command};
use crate::desk::Desk;
use crate::time::Moment;
use anyhow::{Result, anyhow};
use std::path::PathBuf;

/// How a command that ran to its end ends: `Done` (exit 0), or `Found` (exit 1: `check`
/// found problems, `audit` a rewrite, a merge was left as a conflict, mail not all sent).
/// Errors take the other way out, as `Err` (exit 1, or 2 for a `Usage` mistake).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Done,
    Found,
}

impl From<Outcome> for std::process::ExitCode {
    fn from(o: Outcome) -> Self {
        match o {
            Outcome::Done => std::process::ExitCode::SUCCESS,
            Outcome::Found => std::process::ExitCode::from(1),
        }
    }
}

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

pub fn dispatch(cli: Cli) -> Result<Outcome> {
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
            let mut cmd = help::completing(&ctx);
            clap_complete::generate(a.shell, &mut cmd, "plaint", &mut std::io::stdout());
            Ok(Outcome::Done)
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
            Ok(Outcome::Done)
        }
    }
}

/// Records a step in git: when a repository keeps the desk (and neither the rulebook nor
/// `--no-commit` says otherwise), commits exactly the files the command wrote, authored by
/// the writer `Desk::commit_as` named, still under the lock the writes took; then lets the
/// lock go. The files are written either way: a commit that fails is a warning, and the
/// next writer commits them as recovered.
pub fn commit(desk: &Desk, message: &str) {
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

/// The desk directory: `--desk`, else `$PLAINT_DESK`, else the current directory.
pub(crate) fn desk_dir(flag: Option<PathBuf>) -> PathBuf {
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
