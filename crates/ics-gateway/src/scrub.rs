//! Cuts the upstream key out of anything bound for the browser, a log or a metric.
//!
//! Upstream text is never relayed raw (answers are decoded and re-serialised), but decoded
//! strings such as `error` or `message` may echo the key. [`Scrubber`] replaces, in every
//! string of a JSON value and again in the final bytes, the key in plain, JSON-escaped
//! (`\/`, `\u00xx`) and percent-encoded spellings, and any run of at least
//! [`MIN_PARTIAL`] consecutive characters of the key (a key cut at a boundary).

use ics_reseller::{CheckTransactionResponse, CreateTransactionResponse};
use serde_json::Value;

/// The shortest run of the key's characters that is cut out on its own.
pub const MIN_PARTIAL: usize = 8;

/// What replaces the key.
pub const MASK: &str = "***";

/// Scrubs one key.
#[derive(Clone)]
pub struct Scrubber {
    key: Vec<u8>,
    spellings: Vec<Vec<u8>>,
    /// Every run of `min(MIN_PARTIAL, key length)` bytes of the key.
    grams: std::collections::HashSet<Vec<u8>>,
}

impl std::fmt::Debug for Scrubber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Scrubber(***)")
    }
}

impl Scrubber {
    /// A scrubber for `key`.
    pub fn new(key: &str) -> Scrubber {
        let mut spellings = vec![key.as_bytes().to_vec()];
        let json = serde_json::to_string(key).unwrap_or_default();
        spellings.push(json.trim_matches('"').as_bytes().to_vec());
        spellings.push(key.replace('/', "\\/").into_bytes());
        let mut pct = String::new();
        ics_reseller::http::encode_component(key, &mut pct);
        spellings.push(pct.into_bytes());
        let mut all_pct = String::new();
        for b in key.bytes() {
            all_pct.push_str(&format!("%{b:02X}"));
        }
        spellings.push(all_pct.clone().into_bytes());
        spellings.push(all_pct.to_lowercase().into_bytes());
        let mut unicode = String::new();
        for b in key.bytes() {
            unicode.push_str(&format!("\\u{b:04x}"));
        }
        spellings.push(unicode.into_bytes());
        spellings.sort();
        spellings.dedup();
        spellings.retain(|s| !s.is_empty());
        let k = key.as_bytes();
        let min = MIN_PARTIAL.min(k.len()).max(1);
        let grams = k.windows(min).map(<[u8]>::to_vec).collect();
        Scrubber {
            key: k.to_vec(),
            spellings,
            grams,
        }
    }

    /// `text` with every spelling and every long-enough fragment of the key masked.
    pub fn bytes(&self, text: &[u8]) -> Vec<u8> {
        let mut out = text.to_vec();
        for s in &self.spellings {
            out = replace_all(&out, s);
        }
        self.partials(&out)
    }

    /// [`Scrubber::bytes`] for a string.
    pub fn text(&self, text: &str) -> String {
        String::from_utf8_lossy(&self.bytes(text.as_bytes())).into_owned()
    }

    /// Scrubs every string (and key) of a JSON value in place.
    pub fn value(&self, v: &mut Value) {
        match v {
            Value::String(s) if self.dirty(s.as_bytes()) => *s = self.text(s),
            Value::Array(items) => items.iter_mut().for_each(|i| self.value(i)),
            Value::Object(map) => {
                let old = std::mem::take(map);
                for (k, mut val) in old {
                    self.value(&mut val);
                    let k = if self.dirty(k.as_bytes()) {
                        self.text(&k)
                    } else {
                        k
                    };
                    map.insert(k, val);
                }
            }
            _ => {}
        }
    }

    /// A createTransaction answer with its upstream texts (`message`, `supplier_trxid`)
    /// scrubbed, as it is written to the journal.
    pub fn create_answer(&self, mut r: CreateTransactionResponse) -> CreateTransactionResponse {
        self.string(&mut r.message);
        if let Some(s) = &mut r.supplier_trxid {
            self.string(s);
        }
        r
    }

    /// A checkTransaction answer with its upstream texts (`message`, `note`,
    /// `supplier_trxid`, `kodereseller`) scrubbed, as it is written to the journal.
    pub fn check_answer(&self, mut r: CheckTransactionResponse) -> CheckTransactionResponse {
        for s in [&mut r.message, &mut r.note, &mut r.supplier_trxid]
            .into_iter()
            .flatten()
        {
            self.string(s);
        }
        self.string(&mut r.kodereseller);
        r
    }

