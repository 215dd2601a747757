//! plaint's core: values, the ticket, the rulebook and its judging, and the report's figures.
//!
//! Everything here is a function of (rulebook, tickets, time): no file system, environment,
//! clock or printing. The `plaint` crate reads and writes desks, talks to git, imports sheets
//! and renders what people read; it depends on this crate, never the other way round, so
//! Cargo itself refuses a rule that would reach up into the desk or the command line.
//!
//! Layers, bottom up: `time`, `money` and `yaml` (values and the one place YAML is read and
//! written); `ticket` (the intake facts and the append-only events, folded into a state);
//! `rules` (the rulebook, and grading, deadlines, fines, admission of steps, settlements,
//! reminders); `report` (the §10 figures of judged tickets).

pub mod money;
pub mod report;
pub mod rules;
pub mod ticket;
pub mod time;
pub mod yaml;
