//! The text of an `f64` as Rust's `Display` and `Debug` write it, and as serde writes it in
//! its messages (`floating point `1.5``), without `core::fmt`'s float machinery.
//!
//! `core::fmt` formats floats with Grisu and a Dragon4 fallback, each in a shortest and an
//! exact-precision form, over a bignum: ~20 KB of the npm package's wasm, linked whenever
//! any `f64` meets a `{}` or `{:?}`. The core needs only the shortest digits that read back
//! to the same float, which the `ryu` crate finds with small tables; this module lays them
//! out as std does (`tests` hold every form to std's own text over random bits and edges).
//! Callers: the lenient string readers (a number sent for a string field), the core's JSON
//! writer (`value::write_json`) and the `&Value` deserializer's error messages.

use std::fmt::Write as _;

/// The shortest digits of a finite, nonzero float: `0.DIGITS × 10^exp`.
struct Digits {
    /// ASCII digits, the first not `0`, the last not `0`.
    buf: [u8; 17],
    len: usize,
    exp: i32,
}

impl Digits {
    fn of(v: f64) -> Digits {
        let mut ryu = ryu::Buffer::new();
        // ryu's own layout (`1.5e-7`, `0.001`, `1e16`, `123.0`): read its digits back out.
        let text = ryu.format_finite(v.abs()).as_bytes();
        let (mantissa, e) = match text.iter().position(|&b| b == b'e') {
            Some(at) => (&text[..at], parse_exp(&text[at + 1..])),
            None => (text, 0),
        };
        let mut d = Digits {
            buf: [b'0'; 17],
            len: 0,
            exp: e,
        };
        let mut before_point = true;
        for &b in mantissa {
            match b {
                b'.' => before_point = false,
                b'0' if d.len == 0 => {
                    // a leading zero: one place further right
                    if !before_point {
                        d.exp -= 1;
                    }
                }
                _ => {
                    if before_point {
                        d.exp += 1;
                    }
                    if d.len < d.buf.len() {
                        d.buf[d.len] = b;
                        d.len += 1;
                    }
                }
            }
        }
        while d.len > 1 && d.buf[d.len - 1] == b'0' {
            d.len -= 1;
        }
        // A float exactly halfway between two shortest candidates: ryu takes the even
        // one, std the one above (its `format_shortest` rounds a half up). Both read back
        // to `v`; std's is the text to match.
        let last = d.buf[d.len - 1];
        if (last - b'0') % 2 == 0 && is_half_above(v, d.digits(), d.exp) {
            d.buf[d.len - 1] = last + 1;
        }
        d
    }

    fn digits(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// Whether `|v|` is exactly `0.DIGITS5 × 10^exp` (DIGITS then a 5): `m × 2^e` with `m`
/// odd equals `t × 10^q` with `t` odd (it ends in 5) only if `e == q` and the fives agree.
fn is_half_above(v: f64, digits: &[u8], exp: i32) -> bool {
    let t = digits.iter().fold(0u128, |t, &b| t * 10 + u128::from(b - b'0')) * 10 + 5;
    let q = exp - digits.len() as i32 - 1;
    let bits = v.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1 << 52) - 1);
    let (m, e) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | 1 << 52, biased - 1075)
    };
    let zeros = m.trailing_zeros();
    let (m, e) = (u128::from(m >> zeros), e + zeros as i32);
    // t < 10^18 < 5^26: a larger power of five cannot match
    if e != q || q.unsigned_abs() > 26 {
        return false;
    }
    let five = 5u128.pow(q.unsigned_abs());
    if q < 0 {
        m * five == t
    } else {
        m == t * five
    }
}

fn parse_exp(t: &[u8]) -> i32 {
    let (neg, t) = match t.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, t),
    };
    let n = t.iter().fold(0i32, |n, &b| n * 10 + i32::from(b - b'0'));
    if neg {
        -n
    } else {
        n
    }
}

/// `NaN`, `inf`, `-inf`, `0`/`-0` (or `0.0`/`-0.0`), or `None` with the sign written.
fn special(v: f64, zero: &str, out: &mut String) -> bool {
    if v.is_nan() {
        out.push_str("NaN");
        return true;
    }
    if v.is_sign_negative() {
        out.push('-');
    }
    if v.is_infinite() {
        out.push_str("inf");
    } else if v == 0.0 {
        out.push_str(zero);
    } else {
        return false;
    }
    true
}

