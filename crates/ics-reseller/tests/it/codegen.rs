//! The committed `schema/` matches what the types generate, byte for byte.

use std::path::Path;

#[test]
fn committed_schema_is_fresh() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let files = ics_reseller::spec::generated_files();
    let mut stale = Vec::new();
    for (path, contents) in &files {
        match std::fs::read_to_string(root.join(path)) {
            Ok(on_disk) if on_disk == *contents => {}
            Ok(_) => stale.push(format!("{} differs", path.display())),
            Err(_) => stale.push(format!("{} is missing", path.display())),
        }
    }
    let expected: std::collections::BTreeSet<_> = files.iter().map(|(p, _)| p.clone()).collect();
    for entry in std::fs::read_dir(root.join("schema/json"))
        .into_iter()
        .flatten()
        .flatten()
    {
        let rel = Path::new("schema/json").join(entry.file_name());
        if !expected.contains(&rel) {
            stale.push(format!("{} is not generated any more", rel.display()));
        }
    }
    assert!(
        stale.is_empty(),
        "schema/ is stale; run `cargo xtask codegen`:\n{}",
        stale.join("\n")
    );
}

#[test]
fn every_action_is_in_the_spec() {
    let doc = ics_reseller::spec::openapi();
    for &kind in ics_reseller::ActionKind::ALL {
        let item = &doc["paths"][format!("/{}/..", kind.name())];
        let op = &item[kind.method().as_str().to_lowercase()];
        assert_eq!(op["operationId"], kind.name());
        assert_eq!(op["parameters"][0]["schema"]["const"], kind.name());
    }
    assert_eq!(
        doc["paths"].as_object().unwrap().len(),
        ics_reseller::ActionKind::ALL.len()
    );
}

#[test]
fn generated_files_carry_the_marker() {
    for (path, contents) in ics_reseller::spec::generated_files() {
        assert!(
            contents.contains(ics_reseller::spec::GENERATED),
            "{}",
            path.display()
        );
    }
}
