//! Property tests: no input makes a decoder or a validator panic, and encode/decode agree.

use ics_reseller::*;
use proptest::prelude::*;
use serde_json::Value;

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null)),
        "[a-z0-9 ]{0,8}".prop_map(Value::String),
        prop_oneof![
            Just("1"),
            Just("0"),
            Just("20000"),
            Just("success"),
            Just("pending"),
            Just("")
        ]
        .prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        let keys = prop_oneof![
            Just("success".to_owned()),
            Just("error".to_owned()),
            Just("data".to_owned()),
            Just("status".to_owned()),
            Just("refid".to_owned()),
            Just("saldo".to_owned()),
            Just("ready".to_owned()),
            Just("harga".to_owned()),
            "[a-z_]{1,10}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(keys, inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn decoders_survive_arbitrary_bytes(status in any::<u16>(), body in prop::collection::vec(any::<u8>(), 0..512)) {
        ics_reseller::fuzzing::decode_every_action(status, &body);
    }

    #[test]
    fn decoders_survive_arbitrary_json(status in prop_oneof![Just(200u16), Just(404), Just(500), any::<u16>()], v in arb_json()) {
        let body = serde_json::to_vec(&v).unwrap();
        ics_reseller::fuzzing::decode_every_action(status, &body);
    }

    #[test]
    fn phone_normalisation_is_total_and_idempotent(s in "\\PC{0,24}") {
        if let Ok(p) = normalize_phone(&s) {
            prop_assert!(p.number.starts_with("08"));
            prop_assert_eq!(normalize_phone(&p.number).unwrap(), p);
        }
    }

    #[test]
    fn valid_numbers_in_every_form_normalise_alike(rest in "[1-35-9][0-9]{7,10}") {
        let national = format!("8{rest}");
        let expected = format!("0{national}");
        for form in [format!("0{national}"), format!("62{national}"), format!("+62 {national}"), national.clone()] {
            prop_assert_eq!(normalize_phone(&form).unwrap().number, expected.clone());
        }
    }

    #[test]
    fn generated_refids_are_valid_and_sortable(t1 in 0u64..(1 << 48), t2 in 0u64..(1 << 48), r1 in any::<[u8; 10]>(), r2 in any::<[u8; 10]>()) {
        let a = new_refid(t1, r1);
        let b = new_refid(t2, r2);
        prop_assert!(ics_reseller::validate::validate_refid(&a).is_ok());
        if t1 < t2 { prop_assert!(a < b); }
        prop_assert_eq!(ics_reseller::refid::refid_time(&a), Some(t1));
    }

    #[test]
    fn encode_never_panics(refid in "\\PC{0,80}", phone in "\\PC{0,20}", code in "\\PC{0,10}", page in any::<u32>(), limit in any::<u32>()) {
        let c = Client::new(Config::new("http://127.0.0.1:1", None).unwrap());
        let _ = c.encode::<actions::CreateTransaction>(CreateTransactionRequest { kode_produk: code, nomor_tujuan: phone, refid: refid.clone() });
        let _ = c.encode::<actions::CheckTransaction>(RefIdRequest { refid });
        let _ = c.encode::<actions::GetHistory>(GetHistoryRequest { page: Some(page), limit: Some(limit), status: None });
    }
}

/// An error a read can end with: a network failure, or an HTTP status with or without
/// `Retry-After` (any status, so retryable and final ones both occur).
fn arb_error() -> impl Strategy<Value = Error> {
    prop_oneof![
        Just(Error::Network {
            message: "reset".into()
        }),
        (any::<u16>(), prop::option::of(any::<u64>())).prop_map(|(status, retry_after_ms)| {
            Error::HttpStatus {
                status,
                retry_after_ms,
                snippet: String::new(),
            }
        }),
    ]
}

