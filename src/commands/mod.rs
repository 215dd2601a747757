//! One module per subcommand; this one routes and holds what they share.

mod check;
pub mod facts;
mod import;
mod init;
mod lifecycle;
mod list;
mod log;
mod penalties;
pub(crate) mod rate;
mod report;
mod show;

use crate::cli::{Cli, Command, ReadOpts, WriteOpts};
use crate::desk::Desk;
use crate::time::{Moment, parse_moment};
use anyhow::{Result, anyhow};
use chrono::Timelike;
use std::path::PathBuf;

/// What every command knows before it starts: where the desk is and which rulebook to use.
pub struct Ctx {
    pub desk: PathBuf,
    pub rules: Option<PathBuf>,
}

impl Ctx {
    pub fn open(&self) -> Result<Desk> {
        Desk::open(&self.desk, self.rules.as_deref())
    }
}

pub fn dispatch(cli: Cli) -> Result<i32> {
    let ctx = Ctx {
        desk: cli.desk.clone().unwrap_or_else(|| PathBuf::from(".")),
        rules: cli.rules.clone(),
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
        Command::Violation(a) => lifecycle::violation(&ctx, a),
        Command::Show(a) => show::run(&ctx, a),
        Command::List(a) => list::run(&ctx, a),
        Command::Report(a) => report::run(&ctx, a),
        Command::Penalties(a) => penalties::run(&ctx, a),
        Command::Rate(a) => rate::run(&ctx, a),
        Command::Check => check::run(&ctx),
        Command::Completions(a) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(a.shell, &mut cmd, "plaint", &mut std::io::stdout());
            Ok(0)
        }
    }
}

/// The present moment in desk time, to the second.
pub fn now(desk: &Desk) -> Moment {
    chrono::Utc::now()
        .with_timezone(&desk.rules.offset)
        .with_nanosecond(0)
        .expect("zero nanoseconds is valid")
}

/// `--at` of a writing command, or now.
pub fn event_time(desk: &Desk, w: &WriteOpts) -> Result<Moment> {
    match &w.at {
        Some(s) => parse_moment(s, desk.rules.offset).map_err(|e| anyhow!("--at: {e}")),
        None => Ok(now(desk)),
    }
}

/// `--as-of` of a reading command, or now.
pub fn as_of(desk: &Desk, r: &ReadOpts) -> Result<Moment> {
    match &r.as_of {
        Some(s) => parse_moment(s, desk.rules.offset).map_err(|e| anyhow!("--as-of: {e}")),
        None => Ok(now(desk)),
    }
}

/// `--by`, else `$PLAINT_USER` (read by clap), else the OS user.
pub fn actor(w: &WriteOpts) -> Result<String> {
    let name =
        w.by.clone()
            .or_else(|| std::env::var("USER").ok())
            .or_else(|| std::env::var("USERNAME").ok())
            .unwrap_or_default();
    let name = name.trim().to_string();
    if name.is_empty() {
        return Err(anyhow!(
            "who is doing this? give --by NAME or set PLAINT_USER"
        ));
    }
    Ok(name)
}

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
    crate::report::period::choose(&c, as_of).map_err(|e| anyhow!("{e}"))
}

/// Where figures came from, printed with every report and penalty list.
pub fn provenance(desk: &Desk, as_of: Moment) -> crate::report::render::Provenance {
    crate::report::render::Provenance {
        rules_path: desk.rules_source.describe(),
        rules_sha256: desk.rules_sha256.chars().take(12).collect(),
        as_of,
    }
}
