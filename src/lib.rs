//! plaint: a customer-complaint desk over plain files.
//!
//! The domain (rulebook, calendar, grading, deadlines, penalties, report figures) is pure and
//! lives in `rules`, `ticket` and friends; reading and writing the desk is in `desk`; the
//! command line and output formatting are at the edges in `cli`, `commands` and `output`.

pub mod cli;
pub mod commands;
pub mod desk;
pub mod import;
pub mod money;
pub mod output;
pub mod report;
pub mod rules;
pub mod ticket;
pub mod time;
pub mod yaml;

/// Runs plaint with the process arguments and returns the exit status (SPEC §8):
/// 0 success, 1 an error or a refusal, 2 a usage error.
pub fn run() -> i32 {
    use clap::Parser;
    let cli = match cli::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    match commands::dispatch(cli) {
        Ok(code) => code,
        Err(e) => {
            let usage = e.downcast_ref::<commands::Usage>().is_some();
            for line in format!("error: {e:#}").lines() {
                eprintln!("{}", output::clip(line));
            }
            if usage {
                eprintln!("\nFor more information, try '--help'.");
                2
            } else {
                1
            }
        }
    }
}
