//! Help and completion scripts that know the desk: every coded option lists the rulebook's
//! codes with their Chinese labels, and completion offers the desk's projects and IDs.

use super::{Ctx, desk_dir};
use crate::cli::Cli;
use crate::desk::Desk;
use std::path::PathBuf;

/// The command line with the values a shell can offer: the rulebook's codes and labels
/// (the desk's rulebook, else the built-in one) for every coded option, and the desk's
/// ticket IDs for the ID argument, as they are when the script is made.
pub(super) fn completing(ctx: &Ctx) -> clap::Command {
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
