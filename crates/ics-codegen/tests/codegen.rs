//! The committed generated files (`schema/`, the npm package's `*.generated.*`) match what
//! the types generate, byte for byte; and the spec suits generators.

use std::path::Path;

#[test]
fn committed_schema_is_fresh() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let files = ics_codegen::generated_files().unwrap();
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
    let doc = ics_codegen::spec::openapi();
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
    for (path, contents) in ics_codegen::generated_files().unwrap() {
        assert!(
            contents.contains(ics_codegen::spec::GENERATED),
            "{}",
            path.display()
        );
    }
}

/// What generated clients and schemathesis need (tests/clients, issue 6): every format is a
/// registered one, lists go on the wire as one string, every operation documents 400, and
/// an empty optional query parameter is allowed (the API reads it as absent).
const MAX_SAFE: i64 = (1 << 53) - 1;

#[test]
fn the_spec_suits_generators() {
    fn formats(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                if let Some(f) = m.get("format").and_then(|f| f.as_str()) {
                    out.push(f.to_owned());
                }
                m.values().for_each(|v| formats(v, out));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| formats(v, out)),
            _ => {}
        }
    }
    let doc = ics_codegen::spec::openapi();
    let mut found = Vec::new();
    formats(&doc, &mut found);
    for (_, schema) in ics_codegen::spec::json_schemas() {
        formats(&schema, &mut found);
    }
    // No integer format: `int64` becomes a zod `bigint` that no JSON parser yields; the
    // bounds are written out instead, within what a JS number holds exactly.
    assert_eq!(found, Vec::<String>::new(), "formats in the spec");

    let history = &doc["components"]["schemas"]["GetHistoryResponse"]["properties"]["page"];
    assert_eq!(
        (&history["type"], &history["minimum"], &history["maximum"]),
        (&"integer".into(), &0.into(), &u32::MAX.into())
    );
    let saldo = &doc["components"]["schemas"]["Profile"]["properties"]["saldo"];
    assert_eq!(
        (&saldo["minimum"], &saldo["maximum"]),
        (&(-MAX_SAFE).into(), &MAX_SAFE.into())
    );
    // every named schema has a title (generators name their types after it)
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        assert_eq!(schema["title"], name.as_str(), "{name}");
    }
    for (name, schema) in ics_codegen::spec::json_schemas() {
        assert_eq!(schema["title"], name.as_str());
        for (def, s) in schema["$defs"].as_object().into_iter().flatten() {
            assert_eq!(s["title"], def.as_str(), "{name} {def}");
        }
    }
    // one security scheme, the header; the query form is only described
    assert_eq!(doc["security"], serde_json::json!([{"X-API-Key": []}]));
    let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
    assert_eq!(schemes.keys().collect::<Vec<_>>(), ["X-API-Key"]);
    assert_eq!(schemes["X-API-Key"]["in"], "header");
    assert!(doc["info"]["description"]
        .as_str()
        .unwrap()
        .contains("`apikey` query parameter"));
    assert!(!doc.to_string().contains(r#""in":"query","name":"apikey""#));
    let params = doc["paths"]["/getHistory/.."]["get"]["parameters"]
        .as_array()
        .unwrap();
    let page = params.iter().find(|p| p["name"] == "page").unwrap();
    assert_eq!(
        (&page["schema"]["minimum"], &page["schema"]["maximum"]),
        (&1.into(), &u32::MAX.into())
    );
    let limit = params.iter().find(|p| p["name"] == "limit").unwrap();
    assert_eq!(
        (&limit["schema"]["minimum"], &limit["schema"]["maximum"]),
        (&1.into(), &100.into())
    );

    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let at = format!("{method} {path}");
            assert_eq!(
                op["responses"]["400"]["content"]["application/json"]["schema"]["$ref"],
                "#/components/schemas/ErrorBody",
                "{at}"
            );
            for p in op["parameters"].as_array().unwrap() {
                assert_ne!(
                    p["schema"]["type"], "array",
                    "{at} {}: lists are one string",
                    p["name"]
                );
                let optional = p["required"] == false;
                assert_eq!(
                    p.get("allowEmptyValue") == Some(&true.into()),
                    optional,
                    "{at} {}",
                    p["name"]
                );
            }
        }
    }
    let providers = &doc["paths"]["/listProducts/.."]["get"]["parameters"][2];
    assert_eq!(
        (&providers["name"], &providers["schema"]),
        (&"providers".into(), &serde_json::json!({"type": "string"}))
    );
}
