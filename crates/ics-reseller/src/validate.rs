//! Input validation before sending: phone numbers (API.md rule 9), refids, paging, codes.
//!
//! Every refusal is an [`Error::InvalidInput`] naming the wire field.

use crate::error::Error;
use crate::types::*;
use serde::Serialize;

/// Mobile operator of an Indonesian number, detected from its prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Operator {
    /// Telkomsel: 0811–0813, 0821–0823, 0851–0853.
    Telkomsel,
    /// Indosat Ooredoo: 0814–0816, 0855–0858.
    Indosat,
    /// XL: 0817–0819, 0859, 0877–0879.
    Xl,
    /// AXIS (part of XL): 0831–0833, 0838.
    Axis,
    /// Tri (3): 0895–0899.
    Tri,
    /// Smartfren: 0881–0889.
    Smartfren,
    /// A valid mobile number whose prefix is not in the table.
    Unknown,
}

impl Operator {
    /// Lower-case name, as serialized (`telkomsel`, `xl`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::Telkomsel => "telkomsel",
            Operator::Indosat => "indosat",
            Operator::Xl => "xl",
            Operator::Axis => "axis",
            Operator::Tri => "tri",
            Operator::Smartfren => "smartfren",
            Operator::Unknown => "unknown",
        }
    }

    /// Reads a name as [`Operator::as_str`] writes it; any other string is `Unknown`.
    pub fn parse(name: &str) -> Operator {
        [
            Operator::Telkomsel,
            Operator::Indosat,
            Operator::Xl,
            Operator::Axis,
            Operator::Tri,
            Operator::Smartfren,
        ]
        .into_iter()
        .find(|o| o.as_str() == name)
        .unwrap_or(Operator::Unknown)
    }

    /// Whether a product of `product_type` (its wire string, e.g. `xla`) is sold for numbers
    /// of this operator: `xla` and `xda` are XL AXIS packages, for XL and AXIS numbers only;
    /// every other type fits every operator, and an unknown operator fits every type.
    pub fn fits_product_type(self, product_type: &str) -> bool {
        match product_type.trim().to_ascii_lowercase().as_str() {
            "xla" | "xda" => matches!(self, Operator::Xl | Operator::Axis | Operator::Unknown),
            _ => true,
        }
    }

    /// The operator of a normalised `08…` number, from its 4-digit prefix.
    pub fn from_prefix(number: &str) -> Operator {
        let p: u32 = match number.get(..4).and_then(|p| p.parse().ok()) {
            Some(p) => p,
            None => return Operator::Unknown,
        };
        match p {
            811..=813 | 821..=823 | 851..=853 => Operator::Telkomsel,
            814..=816 | 855..=858 => Operator::Indosat,
            817..=819 | 859 | 877..=879 => Operator::Xl,
            831..=833 | 838 => Operator::Axis,
            895..=899 => Operator::Tri,
            881..=889 => Operator::Smartfren,
            _ => Operator::Unknown,
        }
    }
}

/// A normalised Indonesian mobile number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Phone {
    /// The number as sent upstream: `08…`, digits only.
    pub number: String,
    /// The operator detected from the prefix.
    pub operator: Operator,
}

/// Normalises `08…`, `628…`, `+62 8…`, `8…` (with spaces, dashes, dots or parentheses) to
/// `08…` and checks the national number matches `8[1-35-9]\d{7,10}`.
pub fn normalize_phone(input: &str) -> Result<Phone, Error> {
    const FIELD: &str = "nomor_tujuan";
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(Error::invalid(FIELD, "the phone number is empty"));
    }
    let mut digits = String::with_capacity(trimmed.len());
    for (i, c) in trimmed.chars().enumerate() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' | '\u{a0}' => {}
            '+' if i == 0 => {}
            _ => {
                return Err(Error::invalid(
                    FIELD,
                    format!("the phone number may hold only digits, spaces, dashes, dots, parentheses and a leading +; found {c:?}"),
                ))
            }
        }
    }
    let national = if let Some(rest) = digits.strip_prefix("62") {
        rest
    } else if let Some(rest) = digits.strip_prefix('0') {
        rest
    } else {
        &digits[..]
    };
    let b = national.as_bytes();
    let ok = b.len() >= 9 && b.len() <= 12 && b[0] == b'8' && matches!(b[1], b'1'..=b'3' | b'5'..=b'9');
    if !ok {
        return Err(Error::invalid(
            FIELD,
            format!(
                "{:?} is not an Indonesian mobile number (expected 08…, 628… or +62 8…, 10 to 13 digits with the leading 0)",
                trimmed
            ),
        ));
    }
    let number = format!("0{national}");
    let operator = Operator::from_prefix(&number);
    Ok(Phone { number, operator })
}

/// Longest refid this SDK sends.
pub const REFID_MAX_LEN: usize = 64;

/// Checks a refid: 1 to 64 characters of `A-Z a-z 0-9 _ -`.
pub fn validate_refid(refid: &str) -> Result<(), Error> {
    const FIELD: &str = "refid";
    if refid.is_empty() {
        return Err(Error::invalid(FIELD, "the refid is empty"));
    }
    if refid.len() > REFID_MAX_LEN {
        return Err(Error::invalid(
            FIELD,
            format!(
                "the refid is {} characters long; at most {REFID_MAX_LEN}",
                refid.len()
            ),
        ));
    }
    if let Some(c) = refid
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-'))
    {
        return Err(Error::invalid(
            FIELD,
            format!("the refid may hold only A-Z, a-z, 0-9, '_' and '-'; found {c:?}"),
        ));
    }
    Ok(())
}

