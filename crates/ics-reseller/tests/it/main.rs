//! Integration tests of the core crate, one binary (dropshot's layout): the API.md examples,
//! encode/decode tables, codegen freshness, and property tests over the decoders.

mod codegen;
mod decode;
mod encode;
mod examples;
mod jscheck;
mod props;
mod quirks;
mod scrub;
