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
    // The key scrubber on the same bytes, through a client that holds a key (errors are
    // scrubbed and their snippet cut again), and on its own.
    if let (Ok(key), Ok(config)) = (
        crate::http::ApiKey::new("sk_\\/%u"),
        crate::http::Config::new("http://h", None),
    ) {
        let client = crate::http::Client::new(crate::http::Config {
            api_key: Some(key),
            ..config
        });
        ok += usize::from(
            client
                .decode::<crate::actions::CreateTransaction>(status, None, body)
                .is_ok(),
        );
    }
    let _ = crate::http::scrub_bytes(body, "u0");
    ok
}
