//! The committed example desk is exactly what examples/build-desk.sh makes today.

use std::collections::BTreeMap;
use std::path::Path;

fn files(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                // The desk's state directory is not part of the record.
                if !p.ends_with(".plaint") {
                    stack.push(p);
                }
            } else if !p.ends_with(".plaint.lock") {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

#[test]
fn the_example_desk_has_not_drifted_from_its_script() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let desk = out.path().join("desk");
    let status = std::process::Command::new("bash")
        .arg(root.join("examples/build-desk.sh"))
        .arg(&desk)
        .env("PLAINT", assert_cmd::cargo::cargo_bin("plaint"))
        .status()
        .unwrap();
    assert!(status.success());
    let built = files(&desk);
    let committed = files(&root.join("examples/desk"));
    assert_eq!(
        built.keys().collect::<Vec<_>>(),
        committed.keys().collect::<Vec<_>>(),
        "run examples/build-desk.sh and commit examples/desk"
    );
    for (k, v) in &built {
        assert!(
            committed[k] == *v,
            "examples/desk/{k} differs from what examples/build-desk.sh makes; rebuild and commit it"
        );
    }
    assert!(built.len() > 12);
}

#[test]
fn the_example_desk_checks_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    crate::common::plaint()
        .arg("--desk")
        .arg(root.join("examples/desk"))
        .arg("check")
        .assert()
        .success();
}
