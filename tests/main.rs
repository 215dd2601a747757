//! plaint's integration tests, in one test binary: each module of `suite` drives the real
//! `plaint` binary over temporary desks through the helpers in `common`; `format` checks
//! plaint's ticket writer against both of its YAML readers.

mod common;

mod suite {
    mod cache;
    mod calendar;
    mod corrections;
    mod deadlines;
    mod desk;
    mod due;
    mod examples;
    mod format;
    mod git;
    mod grading;
    mod import;
    mod lifecycle;
    mod report;
    mod robust;
    mod rulebook;
    mod shell;
    mod snapshots;
    mod terminal;
}
