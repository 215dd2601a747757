//! Reading events: every field any kind may carry, parsed in one pass, then checked
//! against the kind. Reports read every event of the desk, so this is on the hot path.

use super::*;
use serde::de::Error as _;

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Kind {
    Amend,
    Classify,
    Assign,
    Forward,
    Respond,
    Plan,
    Close,
    Callback,
    Reopen,
    Escalate,
    Delay,
    Violation,
    Step,
    Void,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvent {
    at: Moment,
    by: String,
    kind: Kind,
    project: Option<String>,
    name: Option<String>,
    phone: Option<String>,
    unit: Option<String>,
    subject: Option<String>,
    description: Option<String>,
    request: Option<String>,
    channel: Option<String>,
    received_by: Option<String>,
    headcount: Option<u32>,
    flags: Option<Vec<String>>,
    compensation: Option<Money>,
    target: Option<String>,
    #[serde(rename = "type")]
    type_: Option<String>,
    #[serde(rename = "ref")]
    ext_ref: Option<String>,
    reason: Option<String>,
    valid: Option<bool>,
    invalid_reason: Option<String>,
    category: Option<String>,
    grade: Option<String>,
    department: Option<String>,
    handler: Option<String>,
    cooperating: Option<Vec<String>>,
    note: Option<String>,
    action: Option<String>,
    start: Option<Moment>,
    finish: Option<Moment>,
    cost: Option<Money>,
    property_confirmed: Option<bool>,
    timeliness: Option<u8>,
    plan: Option<u8>,
    attitude: Option<u8>,
    acknowledged: Option<bool>,
    visited: Option<bool>,
    comment: Option<String>,
    approved_by: Option<String>,
    rule: Option<String>,
    person: Option<String>,
    event: Option<usize>,
    role: Option<String>,
    step: Option<String>,
    entered_at: Option<Moment>,
    source: Option<String>,
    entered_by: Option<String>,
}

/// Fails when a field is present that the event's kind does not have.
macro_rules! only {
    ($raw:ident, $kind:literal, [$($allowed:ident),*]) => {{
        let present: &[(&str, bool)] = &[
            ("project", $raw.project.is_some()), ("name", $raw.name.is_some()),
            ("phone", $raw.phone.is_some()), ("unit", $raw.unit.is_some()),
            ("subject", $raw.subject.is_some()), ("description", $raw.description.is_some()),
            ("request", $raw.request.is_some()), ("channel", $raw.channel.is_some()),
            ("received_by", $raw.received_by.is_some()), ("headcount", $raw.headcount.is_some()),
            ("flags", $raw.flags.is_some()), ("compensation", $raw.compensation.is_some()),
            ("target", $raw.target.is_some()), ("type_", $raw.type_.is_some()),
            ("ext_ref", $raw.ext_ref.is_some()), ("reason", $raw.reason.is_some()),
            ("valid", $raw.valid.is_some()), ("invalid_reason", $raw.invalid_reason.is_some()),
            ("category", $raw.category.is_some()), ("grade", $raw.grade.is_some()),
            ("department", $raw.department.is_some()), ("handler", $raw.handler.is_some()),
            ("cooperating", $raw.cooperating.is_some()), ("note", $raw.note.is_some()),
            ("action", $raw.action.is_some()), ("start", $raw.start.is_some()),
            ("finish", $raw.finish.is_some()), ("cost", $raw.cost.is_some()),
            ("property_confirmed", $raw.property_confirmed.is_some()),
            ("timeliness", $raw.timeliness.is_some()), ("plan", $raw.plan.is_some()),
            ("attitude", $raw.attitude.is_some()), ("acknowledged", $raw.acknowledged.is_some()),
            ("visited", $raw.visited.is_some()), ("comment", $raw.comment.is_some()),
            ("approved_by", $raw.approved_by.is_some()), ("rule", $raw.rule.is_some()),
            ("person", $raw.person.is_some()), ("event", $raw.event.is_some()),
            ("role", $raw.role.is_some()), ("step", $raw.step.is_some()),
        ];
        let allowed: &[&str] = &[$(stringify!($allowed)),*];
        if let Some((f, _)) = present.iter().find(|(f, on)| *on && !allowed.contains(f)) {
            let shown = match *f { "type_" => "type", "ext_ref" => "ref", other => other };
            return Err(format!("a {} event has no field `{shown}`", $kind));
        }
    }};
}

fn need<T>(v: Option<T>, kind: &str, field: &str) -> Result<T, String> {
    v.ok_or_else(|| format!("a {kind} event needs `{field}`"))
}

impl RawEvent {
    fn into_event(self) -> Result<Event, String> {
        let r = self;
        let action = match r.kind {
            Kind::Amend => {
                only!(
                    r,
                    "amend",
                    [
                        project,
                        name,
                        phone,
                        unit,
                        subject,
                        description,
                        request,
                        channel,
                        received_by,
                        headcount,
                        flags,
                        compensation,
                        target,
                        type_,
                        ext_ref,
                        reason
                    ]
                );
                Action::Amend(Box::new(Facts {
                    project: r.project,
                    name: r.name,
                    phone: r.phone,
                    unit: r.unit,
                    subject: r.subject,
                    description: r.description,
                    request: r.request,
                    channel: r.channel,
                    received_by: r.received_by,
                    headcount: r.headcount,
                    flags: r.flags,
                    compensation: r.compensation,
                    target: r.target,
                    type_: r.type_,
                    ext_ref: r.ext_ref,
                    reason: r.reason,
                }))
            }
            Kind::Classify => {
                only!(
                    r,
                    "classify",
                    [
                        valid,
                        invalid_reason,
                        type_,
                        category,
                        target,
                        headcount,
                        flags,
                        compensation,
                        grade,
                        reason
                    ]
                );
                Action::Classify(Box::new(Classify {
                    valid: r.valid,
                    invalid_reason: r.invalid_reason,
                    type_: r.type_,
                    category: r.category,
                    target: r.target,
                    headcount: r.headcount,
                    flags: r.flags,
                    compensation: r.compensation,
                    grade: r.grade,
                    reason: r.reason,
                }))
            }
            Kind::Assign => {
                only!(r, "assign", [department, handler, cooperating]);
                Action::Assign(Box::new(Assign {
                    department: r.department,
                    handler: r.handler,
                    cooperating: r.cooperating.unwrap_or_default(),
                }))
            }
            Kind::Forward => {
                only!(r, "forward", [note]);
                Action::Forward(Note { note: r.note })
            }
            Kind::Respond => {
                only!(r, "respond", [note]);
                Action::Respond(Note { note: r.note })
            }
            Kind::Plan => {
                only!(r, "plan", [action, start, finish, cost, note]);
                Action::Plan(Box::new(Plan {
                    action: need(r.action, "plan", "action")?,
                    start: r.start,
                    finish: r.finish,
                    cost: r.cost,
                    note: r.note,
                }))
            }
            Kind::Close => {
                only!(r, "close", [reason, property_confirmed, note]);
                Action::Close(Close {
                    reason: need(r.reason, "close", "reason")?,
                    property_confirmed: r.property_confirmed.unwrap_or(false),
                    note: r.note,
                })
            }
            Kind::Callback => {
                only!(
                    r,
                    "callback",
                    [timeliness, plan, attitude, acknowledged, visited, comment]
                );
                Action::Callback(Box::new(Callback {
                    timeliness: need(r.timeliness, "callback", "timeliness")?,
                    plan: need(r.plan, "callback", "plan")?,
                    attitude: need(r.attitude, "callback", "attitude")?,
                    acknowledged: r.acknowledged,
                    visited: r.visited,
                    comment: r.comment,
                }))
            }
            Kind::Reopen => {
                only!(r, "reopen", [reason]);
                Action::Reopen(Reason {
                    reason: need(r.reason, "reopen", "reason")?,
                    department: None,
                })
            }
            Kind::Escalate => {
                only!(r, "escalate", [reason, department]);
                Action::Escalate(Reason {
                    reason: need(r.reason, "escalate", "reason")?,
                    department: r.department,
                })
            }
            Kind::Delay => {
                only!(r, "delay", [reason, approved_by, role]);
                Action::Delay(Delay {
                    reason: need(r.reason, "delay", "reason")?,
                    approved_by: need(r.approved_by, "delay", "approved_by")?,
                    role: r.role,
                })
            }
            Kind::Violation => {
                only!(r, "violation", [rule, person, department]);
                Action::Violation(Violation {
                    rule: need(r.rule, "violation", "rule")?,
                    person: need(r.person, "violation", "person")?,
                    department: need(r.department, "violation", "department")?,
                })
            }
            Kind::Step => {
                only!(r, "step", [step, role, approved_by, note]);
                Action::Step(Box::new(StepDone {
                    step: need(r.step, "step", "step")?,
                    role: r.role,
                    approved_by: r.approved_by,
                    note: r.note,
                }))
            }
            Kind::Void => {
                only!(r, "void", [event, reason]);
                let event = need(r.event, "void", "event")?;
                if event == 0 {
                    return Err("a void event names an event by its number, from 1".into());
                }
                Action::Void(Void {
                    event,
                    reason: need(r.reason, "void", "reason")?,
                })
            }
        };
        Ok(Event {
            at: r.at,
            by: r.by,
            action,
            entered_at: r.entered_at,
            source: r.source,
            entered_by: r.entered_by,
        })
    }
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        RawEvent::deserialize(d)?
            .into_event()
            .map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<Event>, String> {
        crate::yaml::from_str(text).map_err(|e| e.message)
    }

    #[test]
    fn every_kind_round_trips() {
        let text = "\
- at: 2026-11-02T10:00:00+08:00
  by: 王芳
  kind: amend
  phone: '139'
  reason: 更正
- at: 2026-11-02T10:00:00+08:00
  by: 王芳
  kind: classify
  valid: false
  invalid_reason: suggestion
- at: 2026-11-02T10:00:00+08:00
  by: 王芳
  kind: plan
  action: repair
  finish: 2026-11-20T23:59:59+08:00
  cost: '12.5'
- at: 2026-11-02T10:00:00+08:00
  by: 王芳
  kind: callback
  timeliness: 9
  plan: 8
  attitude: 7
- at: 2026-11-02T10:00:00+08:00
  by: 王芳
  kind: violation
  rule: first-ask
  person: 小李
  department: property
";
        let events = parse(text).unwrap();
        assert_eq!(events.len(), 5);
        let back = crate::yaml::to_string(&events).unwrap();
        assert_eq!(back, text);
    }

    #[test]
    fn a_field_of_another_kind_is_refused() {
        let e = parse("- at: 2026-11-02T10:00:00+08:00\n  by: x\n  kind: forward\n  handler: y\n")
            .unwrap_err();
        assert!(e.contains("a forward event has no field `handler`"), "{e}");
        let e = parse("- at: 2026-11-02T10:00:00+08:00\n  by: x\n  kind: close\n").unwrap_err();
        assert!(e.contains("a close event needs `reason`"), "{e}");
        let e = parse("- at: 2026-11-02T10:00:00+08:00\n  by: x\n  kind: sing\n").unwrap_err();
        assert!(e.contains("unknown variant `sing`"), "{e}");
    }
}
