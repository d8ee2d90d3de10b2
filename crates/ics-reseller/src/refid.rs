//! The refid generator: unique, time-sortable order ids.
//!
//! Format: `RS` + 10 characters of the Unix time in milliseconds + 16 characters of
//! randomness (80 bits), both in Crockford base32 (`0-9 A-Z` without `I L O U`), 28
//! characters in all, e.g. `RS01JDQ8Z4M2XKQ3F7H9B0C2D4E6`. Ids sort by creation time to the
//! millisecond (within one millisecond their order is random). The caller passes the time
//! and the random bytes, so the core stays pure: the wasm client uses `Date.now()` and
//! `crypto.getRandomValues`.

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Length of a generated refid.
pub const REFID_LEN: usize = 28;

/// Makes a refid from the time in milliseconds since the Unix epoch and 10 random bytes.
pub fn new_refid(unix_ms: u64, random: [u8; 10]) -> String {
    let mut out = String::with_capacity(REFID_LEN);
    out.push_str("RS");
    // 10 base32 digits hold 50 bits; the time uses 48.
    for i in (0..10).rev() {
        out.push(ALPHABET[((unix_ms >> (i * 5)) & 31) as usize] as char);
    }
    let mut bits = 0u128;
    for b in random {
        bits = (bits << 8) | u128::from(b);
    }
    for i in (0..16).rev() {
        out.push(ALPHABET[((bits >> (i * 5)) & 31) as usize] as char);
    }
    out
}

/// The millisecond timestamp inside a refid made by [`new_refid`], if it is one.
pub fn refid_time(refid: &str) -> Option<u64> {
    let body = refid.strip_prefix("RS")?;
    if body.len() != REFID_LEN - 2 {
        return None;
    }
    body.bytes().take(10).try_fold(0u64, |acc, c| {
        let v = ALPHABET.iter().position(|&a| a == c)? as u64;
        Some((acc << 5) | v)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_and_order() {
        let a = new_refid(1_764_000_000_000, [0; 10]);
        let b = new_refid(1_764_000_000_001, [255; 10]);
        let c = new_refid(1_764_000_000_001, [1; 10]);
        assert_eq!(a.len(), REFID_LEN);
        assert!(a < b && a < c);
        assert_ne!(b, c);
        assert_eq!(refid_time(&b), Some(1_764_000_000_001));
        assert!(crate::validate::validate_refid(&a).is_ok());
        assert_eq!(refid_time("RSAPI123"), None);
    }
}
