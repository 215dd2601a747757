//! The rules that admit or refuse a step, in one place: `plaint close`, `plaint callback` and
//! `plaint assign` ask them, and so does `plaint import` for every spreadsheet row, so a
//! step one of them refuses the other refuses too, in the same words. Pure.
//!
//! A refusal names the field it is about (`Field`); the command line says it as an option
//! (`--comment`), import as the row's column.

use super::{AppliesTo, Rules};
use crate::rules::state::State;

/// What a refusal is about: an option of the command, a column of the sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Timeliness,
    PlanScore,
    Attitude,
    Comment,
    CloseReason,
    PropertyConfirmed,
    Department,
}

/// A step refused: on what, and why (a sentence that says how to put it right).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub field: Field,
    pub message: String,
}

impl Refusal {
    fn new(field: Field, message: String) -> Refusal {
        Refusal { field, message }
    }
}

/// A callback's three answers (timeliness, plan, attitude), each 0–10, and the comment the
/// rulebook's callback form requires when any is below its `reason_below` (§7.4: 6).
pub fn callback(
    rules: &Rules,
    scores: [i64; 3],
    comment: Option<&str>,
) -> Result<[u8; 3], Vec<Refusal>> {
    let fields = [Field::Timeliness, Field::PlanScore, Field::Attitude];
    let mut out = [0u8; 3];
    let mut refused = Vec::new();
    for ((v, field), slot) in scores.iter().zip(fields).zip(out.iter_mut()) {
        match u8::try_from(*v) {
            Ok(n) if n <= 10 => *slot = n,
            _ => refused.push(Refusal::new(
                field,
                format!("{v} is not a score; scores are 0 to 10"),
            )),
        }
    }
    if let Some(form) = &rules.book.callback_form
        && refused.is_empty()
        && scores.iter().any(|s| *s < i64::from(form.reason_below))
        && comment.is_none_or(|c| c.trim().is_empty())
    {
        refused.push(Refusal::new(
            Field::Comment,
            format!(
                "a score below {} needs the customer's reason (the callback form asks for it, §{})",
                form.reason_below, form.clause
            ),
        ));
    }
    if refused.is_empty() {
        Ok(out)
    } else {
        Err(refused)
    }
}

/// What a close is judged on.
#[derive(Debug, Clone, Copy)]
pub struct Closing<'a> {
    pub ticket: &'a str,
    pub valid: bool,
    pub category: &'a str,
    pub has_plan: bool,
    pub property_confirmed: bool,
}

/// Whether the close reason `code` (a code of the rulebook's close reasons) may close the
/// complaint (§3.6, §7.5): a reason for valid complaints on a valid one, for invalid on an
/// invalid one; the property company's written confirmation where the reason asks for it;
/// a definite plan on record where it needs one.
pub fn close(rules: &Rules, code: &str, c: &Closing) -> Result<(), Refusal> {
    let Some(reason) = rules.book.close_reasons.get(code) else {
        return Err(Refusal::new(
            Field::CloseReason,
            format!(
                "unknown close reason '{code}'; valid: {}",
                rules.close_reasons().choices()
            ),
        ));
    };
    let refuse = |field, message| Err(Refusal::new(field, message));
    match (reason.applies_to, c.valid) {
        (AppliesTo::Valid, false) => {
            return refuse(
                Field::CloseReason,
                format!(
                    "'{code}' ({}) closes valid complaints; {} is classified invalid: close it with {}",
                    reason.label,
                    c.ticket,
                    reasons_for(rules, AppliesTo::Invalid)
                ),
            );
        }
        (AppliesTo::Invalid, true) => {
            return refuse(
                Field::CloseReason,
                format!(
                    "'{code}' ({}) closes invalid complaints only; {} is valid: close it with {} (or classify it invalid first)",
                    reason.label,
                    c.ticket,
                    reasons_for(rules, AppliesTo::Valid)
                ),
            );
        }
        _ => {}
    }
    if reason
        .requires_property_confirmation
        .iter()
        .any(|x| x == c.category)
        && !c.property_confirmed
    {
        return refuse(
            Field::PropertyConfirmed,
            format!(
                "{} is a {} complaint: closing it '{code}' needs the property company's written confirmation (§7.5)",
                c.ticket,
                rules.categories().label(c.category)
            ),
        );
    }
    if reason.requires_plan && !c.has_plan {
        return refuse(
            Field::CloseReason,
            format!(
                "'{code}' ({}) needs a definite plan on record (§{}); record the plan first",
                reason.label, reason.clause
            ),
        );
    }
    Ok(())
}

/// The close reasons for valid (or invalid) complaints, as `code (label)`.
fn reasons_for(r: &Rules, which: AppliesTo) -> String {
    r.book
        .close_reasons
        .iter()
        .filter(|(_, c)| c.applies_to == which || c.applies_to == AppliesTo::Any)
        .map(|(k, c)| format!("{k} ({})", c.label))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The department an assignment gives the complaint when none is named: the one the fold
/// says is responsible now (after earlier assignments and escalations, else the type's
/// first responsible department, §4.1.2). A handler named alone joins the department that
/// has the complaint; it never sends it back to the type's department. A complaint whose
/// type leaves the department to customer service (§4.1.2.9) has none until one is named.
pub fn assigned_department(rules: &Rules, s: &State) -> Result<String, Refusal> {
    if let Some(d) = s.department {
        return Ok(d.to_string());
    }
    let ty = s.type_.unwrap_or(&rules.book.default_type);
    let (label, clause) = rules
        .type_rule(ty)
        .map_or((ty, ""), |r| (r.label.as_str(), r.clause.as_str()));
    Err(Refusal::new(
        Field::Department,
        format!(
            "type '{ty}' ({label}) has no first responsible department: customer service decides (§{clause}); name the department. Valid: {}",
            rules.departments().choices()
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_low_callback_score_needs_a_reason_7_4() {
        let r = Rules::builtin();
        assert_eq!(callback(&r, [9, 8, 9], None), Ok([9, 8, 9]));
        assert_eq!(callback(&r, [9, 6, 9], None), Ok([9, 6, 9]));
        let e = callback(&r, [9, 5, 9], None).unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].field, Field::Comment);
        assert_eq!(callback(&r, [9, 5, 9], Some("等太久")), Ok([9, 5, 9]));
        assert_eq!(
            callback(&r, [9, 5, 9], Some("  ")).unwrap_err()[0].field,
            Field::Comment
        );
        let e = callback(&r, [11, -1, 3], None).unwrap_err();
        assert_eq!(
            e.iter().map(|r| r.field).collect::<Vec<_>>(),
            vec![Field::Timeliness, Field::PlanScore]
        );
    }
}
