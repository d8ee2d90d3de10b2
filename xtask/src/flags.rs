//! The command line of `cargo xtask`, declared with xflags (`cargo xtask help` prints it).

use std::path::PathBuf;

xflags::xflags! {
    /// cargo xtask <command>: the ics-reseller repo's chores.
    cmd xtask {
        /// This text (also `-h`, `--help`, or no command at all).
        cmd help {}
        /// Write schema/ from the core's types.
        cmd codegen {
            /// Only name stale files (what CI runs); write nothing.
            optional --check
        }
        /// What CI runs: install missing tools, fmt, clippy, tests, codegen --check, spec
        /// checks and the other suites (`--list` names the steps).
        cmd test {
            /// Run only the steps whose names start with STEP (repeatable; `a,b` also works).
            repeated --only step: String
            /// List the steps and exit.
            optional --list
        }
        /// Only the spec checks (openapi-spec-validator, redocly, swagger-parser, ajv).
        cmd check-spec {
            /// The OpenAPI document (default schema/openapi.json).
            optional --openapi file: PathBuf
            /// The JSON Schemas folder (default schema/json; schema/wire beside it too).
            optional --schemas dir: PathBuf
        }
        /// Run a cargo-fuzz target on nightly; prints executions and crashes.
        cmd fuzz {
            /// Seconds of fuzzing (default 60).
            optional --seconds n: u64
            /// The target (default decode).
            optional --target name: String
        }
        /// Build the WebAssembly npm package into pkg/ (release, wasm-bindgen, wasm-opt -Oz).
        cmd build-wasm {}
        /// Build the package, serve the storefront (www/) through ics-gateway in front of
        /// the sandbox.
        cmd demo {
            /// The gateway's port (default 8080; 0 picks a free one).
            optional --port port: u16
        }
        /// The package next to openapi-fetch, Ajv and zod clients in headless Chromium
        /// (bytes, decode and call ratios, first answer); ics-gateway vs direct calls.
        cmd bench {}
    }
}

impl Xtask {
    /// The help text (`cargo xtask help`, `-h`, `--help`).
    pub const HELP: &'static str = Self::HELP_;
}