fn push_ascii(out: &mut String, bytes: &[u8]) {
    // every byte is an ASCII digit
    out.extend(bytes.iter().map(|&b| char::from(b)));
}

fn push_zeros(out: &mut String, n: i32) {
    out.extend((0..n).map(|_| '0'));
}

/// Positional notation, at least `min_frac` digits after the point.
fn decimal(d: &Digits, min_frac: i32, out: &mut String) {
    let digits = d.digits();
    let n = digits.len() as i32;
    if d.exp <= 0 {
        out.push_str("0.");
        push_zeros(out, -d.exp);
        push_ascii(out, digits);
    } else if d.exp < n {
        push_ascii(out, &digits[..d.exp as usize]);
        out.push('.');
        push_ascii(out, &digits[d.exp as usize..]);
    } else {
        push_ascii(out, digits);
        push_zeros(out, d.exp - n);
        if min_frac > 0 {
            out.push('.');
            push_zeros(out, min_frac);
        }
    }
}

/// `Display` of an `f64` (`{}`): shortest round trip, never an exponent (`1e21` is
/// `1000000000000000000000`, `0.1` is `0.1`, `1.0` is `1`, `-0.0` is `-0`).
pub fn display(v: f64, out: &mut String) {
    if !special(v, "0", out) {
        decimal(&Digits::of(v), 0, out);
    }
}

/// `Debug` of an `f64` (`{:?}`): shortest round trip, with a point (`1.0`), an exponent
/// below 1e-4 and from 1e16 on (`1e16`, `1.5e-7`). `plus` writes a positive exponent's
/// `+` (`1e+16`, serde_json's form).
pub fn debug(v: f64, plus: bool, out: &mut String) {
    if special(v, "0.0", out) {
        return;
    }
    let abs = v.abs();
    let d = Digits::of(v);
    if (1e-4..1e16).contains(&abs) {
        return decimal(&d, 1, out);
    }
    let digits = d.digits();
    out.push(char::from(digits[0]));
    if digits.len() > 1 {
        out.push('.');
        push_ascii(out, &digits[1..]);
    }
    out.push('e');
    let e = d.exp - 1;
    if e < 0 {
        out.push('-');
    } else if plus {
        out.push('+');
    }
    let _ = write!(out, "{}", e.unsigned_abs());
}

/// What serde's `Unexpected::Float` writes after `floating point`: the `Display` text, with
/// `.0` added when it has no point (`1e21` is `1000000000000000000000.0`), `NaN`/`inf` as
/// they are.
pub fn serde_unexpected(v: f64, out: &mut String) {
    let start = out.len();
    display(v, out);
    if v.is_finite() && !out[start..].contains('.') {
        out.push_str(".0");
    }
}

/// `text.parse::<f64>().ok()`: Rust's float grammar (`1`, `-1.5e3`, `.5`, `5.`, `inf`,
/// `NaN`, case-insensitive) and the correctly rounded value. With the `js-float` feature in
/// a wasm build, the grammar is checked here and the value of a decimal comes from the JS
/// engine's `parseFloat` (correctly rounded in V8, SpiderMonkey and JavaScriptCore; the
/// same engine's `JSON.parse` gives the package's fast path its numbers), which keeps
/// `core::num::dec2flt` (~18 KB with its tables) out of the npm package's wasm.
pub fn parse(text: &str) -> Option<f64> {
    #[cfg(all(feature = "js-float", target_family = "wasm"))]
    return parse_with(text, js_sys::parse_float);
    #[cfg(not(all(feature = "js-float", target_family = "wasm")))]
    return text.parse().ok();
}

