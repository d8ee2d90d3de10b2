//! TypeScript declarations derived from the JSON Schemas and the actions table.
//!
//! [`declarations`] renders one interface per body (from [`crate::spec::json_schemas`]),
//! the `ErrorCode` and `ActionName` unions, and the `ResellerActions` interface with one
//! method per action. The npm package (`crates/ics-reseller-wasm`) concatenates it with its
//! hand-written declarations, which define the names this fragment leaves open:
//! `CallOptions`, `OrderOptions`, `CheckOptions`, `CreateTransactionParams` and
//! `PlacedOrder`.

use crate::spec::{json_schemas, GENERATED};
use ics_reseller::actions::{Action, ActionKind};
use ics_reseller::error::ErrorCode;
use serde_json::Value;

/// The TypeScript type of a JSON Schema (the subset schemars emits for the core's types).
fn ts_type(schema: &Value) -> String {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        return r.rsplit('/').next().unwrap_or("unknown").to_owned();
    }
    if let Some(c) = schema.get("const") {
        return c.to_string();
    }
    if let Some(Value::Array(values)) = schema.get("enum") {
        return values
            .iter()
            .map(Value::to_string)
            .collect::<Vec<_>>()
            .join(" | ");
    }
    if let Some(Value::Array(any)) = schema.get("anyOf").or_else(|| schema.get("oneOf")) {
        let has_enum = any.iter().any(|s| s.get("enum").is_some());
        let parts: Vec<String> = any
            .iter()
            .map(|s| {
                // An open string next to an enum keeps the enum's completions.
                if has_enum && s.get("enum").is_none() && s.get("type") == Some(&"string".into()) {
                    "(string & {})".to_owned()
                } else {
                    ts_type(s)
                }
            })
            .collect();
        return parts.join(" | ");
    }
    match schema.get("type") {
        Some(Value::String(t)) => scalar(t, schema),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .map(|t| scalar(t, schema))
            .collect::<Vec<_>>()
            .join(" | "),
        _ => "unknown".to_owned(),
    }
}

fn scalar(t: &str, schema: &Value) -> String {
    match t {
        "string" => "string".into(),
        "integer" | "number" => "number".into(),
        "boolean" => "boolean".into(),
        "null" => "null".into(),
        "array" => {
            let item = schema.get("items").map_or_else(|| "unknown".into(), ts_type);
            if item.contains(' ') {
                format!("Array<{item}>")
            } else {
                format!("{item}[]")
            }
        }
        "object" => "Record<string, unknown>".into(),
        _ => "unknown".into(),
    }
}

fn doc(out: &mut String, indent: &str, text: Option<&str>) {
    let Some(text) = text else { return };
    let text = text.replace("*/", "*\\/");
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() == 1 {
        out.push_str(&format!("{indent}/** {} */\n", lines[0]));
    } else {
        out.push_str(&format!("{indent}/**\n"));
        for l in lines {
            out.push_str(&format!("{indent} * {l}\n").replace(" \n", "\n"));
        }
        out.push_str(&format!("{indent} */\n"));
    }
}

/// Writes one declaration. `output`: a body the client returns, where a field with a
/// `default` is always present (the client hands out the normalised, serialized value).
fn interface(out: &mut String, name: &str, schema: &Value, output: bool) {
    doc(out, "", schema.get("description").and_then(Value::as_str));
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        out.push_str(&format!("export type {name} = {};\n\n", ts_type(schema)));
        return;
    };
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    out.push_str(&format!("export interface {name} {{\n"));
    for (field, fs) in props {
        doc(out, "  ", fs.get("description").and_then(Value::as_str));
        let present = required.contains(&field.as_str()) || (output && fs.get("default").is_some());
        let optional = if present { "" } else { "?" };
        out.push_str(&format!("  {field}{optional}: {};\n", ts_type(fs)));
    }
    if schema.get("additionalProperties") == Some(&Value::Bool(true)) {
        out.push_str("  /** Fields the server added that this version does not know, kept as sent. */\n");
        out.push_str("  [field: string]: unknown;\n");
    }
    out.push_str("}\n\n");
}

