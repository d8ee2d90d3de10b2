//! Entry points for fuzzers and property tests: every decoder on arbitrary input.

use crate::actions::ActionKind;

/// Runs every action's decoder (and the webhook parser) on one (status, body) pair.
/// Returns how many decodes succeeded; it must never panic.
pub fn decode_every_action(status: u16, body: &[u8]) -> usize {
    let mut ok = 0;
    for &kind in ActionKind::ALL {
        let r = crate::with_action!(kind, A => crate::http::decode::<A>(status, Some("1"), body).is_ok());
        ok += usize::from(r);
    }
    ok += usize::from(crate::webhook::parse_webhook(body).is_ok());
    ok
}
