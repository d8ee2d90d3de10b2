//! The API key never survives in an error, in any spelling: planted at every offset of
//! bodies of every kind, in every escape form (raw, `\u005f`-style for any character,
//! `\/`, percent-encoded, mixed), straddling the 300-byte snippet cut.

use ics_reseller::actions::*;
use ics_reseller::*;
use proptest::prelude::*;

/// How one character of the key is written in the body.
#[derive(Clone, Copy, Debug)]
enum Form {
    Raw,
    ULower,
    UUpper,
    Percent,
    Solidus,
}

const FORMS: [Form; 5] = [
    Form::Raw,
    Form::ULower,
    Form::UUpper,
    Form::Percent,
    Form::Solidus,
];

fn spell(key: &str, forms: &[Form]) -> String {
    key.chars()
        .zip(forms.iter().cycle())
        .map(|(c, f)| match f {
            Form::Raw => c.to_string(),
            Form::ULower => format!("\\u{:04x}", c as u32),
            Form::UUpper => format!("\\u{:04X}", c as u32),
            Form::Percent => format!("%{:02X}", c as u32),
            Form::Solidus if c == '/' => "\\/".to_owned(),
            Form::Solidus => c.to_string(),
        })
        .collect()
}

/// Undoes every escape the test plants (twice: escapes of escapes), so a key that survived
/// in any form shows raw.
fn unescape(s: &str) -> String {
    let mut s = s.to_owned();
    for _ in 0..3 {
        let b = s.as_bytes();
        let mut out = String::with_capacity(s.len());
        let mut i = 0;
        while i < b.len() {
            let hex = |r: std::ops::Range<usize>| {
                s.get(r)
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .and_then(char::from_u32)
            };
            if b[i] == b'\\' && b.get(i + 1) == Some(&b'u') {
                if let Some(c) = hex(i + 2..i + 6) {
                    out.push(c);
                    i += 6;
                    continue;
                }
            }
            if b[i] == b'\\' && matches!(b.get(i + 1), Some(b'/' | b'"' | b'\\')) {
                out.push(b[i + 1] as char);
                i += 2;
                continue;
            }
            if b[i] == b'%' {
                if let Some(c) = hex(i + 1..i + 3) {
                    out.push(c);
                    i += 3;
                    continue;
                }
            }
            let c = s[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
        s = out;
    }
    s
}

/// Every text the error carries, as the developer (or a log) could see it.
fn texts(e: &Error) -> Vec<String> {
    let mut out = vec![e.to_string(), format!("{e:?}")];
    if let Some(r) = e.refid() {
        out.push(r.to_owned());
    }
    if let Some(p) = e.path() {
        out.push(p.to_owned());
    }
    if let Error::Rejected { body, .. } = e {
        out.push(serde_json::to_string(body).unwrap());
    }
    out
}

/// Fails when any 3 consecutive characters of the key appear in any text of `e`.
fn assert_scrubbed(e: &Error, key: &str, body: &str) {
    for t in texts(e) {
        let raw = unescape(&t);
        for w in key.as_bytes().windows(3) {
            let w = std::str::from_utf8(w).unwrap();
            assert!(
                !raw.contains(w),
                "key fragment {w:?} survived in {t:?}\nbody: {body:?}"
            );
        }
    }
}

fn bodies(spelled: &str, filler: usize) -> Vec<(u16, String)> {
    let pad = ".".repeat(filler);
    vec![
        // an HTML page that echoes the key: decode error (200) and HTTP status error (502)
        (200, format!("<html>{pad}{spelled}{pad}</html>")),
        (502, format!("<html>{pad}{spelled}</html>")),
        // an error body that echoes it in error, refid, and an extra field
        (
            400,
            format!(
                r#"{{"error":"{pad}key {spelled}","refid":"{spelled}","echo":{{"{spelled}":["{spelled}"]}}}}"#
            ),
        ),
        (404, format!(r#"{{"error":"{pad}{spelled}"}}"#)),
        // a success shape whose bad field holds it (serde quotes the value in its message)
        (
            200,
            format!(
                r#"{{"success":true,"data":{{"kodereseller":"R","nama":"{pad}","nomor":"1","email":"e","saldo":"{spelled}","verif":true}}}}"#
            ),
        ),
        (
            200,
            format!(
                r#"{{"success":true,"data":{{"kodereseller":"R","nama":"{pad}","nomor":"1","email":"e","saldo":1,"verif":true}},"{spelled}":1,"error":"x"}}"#
            ),
        ),
    ]
}

fn check_all(key: &str, spelled: &str, filler: usize) {
    let client = Client::new(Config::new("http://h", Some(ApiKey::new(key).unwrap())).unwrap());
    for (status, body) in bodies(spelled, filler) {
        let e = client
            .decode::<GetProfile>(status, None, body.as_bytes())
            .expect_err("every planted body is an error");
        assert_scrubbed(&e, key, &body);
        // a MaybeCommitted wrapping it, with the key in the refid too
        let wrapped = client.redact(Error::MaybeCommitted {
            refid: key.to_owned(),
            cause: Box::new(e),
        });
        assert_scrubbed(&wrapped, key, &body);
    }
}

#[test]
fn the_key_at_every_offset_in_every_form() {
    let key = "QZX_J/K-VWQ_Z";
    for filler in 0..=320 {
        for form in FORMS {
            check_all(key, &spell(key, &[form]), filler);
        }
        check_all(key, &spell(key, &FORMS), filler);
    }
}

#[test]
fn a_key_of_stars_is_scrubbed_too() {
    let client = Client::new(Config::new("http://h", Some(ApiKey::new("**").unwrap())).unwrap());
    let e = client.decode::<Ping>(502, None, b"a ** b").unwrap_err();
    assert!(!e.to_string().contains("**"), "{e}");
}

#[test]
fn scrub_replaces_whole_spellings_only() {
    assert_eq!(http::scrub("a K_1 b", "K_1"), "a *** b");
    assert_eq!(http::scrub(r"a K\u005f1 b K\u005F1", "K_1"), "a *** b ***");
    assert_eq!(http::scrub(r"a K\\u005f1", "K_1"), "a ***");
    assert_eq!(http::scrub("a K%5f1 %4B_1", "K_1"), "a *** ***");
    assert_eq!(http::scrub(r"a\/b a/b", "a/b"), "*** ***");
    assert_eq!(http::scrub(r"K\u{5f}1 K\x5f1", "K_1"), "*** ***");
    assert_eq!(http::scrub("K_2 K_", "K_1"), "K_2 K_");
    assert_eq!(http::scrub("", "K_1"), "");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn random_keys_in_random_mixes_never_survive(
        key in "[QZXJKVW][QZXJKVW_/-]{7,40}",
        forms in prop::collection::vec(0usize..5, 1..8),
        filler in 0usize..400,
    ) {
        let forms: Vec<Form> = forms.into_iter().map(|i| FORMS[i]).collect();
        check_all(&key, &spell(&key, &forms), filler);
    }
}