    fn string(&self, s: &mut String) {
        if self.dirty(s.as_bytes()) {
            *s = self.text(s);
        }
    }

    /// A CSV document with every cell scrubbed (the journal's export already defuses
    /// formulas: `ics_journal::backoffice::csv_cell`; a mask never starts one). Bytes that
    /// do not parse as CSV are scrubbed as a whole.
    pub fn csv(&self, doc: &[u8]) -> Vec<u8> {
        let safe = || -> Result<Vec<u8>, csv::Error> {
            let mut r = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(doc);
            let mut w = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
            for rec in r.byte_records() {
                let rec = rec?;
                let cells: Vec<Vec<u8>> = rec.iter().map(|c| self.bytes(c)).collect();
                w.write_record(&cells)?;
            }
            w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
        };
        safe().unwrap_or_else(|_| self.bytes(doc))
    }

    /// Whether `text` holds the key or a fragment of it.
    pub fn dirty(&self, text: &[u8]) -> bool {
        self.spellings.iter().any(|s| find(text, s).is_some()) || self.partials(text) != text
    }

    fn partials(&self, text: &[u8]) -> Vec<u8> {
        let min = MIN_PARTIAL.min(self.key.len());
        if min == 0 || text.len() < min {
            return text.to_vec();
        }
        // Every run of >= min bytes of the key is a chain of overlapping min-byte windows of
        // the key: mark each window of `text` found among them (a set lookup per byte).
        let mut covered = vec![false; text.len()];
        for i in 0..=text.len() - min {
            if self.grams.contains(&text[i..i + min]) {
                covered[i..i + min].iter_mut().for_each(|c| *c = true);
            }
        }
        if !covered.iter().any(|c| *c) {
            return text.to_vec();
        }
        let mut out = Vec::with_capacity(text.len());
        let mut i = 0;
        while i < text.len() {
            if covered[i] {
                out.extend_from_slice(MASK.as_bytes());
                while i < text.len() && covered[i] {
                    i += 1;
                }
            } else {
                out.push(text[i]);
                i += 1;
            }
        }
        out
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

fn replace_all(hay: &[u8], needle: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(hay.len());
    let mut i = 0;
    while i < hay.len() {
        if hay[i..].starts_with(needle) {
            out.extend_from_slice(MASK.as_bytes());
            i += needle.len();
        } else {
            out.push(hay[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_and_fragment_is_masked() {
        let s = Scrubber::new("sk_live_ab/cd\"ef1234567");
        for text in [
            "key sk_live_ab/cd\"ef1234567 here",
            r#"{"e":"sk_live_ab\/cd\"ef1234567"}"#,
            "sk_live_ab%2Fcd%22ef1234567",
            "cut: sk_live_ab/c",
            "tail: ef1234567",
        ] {
            let out = s.text(text);
            assert!(!out.contains("sk_live_ab"), "{out}");
            assert!(!out.contains("ef1234567"), "{out}");
            assert!(out.contains(MASK), "{out}");
        }
        assert_eq!(s.text("nothing to see"), "nothing to see");
        let mut v = serde_json::json!({"error": "bad key sk_live_ab/cd\"ef1234567", "n": [1, "ef12345"]});
        s.value(&mut v);
        assert_eq!(v["error"], "bad key ***");
        assert_eq!(v["n"][1], "ef12345", "shorter than MIN_PARTIAL stays");
    }

    #[test]
    fn csv_cells_are_scrubbed() {
        let s = Scrubber::new("sk_live_ab/cd\"ef1234567");
        // As the journal writes it: formulas defused already (ics_journal::backoffice::csv_cell).
        let doc = "a,b,c\nok,\"'=HYPERLINK(\"\"x\"\")\",-5\n'+1,\"key sk_live_ab/cd\"\"ef1234567\",'@SUM(A1)\n\"'\tx\",'-x,plain\n";
        let out = String::from_utf8(s.csv(doc.as_bytes())).unwrap();
        let rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(out.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        assert_eq!(
            rows,
            [
                vec!["a", "b", "c"],
                vec!["ok", "'=HYPERLINK(\"x\")", "-5"],
                vec!["'+1", "key ***", "'@SUM(A1)"],
                vec!["'\tx", "'-x", "plain"],
            ],
            "{out}"
        );
    }
}
