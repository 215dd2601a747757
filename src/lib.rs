//! plaint: a customer-complaint desk over plain files.
//!
//! The domain (rulebook, calendar, grading, deadlines, penalties, report figures) is pure and
//! lives in `rules`, `ticket` and friends; reading and writing the desk is in `desk`; the
//! command line and output formatting are at the edges in `cli`, `commands` and `output`.

pub mod cli;
pub mod commands;
pub mod desk;
pub mod import;
pub mod mail;
pub mod output;
pub mod par;
pub mod report;

// The core crate's layers, under the names the rest of plaint uses for them.
pub use plaint_core::{money, rules, ticket, time, yaml};

/// Runs plaint with the process arguments and returns the exit status (SPEC §8): 0 success,
/// 1 an error, a refusal or a problem found, 2 a usage error. The one way out: every command
/// ends in an `Outcome` or an error, and only this function turns them into a status.
pub fn run() -> std::process::ExitCode {
    use clap::Parser;
    use std::process::ExitCode;
    let args = match arguments() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {}", output::clip(&e));
            return ExitCode::from(1);
        }
    };
    let args = hoist(args);
    // Help lists the rulebook's codes; reading the rulebook is left to help alone.
    let wants_help = args
        .iter()
        .skip(1)
        .any(|a| a == "--help" || a == "-h" || a == "help");
    let parsed = if wants_help {
        commands::with_values(&args)
            .try_get_matches_from(args)
            .and_then(|m| <cli::Cli as clap::FromArgMatches>::from_arg_matches(&m))
    } else {
        cli::Cli::try_parse_from(args)
    };
    let cli = match parsed {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match commands::dispatch(cli) {
        Ok(outcome) => outcome.into(),
        Err(e) => {
            let usage = e.downcast_ref::<commands::Usage>().is_some();
            for line in format!("error: {e:#}").lines() {
                eprintln!("{}", output::clip(line));
            }
            if usage {
                eprintln!("\nFor more information, try '--help'.");
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

/// The process arguments, refused when one carries a control character other than a newline
/// or a tab (an escape sequence pasted into a subject would otherwise be stored, and shown
/// to the next person who reads the ticket). Windows line ends become plain newlines.
fn arguments() -> Result<Vec<std::ffi::OsString>, String> {
    let mut out = Vec::new();
    for (i, a) in std::env::args_os().enumerate() {
        let Some(s) = a.to_str() else {
            out.push(a);
            continue;
        };
        let s = s.replace("\r\n", "\n");
        if i > 0
            && let Some(c) = ticket::unprintable(&s)
        {
            return Err(format!(
                "argument {i} ({}) contains the control character U+{:04X}; plaint keeps text printable (newlines and tabs are fine)",
                output::visible(&s),
                c as u32
            ));
        }
        out.push(s.into());
    }
    Ok(out)
}

/// Options that belong to the commands (`--by`, `--at`, `--as-of`, `--format`) given before
/// the command's name are moved after it, so that `plaint --as-of 2026-11-20 report ...`
/// means what `plaint report ... --as-of 2026-11-20` means. A command that does not take
/// the option still refuses it, by name.
fn hoist(args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    const MOVED: [&str; 4] = ["--by", "--at", "--as-of", "--format"];
    const GLOBAL_WITH_VALUE: [&str; 3] = ["--desk", "--rules", "--color"];
    let mut front = Vec::new();
    let mut moved = Vec::new();
    let mut rest = args.into_iter();
    front.extend(rest.next());
    let mut tail: Vec<std::ffi::OsString> = Vec::new();
    while let Some(a) = rest.next() {
        let Some(s) = a.to_str().map(str::to_string) else {
            tail.push(a);
            break;
        };
        if !s.starts_with('-') || s == "--" {
            tail.push(a);
            break;
        }
        let name = s.split('=').next().unwrap_or_default();
        let takes_value = !s.contains('=');
        if MOVED.contains(&name) {
            moved.push(a);
            if takes_value {
                moved.extend(rest.next());
            }
        } else {
            front.push(a);
            if GLOBAL_WITH_VALUE.contains(&name) && takes_value {
                front.extend(rest.next());
            }
        }
    }
    tail.extend(rest);
    let at = tail.iter().position(|a| a == "--").unwrap_or(tail.len());
    let after = tail.split_off(at);
    front.extend(tail);
    front.extend(moved);
    front.extend(after);
    front
}

#[cfg(test)]
mod tests {
    use super::hoist;

    fn h(args: &[&str]) -> Vec<String> {
        hoist(args.iter().map(|a| a.into()).collect())
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect()
    }

    #[test]
    fn command_options_before_the_command_move_after_it() {
        assert_eq!(
            h(&[
                "plaint",
                "--as-of",
                "2026-11-20",
                "--desk",
                "d",
                "report",
                "--month",
                "2026-11"
            ]),
            [
                "plaint",
                "--desk",
                "d",
                "report",
                "--month",
                "2026-11",
                "--as-of",
                "2026-11-20"
            ]
        );
        assert_eq!(
            h(&["plaint", "--by=王芳", "-q", "close", "X", "--", "-y"]),
            ["plaint", "-q", "close", "X", "--by=王芳", "--", "-y"]
        );
        assert_eq!(h(&["plaint", "list"]), ["plaint", "list"]);
    }
}