/// Whether a request type has no required field (the JS parameter is then optional).
fn all_optional(schema: &Value) -> bool {
    schema
        .get("required")
        .and_then(Value::as_array)
        .is_none_or(|r| r.is_empty())
}

/// The declarations file, as written to [`crate::layout::TYPESCRIPT`].
pub fn declarations() -> String {
    let mut out = format!("// {GENERATED}.\n");
    out.push_str(
        "// A fragment: the package's index.d.ts is this file followed by crates/ics-reseller-wasm/js/index.d.ts.\n\n",
    );

    let codes: Vec<String> = ErrorCode::ALL
        .iter()
        .map(|c| format!("\"{}\"", c.as_str()))
        .collect();
    out.push_str("/** Every `code` a `ResellerError` can carry (the core's error taxonomy). */\n");
    out.push_str(&format!("export type ErrorCode = {};\n\n", codes.join(" | ")));
    let names: Vec<String> = ActionKind::ALL
        .iter()
        .map(|k| format!("\"{}\"", k.name()))
        .collect();
    out.push_str("/** The wire name of every action. */\n");
    out.push_str(&format!("export type ActionName = {};\n\n", names.join(" | ")));

    let schemas = json_schemas();
    let requests: Vec<String> = ActionKind::ALL
        .iter()
        .map(|&k| {
            ics_reseller::with_action!(k, A => <<A as Action>::Request as schemars::JsonSchema>::schema_name().into_owned())
        })
        .collect();
    let mut seen: Vec<String> = Vec::new();
    for (name, schema) in &schemas {
        let mut todo = vec![(name.clone(), schema.clone())];
        if let Some(defs) = schema.get("$defs").and_then(Value::as_object) {
            todo.extend(defs.iter().map(|(n, s)| (n.clone(), s.clone())));
        }
        for (n, s) in todo {
            if !seen.contains(&n) {
                interface(&mut out, &n, &s, !requests.contains(&n));
                seen.push(n);
            }
        }
    }

    out.push_str("/** One method per action of the core's table. */\n");
    out.push_str("export interface ResellerActions {\n");
    for &kind in ActionKind::ALL {
        let (name, summary, req, resp) = ics_reseller::with_action!(kind, A => (
            A::NAME,
            A::SUMMARY,
            <<A as Action>::Request as schemars::JsonSchema>::schema_name().into_owned(),
            <<A as Action>::Response as schemars::JsonSchema>::schema_name().into_owned(),
        ));
        let req_schema = schemas.iter().find(|(n, _)| *n == req).map(|(_, s)| s);
        let (params, resp) = match kind {
            ActionKind::CreateTransaction => (
                Some(("CreateTransactionParams".to_owned(), false)),
                "PlacedOrder".to_owned(),
            ),
            _ => (req_schema.map(|s| (req.clone(), all_optional(s))), resp),
        };
        // The order's token travels with its creation and its checks (ics-gateway).
        let options = match kind {
            ActionKind::CreateTransaction => "OrderOptions",
            ActionKind::CheckTransaction => "CheckOptions",
            _ => "CallOptions",
        };
        doc(&mut out, "  ", Some(summary));
        let params = match params {
            Some((t, true)) => format!("params?: {t}, "),
            Some((t, false)) => format!("params: {t}, "),
            None => String::new(),
        };
        out.push_str(&format!(
            "  {name}({params}options?: {options}): Promise<{resp}>;\n"
        ));
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_and_code_is_declared() {
        let d = declarations();
        for &k in ActionKind::ALL {
            assert!(d.contains(&format!("  {}(", k.name())), "{}", k.name());
        }
        for c in ErrorCode::ALL {
            assert!(d.contains(&format!("\"{}\"", c.as_str())));
        }
        assert!(d.contains("export interface Product {"));
        assert!(d.contains("status?: TxStatus | null;"));
        assert!(d.contains(
            "export type TxStatus = \"success\" | \"pending\" | \"failed\" | \"unpaid\" | (string & {});"
        ));
        assert!(!d.contains("unknown;\n}\n\nexport interface CreateTransactionRequest"));
        assert!(d.contains("  checkTransaction(params: RefIdRequest, options?: CheckOptions): "));
        assert!(d.contains("  createTransaction(params: CreateTransactionParams, options?: OrderOptions): "));
    }
}
