//! Integration tests of the core crate, one binary (dropshot's layout): the API.md examples,
//! encode/decode tables, the PHP quirks, and property tests over the decoders.

mod decode;
mod encode;
mod examples;
mod props;
mod quirks;
mod scrub;
