//! Checks in JavaScript, generated from the JSON Schemas: the npm package's fast path.
//!
//! [`source`] writes one plain JS function per response body type (and `ErrorBody`) that
//! first turns the common PHP forms of a field into the documented form in place
//! (`php_form`: numbers as plain decimal strings, `1`/`0` booleans, comma lists, `null`
//! strings and lists), then checks the value `JSON.parse` produced against the documented
//! STRICT form, as
//! [`crate::spec::json_schemas`] describes it: required fields present, `typeof` string or
//! boolean, `Number.isSafeInteger` (and the schema's bounds) for integers, arrays and nested
//! objects recursively, optional fields `null`, absent or of their type. Unknown fields are
//! allowed and kept where the schema says `additionalProperties: true` (the core keeps them
//! in `extra`); where it does not, the core drops them, so the check refuses them.
//!
//! A check that passes also fills what the core's serialization would add, so the value is
//! exactly what the slow path (core decode, then serialization) yields: an absent field with
//! a `default` gets it, and a `null` optional field without one (serialized only when set)
//! is deleted. Anything else (the rarer lenient forms, `error` bodies, other statuses) is
//! left to the core. The package's `js/decode.js` runs these checks; the package's test
//! `crates/ics-reseller-wasm/tests/jscheck.rs` runs them in Node against the core's decode
//! over a corpus.

use crate::spec::{json_schemas, GENERATED};
use crate::Error;
use ics_reseller::actions::{Action, ActionKind};
use ics_reseller::types::ErrorBody;
use schemars::JsonSchema;
use serde_json::{Map, Value};
use std::fmt::Write;

/// A JS string literal (JSON's escaping is valid JS).
fn lit(s: &str) -> String {
    Value::String(s.to_owned()).to_string()
}

/// The JS function name of a schema name.
fn fn_name(schema_name: &str) -> String {
    format!("check{schema_name}")
}

/// The JS boolean expression checking `x` against `schema` (not an object schema: those are
/// `$ref`s to their own function). A schema form the core's types do not produce is an
/// [`Error`].
fn expr(schema: &Value, x: &str, owner: &str) -> Result<String, Error> {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap_or_default();
        return Ok(format!("{}({x})", fn_name(name)));
    }
    if let Some(Value::Array(values)) = schema.get("enum") {
        let parts: Vec<String> = values.iter().map(|v| format!("{x} === {v}")).collect();
        return Ok(format!("({})", parts.join(" || ")));
    }
    if let Some(Value::Array(any)) = schema.get("anyOf") {
        // A plain string next to string enums is any string.
        let plain = any
            .iter()
            .any(|s| s.get("enum").is_none() && s.get("type") == Some(&"string".into()));
        if plain && any.iter().all(|s| s.get("type") == Some(&"string".into())) {
            return Ok(format!("typeof {x} === \"string\""));
        }
        let parts: Vec<String> = any.iter().map(|s| expr(s, x, owner)).collect::<Result<_, _>>()?;
        return Ok(format!("({})", parts.join(" || ")));
    }
    match schema.get("type") {
        Some(Value::String(t)) => scalar(t, schema, x, owner),
        Some(Value::Array(types)) => {
            let parts: Vec<String> = types
                .iter()
                .filter_map(Value::as_str)
                .map(|t| scalar(t, schema, x, owner))
                .collect::<Result<_, _>>()?;
            Ok(format!("({})", parts.join(" || ")))
        }
        _ => Err(Error(format!("jscheck: unsupported schema in {owner}: {schema}"))),
    }
}

fn scalar(t: &str, schema: &Value, x: &str, owner: &str) -> Result<String, Error> {
    Ok(match t {
        "string" => format!("typeof {x} === \"string\""),
        "boolean" => format!("typeof {x} === \"boolean\""),
        "null" => format!("{x} === null"),
        "integer" => {
            // Beyond 2^53 JSON.parse rounds: the core reads such a number exactly, so the
            // check leaves it to the core.
            let mut e = format!("Number.isSafeInteger({x})");
            if let Some(min) = schema.get("minimum").and_then(Value::as_i64) {
                let _ = write!(e, " && {x} >= {min}");
            }
            if let Some(max) = schema.get("maximum").and_then(Value::as_i64) {
                let _ = write!(e, " && {x} <= {max}");
            }
            if e.contains("&&") {
                format!("({e})")
            } else {
                e
            }
        }
        "array" => {
            let items = schema
                .get("items")
                .ok_or_else(|| Error(format!("jscheck: array without items in {owner}")))?;
            let f = match items.get("$ref").and_then(Value::as_str) {
                Some(r) => fn_name(r.rsplit('/').next().unwrap_or_default()),
                None => format!("(y) => {}", expr(items, "y", owner)?),
            };
            format!("checkArray({x}, {f})")
        }
        _ => return Err(Error(format!("jscheck: unsupported type {t:?} in {owner}"))),
    })
}

