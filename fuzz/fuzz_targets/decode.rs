//! Fuzz target `decode`: arbitrary (status, body) pairs through every action's decoder.
//!
//! Input layout: the first two bytes are the HTTP status (big-endian `u16`), the rest is
//! the response body. Seeds live in `fuzz/seeds/decode/` as `<status>-<name>.<ext>`.
//! The core must never panic on any input (DESIGN.md invariant 2).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (status, body) = match data {
        [hi, lo, body @ ..] => (u16::from_be_bytes([*hi, *lo]), body),
        _ => (200, data),
    };
    ics_reseller::fuzzing::decode_every_action(status, body);
});