/// Checks a product code: non-empty, no spaces or control characters, at most 64 characters.
pub fn validate_kode_produk(code: &str) -> Result<(), Error> {
    const FIELD: &str = "kode_produk";
    if code.trim().is_empty() {
        return Err(Error::invalid(FIELD, "the product code is empty"));
    }
    if code.len() > 64 || code.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::invalid(
            FIELD,
            "the product code must be at most 64 characters with no spaces",
        ));
    }
    Ok(())
}

/// Checks and normalises a request before it is sent.
pub trait Prepare: Sized {
    /// The request as it will be sent (e.g. the phone number normalised), or why not.
    fn prepare(self) -> Result<Self, Error>;
}

impl Prepare for NoParams {
    fn prepare(self) -> Result<Self, Error> {
        Ok(self)
    }
}

impl Prepare for ListProductsRequest {
    fn prepare(mut self) -> Result<Self, Error> {
        if let Some(list) = self.providers.take() {
            let mut cleaned = Vec::with_capacity(list.len());
            for p in list {
                let p = p.trim();
                if p.is_empty() {
                    continue;
                }
                if p.contains(',') || p.chars().any(|c| c.is_control()) {
                    return Err(Error::invalid(
                        "providers",
                        format!("a provider code may not contain commas or control characters: {p:?}"),
                    ));
                }
                cleaned.push(p.to_owned());
            }
            self.providers = (!cleaned.is_empty()).then_some(cleaned);
        }
        Ok(self)
    }
}

impl Prepare for CreateTransactionRequest {
    fn prepare(self) -> Result<Self, Error> {
        validate_kode_produk(&self.kode_produk)?;
        validate_refid(&self.refid)?;
        let phone = normalize_phone(&self.nomor_tujuan)?;
        Ok(CreateTransactionRequest {
            kode_produk: self.kode_produk.trim().to_owned(),
            nomor_tujuan: phone.number,
            refid: self.refid,
        })
    }
}

impl Prepare for RefIdRequest {
    fn prepare(self) -> Result<Self, Error> {
        validate_refid(&self.refid)?;
        Ok(self)
    }
}

impl Prepare for GetHistoryRequest {
    fn prepare(self) -> Result<Self, Error> {
        if self.page == Some(0) {
            return Err(Error::invalid("page", "pages count from 1"));
        }
        if let Some(l) = self.limit {
            if !(1..=100).contains(&l) {
                return Err(Error::invalid(
                    "limit",
                    format!("limit must be 1 to 100, got {l}"),
                ));
            }
        }
        if let Some(TxStatus::Unknown(s)) = &self.status {
            if s.is_empty() || s.chars().any(|c| c.is_control()) {
                return Err(Error::invalid(
                    "status",
                    "the status filter is empty or holds control characters",
                ));
            }
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: Option<(&str, Operator)>) {
        let got = normalize_phone(input).ok().map(|p| (p.number, p.operator));
        assert_eq!(got, expected.map(|(n, o)| (n.to_owned(), o)), "input {input:?}");
    }

    #[test]
    fn phones() {
        use Operator::*;
        check("081234567890", Some(("081234567890", Telkomsel)));
        check("+62 812-3456-7890", Some(("081234567890", Telkomsel)));
        check("62 812 3456 7890", Some(("081234567890", Telkomsel)));
        check("812.3456.7890", Some(("081234567890", Telkomsel)));
        check("(0817) 1234 5678", Some(("081712345678", Xl)));
        check("0855 1234 567", Some(("08551234567", Indosat)));
        check("0859 1234 5678", Some(("085912345678", Xl)));
        check("0838 1234 5678", Some(("083812345678", Axis)));
        check("0896 1234 5678", Some(("089612345678", Tri)));
        check("0881 1234 5678", Some(("088112345678", Smartfren)));
        check("0829 1234 5678", Some(("082912345678", Unknown)));
        check("08123456", None); // too short: 7 digits after 8x
        check("0812345678901234", None); // too long
        check("0841 1234 5678", None); // 84 is not mobile
        check("0212345678", None); // landline
        check("", None);
        check("   ", None);
        check("0812-3456-789a", None);
        check("0812+3456789", None);
        check("++6281234567890", None);
        check("٠٨١٢٣٤٥٦٧٨٩", None); // non-ASCII digits
    }

    #[test]
    fn product_types_per_operator() {
        use Operator::*;
        for (op, ty, fits) in [
            (Xl, "xla", true),
            (Axis, "XDA", true),
            (Telkomsel, "xla", false),
            (Indosat, "xda", false),
            (Tri, "bpa", true),
            (Smartfren, "fmax", true),
            (Unknown, "xla", true),
            (Telkomsel, "pulsa", true),
        ] {
            assert_eq!(op.fits_product_type(ty), fits, "{op:?} {ty}");
        }
        for op in [Telkomsel, Indosat, Xl, Axis, Tri, Smartfren, Unknown] {
            assert_eq!(Operator::parse(op.as_str()), op);
        }
        assert_eq!(Operator::parse("Telkomsel"), Unknown);
    }

    #[test]
    fn refids() {
        assert!(validate_refid("RSAPI123ABC999").is_ok());
        assert!(validate_refid("a_b-C9").is_ok());
        assert!(validate_refid(&"A".repeat(64)).is_ok());
        for bad in ["", "has space", "x/y", "é", &"A".repeat(65)] {
            let e = validate_refid(bad).unwrap_err();
            assert!(
                matches!(e, Error::InvalidInput(ref i) if i.field == "refid"),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn history_limits() {
        let h = |page, limit| {
            GetHistoryRequest {
                page,
                limit,
                status: None,
            }
            .prepare()
        };
        assert!(h(Some(1), Some(100)).is_ok());
        assert!(h(None, None).is_ok());
        assert!(h(Some(0), None).is_err());
        assert!(h(None, Some(0)).is_err());
        assert!(h(None, Some(101)).is_err());
    }
}