/// Rust's grammar checked here; a decimal that passes is valued by `value`.
#[cfg_attr(not(all(feature = "js-float", target_family = "wasm")), allow(dead_code))]
fn parse_with(text: &str, value: impl Fn(&str) -> f64) -> Option<f64> {
    let negative = text.starts_with('-');
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let special = if unsigned.eq_ignore_ascii_case("inf") || unsigned.eq_ignore_ascii_case("infinity") {
        Some(f64::INFINITY)
    } else if unsigned.eq_ignore_ascii_case("nan") {
        Some(f64::NAN)
    } else {
        None
    };
    if let Some(v) = special {
        return Some(if negative { -v } else { v });
    }
    let b = unsigned.as_bytes();
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    let mut i = 0;
    let mut mantissa = digits(&mut i);
    if b.get(i) == Some(&b'.') {
        i += 1;
        mantissa += digits(&mut i);
    }
    if mantissa == 0 {
        return None;
    }
    if let Some(b'e' | b'E') = b.get(i) {
        i += 1;
        if let Some(b'+' | b'-') = b.get(i) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return None;
        }
    }
    (i == b.len()).then(|| value(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn check(v: f64) {
        let mut s = String::new();
        display(v, &mut s);
        assert_eq!(s, format!("{v}"), "Display of {v:e} (bits {:#x})", v.to_bits());
        let mut s = String::new();
        debug(v, false, &mut s);
        assert_eq!(s, format!("{v:?}"), "Debug of {v:e} (bits {:#x})", v.to_bits());
        let mut s = String::new();
        debug(v, true, &mut s);
        let std_plus = {
            let t = format!("{v:?}");
            match t.find('e') {
                Some(at) if !t[at + 1..].starts_with('-') => format!("{}e+{}", &t[..at], &t[at + 1..]),
                _ => t,
            }
        };
        assert_eq!(s, std_plus, "Debug with + of {v:e}");
        let mut s = String::new();
        serde_unexpected(v, &mut s);
        assert_eq!(
            format!("floating point `{s}`"),
            serde::de::Unexpected::Float(v).to_string(),
            "serde's Unexpected::Float of {v:e}"
        );
    }

    #[test]
    fn edges_read_as_std_writes_them() {
        let mut edges = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            0.2,
            0.3,
            1.5,
            20000.0,
            1e-4,
            9.9999e-5,
            1e-5,
            1.5e-7,
            1e15,
            1e16,
            1e17,
            9_007_199_254_740_993.0,
            9_999_999_999_999_998.0,
            1e21,
            1e22,
            1e23,
            123_456_789.123_456_78,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            f64::EPSILON,
            5e-324,
            -5e-324,
            2.225_073_858_507_201e-308,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        for p in -325..=310 {
            edges.push(10f64.powi(p));
            edges.push(-1.5 * 10f64.powi(p));
            edges.push(123_456_789.0 * 10f64.powi(p));
        }
        for n in [0u64, 1, 9, 10, 99, 100, 12_345, 1 << 53, (1 << 53) + 2, u64::MAX] {
            edges.push(n as f64);
        }
        for v in edges {
            check(v);
        }
    }

    fn same(a: Option<f64>, b: Option<f64>) -> bool {
        match (a, b) {
            (Some(a), Some(b)) => a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
            (a, b) => a.is_none() && b.is_none(),
        }
    }

    /// The grammar `parse_with` checks is std's: it hands std's parser (which would panic
    /// on a text it refuses) only what std takes, and refuses what std refuses.
    fn check_parse(text: &str) {
        let std = text.parse::<f64>().ok();
        let ours = parse_with(text, |t| {
            t.parse::<f64>().expect("a text std refuses was let through")
        });
        assert!(same(ours, std), "{text:?}: {ours:?}, std {std:?}");
        assert!(same(parse(text), std), "{text:?}");
    }

    #[test]
    fn parse_takes_what_std_takes() {
        for t in [
            "", "+", "-", ".", "e", "e5", "1e", "1e+", "1e-", ".e5", "1.e5", "1.", ".5", "+.5", "-5.",
            "0", "-0", "+0", "00", "1_0", "1 ", " 1", "1,5", "1.5.", "1..5", "1e5e5", "0x10", "inf",
            "-inf", "+Infinity", "INF", "infinit", "infinityy", "nan", "-NaN", "NAN", "nan1", "1e400",
            "-1e400", "1e-400", "4.35", "1.5E+3", "1.5e-3", "9007199254740993", "2.2250738585072011e-308",
            "179769313486231570000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
            "1e99999999999999999999", "1e-99999999999999999999", "٣", "1\u{0}",
        ] {
            check_parse(t);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        #[test]
        fn any_bits_read_as_std_writes_them(bits in any::<u64>()) {
            check(f64::from_bits(bits));
        }

        #[test]
        fn parse_takes_any_text_as_std_does(t in "[-+0-9.eEinfatyINFATY ]{0,12}") {
            check_parse(&t);
        }

        #[test]
        fn parse_reads_every_float_std_writes(bits in any::<u64>()) {
            let v = f64::from_bits(bits);
            check_parse(&format!("{v}"));
            check_parse(&format!("{v:?}"));
            check_parse(&format!("{v:e}"));
        }

        #[test]
        fn short_decimals_read_as_std_writes_them(m in -99_999_999i64..99_999_999, e in -30i32..30) {
            check(m as f64 * 10f64.powi(e));
        }
    }
}