fn arb_policy() -> impl Strategy<Value = RetryPolicy> {
    (
        0u32..12,
        prop_oneof![0u64..10_000, any::<u64>()],
        prop_oneof![0u64..100_000, any::<u64>()],
    )
        .prop_map(|(max_retries, base_delay_ms, max_delay_ms)| RetryPolicy {
            max_retries,
            base_delay_ms,
            max_delay_ms,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(5000))]

    /// Every delay is what retry.rs documents: none for a write, past the last retry or
    /// after a final error; the server's `Retry-After` capped at `MAX_RETRY_AFTER_MS`;
    /// otherwise equal jitter, within `[c/2, c]` for `c = min(base · 2^attempt, max)`, for
    /// any `random` (NaN, infinities and values outside `[0, 1)` included).
    #[test]
    fn retry_delay_within_documented_bounds(
        p in arb_policy(),
        attempt in 0u32..40,
        e in arb_error(),
        write in any::<bool>(),
        random in prop_oneof![0.0f64..1.0, any::<f64>(), Just(f64::NAN), Just(1.0), Just(-0.0)],
    ) {
        let d = p.delay_ms(attempt, &e, write, random);
        if write || attempt >= p.max_retries || !e.retryable() {
            prop_assert_eq!(d, None);
        } else if let Some(ra) = e.retry_after_ms() {
            prop_assert_eq!(d, Some(ra.min(ics_reseller::retry::MAX_RETRY_AFTER_MS)));
        } else {
            let c = p.base_delay_ms.saturating_mul(1u64 << attempt.min(30)).min(p.max_delay_ms);
            let d = d.unwrap();
            prop_assert!(c / 2 <= d && d <= c, "{} not in [{}, {}]", d, c / 2, c);
            prop_assert!(d <= p.max_delay_ms);
        }
    }

    /// The jitter uses its whole range: `random` 0 gives the lower bound and values near 1
    /// the upper, and a larger `random` never waits less.
    #[test]
    fn retry_jitter_is_monotonic_in_random(p in arb_policy(), attempt in 0u32..12, a in 0.0f64..1.0, b in 0.0f64..1.0) {
        let net = Error::Network { message: "reset".into() };
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        prop_assert!(p.delay_ms(attempt, &net, false, lo) <= p.delay_ms(attempt, &net, false, hi));
        if attempt < p.max_retries {
            let c = p.base_delay_ms.saturating_mul(1u64 << attempt.min(30)).min(p.max_delay_ms);
            prop_assert_eq!(p.delay_ms(attempt, &net, false, 0.0), Some(c / 2));
            prop_assert_eq!(p.delay_ms(attempt, &net, false, 1.0), Some(c));
        }
    }
}

/// JSON-ish text: fragments of valid JSON, escapes (surrogates included), numbers at the
/// edges, whitespace and stray bytes, so both sides see valid and invalid text alike.
fn arb_jsonish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("{".to_owned()),
        Just("}".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just(",".to_owned()),
        Just(":".to_owned()),
        Just("\"".to_owned()),
        Just("\"a\"".to_owned()),
        Just("\\".to_owned()),
        Just("\\u".to_owned()),
        Just("\\ud83d\\ude00".to_owned()),
        Just("\\ud800".to_owned()),
        Just("\\udc00".to_owned()),
        Just("\\n\\t\\/\\\"".to_owned()),
        Just("-0".to_owned()),
        Just("0".to_owned()),
        Just("01".to_owned()),
        Just("1.".to_owned()),
        Just("1e".to_owned()),
        Just("1E+2".to_owned()),
        Just("-1.5e-7".to_owned()),
        Just("18446744073709551615".to_owned()),
        Just("18446744073709551616".to_owned()),
        Just("-9223372036854775808".to_owned()),
        Just("-9223372036854775809".to_owned()),
        Just("1e400".to_owned()),
        Just("true".to_owned()),
        Just("nul".to_owned()),
        Just("null".to_owned()),
        Just(" \t\r\n".to_owned()),
        Just("\u{1}".to_owned()),
        Just("é€😀".to_owned()),
        "[a-z0-9]{0,4}",
    ];
    prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(5000))]

    /// The core's own JSON parser (what the npm package reads bodies with) takes what
    /// serde_json takes, to the same value, and refuses what it refuses.
    #[test]
    fn from_json_agrees_with_serde_json_on_values(v in arb_json(), pretty in any::<bool>()) {
        let text = if pretty { serde_json::to_string_pretty(&v).unwrap() } else { v.to_string() };
        let ours = value::Value::from_json(&text);
        prop_assert!(ours.as_ref().is_ok_and(|o| *o == v), "{text}: {ours:?}");
    }

    #[test]
    fn from_json_agrees_with_serde_json_on_any_text(text in arb_jsonish()) {
        let theirs = serde_json::from_str::<Value>(&text);
        let ours = value::Value::from_json(&text);
        match (&ours, &theirs) {
            (Ok(o), Ok(t)) => prop_assert!(o == t, "{text:?}: {o:?} vs {t:?}"),
            (Err(_), Err(_)) => {}
            _ => prop_assert!(false, "{text:?}: ours {ours:?}, serde_json {theirs:?}"),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// A string is written as serde_json writes it (escapes, control characters, any
    /// Unicode), and read back to itself.
    #[test]
    fn strings_write_and_read_as_serde_json(s in "(\\PC|[\u{0}-\u{1f}\"\\\\/]){0,24}") {
        let ours = value::Value::String(s.clone()).to_json();
        prop_assert_eq!(&ours, &serde_json::to_string(&s).unwrap());
        prop_assert_eq!(value::Value::from_json(&ours), Ok(value::Value::String(s)));
    }
}

#[test]
fn from_json_refuses_deep_nesting_without_overflowing() {
    let deep = "[".repeat(100_000);
    assert!(value::Value::from_json(&deep).is_err());
    let ok = format!("{}{}", "[".repeat(127), "]".repeat(127));
    assert!(value::Value::from_json(&ok).is_ok());
}
