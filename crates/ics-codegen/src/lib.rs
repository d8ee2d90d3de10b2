//! The generators of the SDK, out of the core: everything `cargo xtask codegen` writes,
//! derived from the core's types (with its `schema` feature) and its actions table.
//!
//! - [`spec`]: JSON Schema 2020-12 per body (`schema/json/`), their wire forms
//!   (`schema/wire/`) and the OpenAPI 3.1.0 document (`schema/openapi.json`).
//! - [`typescript`]: the npm package's TypeScript declarations from the same schemas.
//! - [`jscheck`]: the npm package's strict JS checks (its decode fast path) from the same
//!   schemas.
//! - [`layout`]: where each file goes; [`generated_files`]: every file with its contents.
//!
//! Only xtask (and tests) use this crate; the core, the wasm package and the servers do not
//! link it. A generator that meets a schema form it cannot write returns an [`Error`].

#![warn(missing_docs)]

use std::fmt;
use std::path::PathBuf;

pub mod jscheck;
pub mod spec;
pub mod typescript;

/// Where `cargo xtask codegen` writes each generated file, relative to the repository root.
/// The one place that knows the file layout.
pub mod layout {
    /// The OpenAPI document.
    pub const OPENAPI: &str = "schema/openapi.json";
    /// One JSON Schema per body, `<Type>.schema.json`; every `*.json` here is generated.
    pub const JSON_SCHEMAS: &str = "schema/json";
    /// The wire form of every answer's schema, `<Type>.schema.json`.
    pub const WIRE_SCHEMAS: &str = "schema/wire";
    /// The npm package's generated TypeScript declarations ([`crate::typescript`]).
    pub const TYPESCRIPT: &str = "crates/ics-reseller-wasm/js/types.generated.d.ts";
    /// The npm package's generated strict checks ([`crate::jscheck`]).
    pub const JSCHECK: &str = "crates/ics-reseller-wasm/js/check.generated.js";
}

/// A generator met a schema form it cannot write (a type the core gained that the
/// generator does not know yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// Every file `cargo xtask codegen` writes, with paths relative to the repository root.
pub fn generated_files() -> Result<Vec<(PathBuf, String)>, Error> {
    let mut out = vec![(PathBuf::from(layout::OPENAPI), spec::render(&spec::openapi()))];
    for (name, schema) in spec::json_schemas() {
        out.push((
            PathBuf::from(format!("{}/{name}.schema.json", layout::JSON_SCHEMAS)),
            spec::render(&schema),
        ));
    }
    for (name, schema) in spec::wire_schemas() {
        out.push((
            PathBuf::from(format!("{}/{name}.schema.json", layout::WIRE_SCHEMAS)),
            spec::render(&schema),
        ));
    }
    out.push((PathBuf::from(layout::TYPESCRIPT), typescript::declarations()));
    out.push((PathBuf::from(layout::JSCHECK), jscheck::source()?));
    Ok(out)
}
