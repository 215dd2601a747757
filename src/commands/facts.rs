//! Intake facts as the command line gives them: the core's check, its refusals said as the
//! options they are about.

use crate::rules::Rules;
pub use crate::rules::intake::split_list;
use crate::rules::intake::{Intake, check};
use crate::ticket::Facts;

/// Resolves and checks every fact given; all problems at once, each naming its option.
pub fn check_facts(rules: &Rules, a: &Intake) -> Result<Facts, Vec<String>> {
    check(rules, a).map_err(|ps| {
        ps.into_iter()
            .map(|(option, e)| format!("--{option}: {e}"))
            .collect()
    })
}