/// The JS statement that turns the common PHP form of a field (`x`, member `key` of `v`)
/// into its documented form in place, or `None` when its type has none the fast path takes.
/// One rule per type, the subset of the core's lenient readers ([`ics_reseller::lenient`])
/// that needs no judgement (jscheck.rs in the package's tests holds both to each other):
/// - an integer sent as a plain decimal string (`"20000"`, no sign but `-`, no leading zero,
///   no blank) becomes that number; `""` is absent for an optional one;
/// - a boolean sent as `1`/`0`, `"1"`/`"0"` or `"true"`/`"false"` becomes `true`/`false`;
/// - a list of strings sent as comma-separated printable ASCII (and tabs) becomes its trimmed, non-empty
///   items, and `null` the empty list; a list of objects sent as `null` or `""` is empty;
/// - a string sent as `null` becomes `""`.
///
/// Every other form (whole decimals, words, numbers for strings, PHP objects for lists,
/// blanks around numbers) leaves the value as it was: the check that follows refuses it and
/// the core reads it.
fn php_form(schema: &Value, key: &str) -> Option<String> {
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => return None,
    };
    let nullable = types.contains(&"null");
    let base: Vec<&str> = types.into_iter().filter(|t| *t != "null").collect();
    let [base] = base[..] else { return None };
    Some(match base {
        "integer" => format!("if (typeof x === \"string\") x = v[{key}] = phpInt(x, {nullable});"),
        "boolean" => format!("if (typeof x !== \"boolean\" && x != null) x = v[{key}] = phpBool(x);"),
        "string" if !nullable => format!("if (x === null) x = v[{key}] = \"\";"),
        "array" if !nullable => {
            let items = schema.get("items")?;
            if items.get("type") == Some(&Value::from("string")) {
                format!(
                    "if (x === null) x = v[{key}] = [];\n    \
                     else if (typeof x === \"string\") x = v[{key}] = phpList(x);"
                )
            } else if items.get("$ref").is_some() {
                format!("if (x === null || x === \"\") x = v[{key}] = [];")
            } else {
                return None;
            }
        }
        _ => return None,
    })
}

/// The helpers [`php_form`]'s statements call, once at the top of the generated checks.
const PHP_HELPERS: &str = r#"  // The common PHP forms (see php_form in crates/ics-codegen/src/jscheck.rs); any other
  // value is returned as it was, for the check to refuse.
  function phpInt(x, nullable) {
    if (x === "" && nullable) return null;
    return /^(0|-?[1-9][0-9]*)$/.test(x) ? +x : x;
  }

  function phpBool(x) {
    if (x === 1 || x === "1" || x === "true") return true;
    if (x === 0 || x === "0" || x === "false") return false;
    return x;
  }

  function phpList(x) {
    if (!/^[\t\x20-\x7e]*$/.test(x)) return x;
    const out = [];
    for (const s of x.split(",")) {
      const t = s.trim();
      if (t !== "") out.push(t);
    }
    return out;
  }

"#;

/// One `function checkNAME(v)` for an object schema.
fn object_fn(out: &mut String, name: &str, schema: &Value) -> Result<(), Error> {
    if schema.get("type") != Some(&Value::from("object")) {
        return Err(Error(format!("jscheck: {name} is not an object schema")));
    }
    let empty = Map::new();
    let props = schema
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let _ = writeln!(out, "  function {}(v) {{", fn_name(name));
    out.push_str("    if (typeof v !== \"object\" || v === null || Array.isArray(v)) return false;\n");
    out.push_str("    let x;\n");
    for (field, fs) in props {
        let key = lit(field);
        let check = expr(fs, "x", name)?;
        let _ = writeln!(out, "    x = v[{key}];");
        if let Some(php) = php_form(fs, &key) {
            let _ = writeln!(out, "    {php}");
        }
        if required.contains(&field.as_str()) {
            let _ = writeln!(out, "    if (!({check})) return false;");
        } else if let Some(default) = fs.get("default") {
            // The core fills the default and always serializes the field.
            let _ = writeln!(
                out,
                "    if (x === undefined) v[{key}] = {default};\n    else if (!({check})) return false;"
            );
        } else {
            // Optional without a default: serialized only when set, so `null` disappears.
            let _ = writeln!(
                out,
                "    if (x === null) delete v[{key}];\n    else if (x !== undefined && !({check})) return false;"
            );
        }
    }
    if schema.get("additionalProperties") != Some(&Value::Bool(true)) {
        // The core drops unknown fields of this type: only bodies without any are strict.
        let known: Vec<String> = props.keys().map(|k| format!("k !== {}", lit(k))).collect();
        let cond = if known.is_empty() {
            "true".to_owned()
        } else {
            known.join(" && ")
        };
        let _ = writeln!(out, "    for (const k in v) if ({cond}) return false;");
    }
    out.push_str("    return true;\n  }\n\n");
    Ok(())
}

/// The generated JS, as written to [`crate::layout::JSCHECK`]: a script fragment (no
/// `import`/`export`) that defines `fastChecks`, `{ actions: { NAME: check, … }, ErrorBody:
/// check }`. The package concatenates it before `js/decode.js`.
pub fn source() -> Result<String, Error> {
    let mut wanted: Vec<String> = ActionKind::ALL
        .iter()
        .map(|&k| ics_reseller::with_action!(k, A => <<A as Action>::Response as JsonSchema>::schema_name().into_owned()))
        .collect();
    wanted.push(<ErrorBody as JsonSchema>::schema_name().into_owned());

    let mut out = format!("// {GENERATED}.\n");
    out.push_str(
        "// Checks of JSON.parse output against the documented form of each response body, from\n\
         // the core's JSON Schemas (crates/ics-codegen/src/jscheck.rs), after the common PHP forms\n\
         // are turned into it. A check that passes fills defaults as the core's serialization\n\
         // would; anything it refuses goes to the core.\n\n",
    );
    out.push_str("const fastChecks = (() => {\n");
    out.push_str(
        "  function checkArray(x, f) {\n    if (!Array.isArray(x)) return false;\n    \
         for (let i = 0; i < x.length; i++) if (!f(x[i])) return false;\n    return true;\n  }\n\n",
    );
    out.push_str(PHP_HELPERS);
    let mut seen: Vec<String> = Vec::new();
    for (name, schema) in json_schemas() {
        if !wanted.contains(&name) {
            continue;
        }
        let mut todo = vec![(name.clone(), schema.clone())];
        if let Some(defs) = schema.get("$defs").and_then(Value::as_object) {
            for (n, s) in defs {
                // Named non-object schemas (TxStatus) are inlined where used.
                if s.get("type") == Some(&Value::from("object")) {
                    todo.push((n.clone(), s.clone()));
                }
            }
        }
        for (n, s) in todo {
            if !seen.contains(&n) {
                object_fn(&mut out, &n, &s)?;
                seen.push(n);
            }
        }
    }
    // `$ref`s to non-object definitions: a function per definition, from the schema itself.
    let mut defs_fns = String::new();
    for (name, schema) in json_schemas() {
        if !wanted.contains(&name) {
            continue;
        }
        if let Some(defs) = schema.get("$defs").and_then(Value::as_object) {
            for (n, s) in defs {
                if s.get("type") != Some(&Value::from("object")) && !seen.contains(n) {
                    let _ = writeln!(
                        defs_fns,
                        "  function {}(x) {{\n    return {};\n  }}\n",
                        fn_name(n),
                        expr(s, "x", n)?
                    );
                    seen.push(n.clone());
                }
            }
        }
    }
    out.push_str(&defs_fns);
    out.push_str("  return {\n    actions: {\n");
    for &kind in ActionKind::ALL {
        let resp = ics_reseller::with_action!(kind, A => <<A as Action>::Response as JsonSchema>::schema_name().into_owned());
        let _ = writeln!(out, "      {}: {},", kind.name(), fn_name(&resp));
    }
    let _ = writeln!(
        out,
        "    }},\n    ErrorBody: {},\n  }};\n}})();",
        fn_name(&<ErrorBody as JsonSchema>::schema_name())
    );
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_check_per_action_and_the_error_body() {
        let s = super::source().unwrap();
        for &k in ics_reseller::ActionKind::ALL {
            assert!(s.contains(&format!("      {}: check", k.name())), "{}", k.name());
        }
        assert!(s.contains("function checkProduct(v)"));
        assert!(s.contains("ErrorBody: checkErrorBody,"));
        // StatusSummary keeps no unknown fields in the core.
        assert!(s.contains("for (const k in v) if (k !== \"count\" && k !== \"total\") return false;"));
    }
}
