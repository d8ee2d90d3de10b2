//! Order tokens: a shop's backend authorises exactly one order, the gateway checks it.
//!
//! A page must never be able to spend the reseller's balance on its own (DESIGN.md,
//! Stripe's key model). After the shop has taken the customer's payment, its backend signs
//! an [`OrderGrant`] with a secret only it and the gateway hold; the page passes the token
//! along with createTransaction, and the gateway places the order only when the token is
//! genuine, unexpired, names the same product, number and refid, and the live price is
//! within the bound. The same token later lets the page read that order (the gateway's
//! public checkTransaction of its refid; [`verify_grant`] checks the signature, expired or
//! not). Signing and checking are pure functions here (sans-IO: the caller passes the
//! time), used by the gateway, the `ics-gateway sign-order` command and the npm package's
//! `signOrder` for Node backends.
//!
//! The wire form is `v1.<payload>.<mac>`: `payload` is the grant as JSON, `mac` is
//! HMAC-SHA256 over `v1.<payload>` with the shared secret, both base64url without padding.
//!
//! ```
//! use ics_reseller::token::{sign_order, verify_order, OrderGrant};
//! let secret = b"0123456789abcdef0123456789abcdef";
//! let grant = OrderGrant {
//!     kode_produk: "XLA10".into(),
//!     nomor_tujuan: "+62 812-3456-1111".into(),
//!     refid: "RS01ABC".into(),
//!     max_price: 20_000,
//!     expires_at: 1_900_000_000,
//! };
//! let token = sign_order(secret, &grant).unwrap();
//! let checked = verify_order(secret, &token, 1_899_999_000).unwrap();
//! assert_eq!(checked.nomor_tujuan, "081234561111"); // normalised when signed
//! assert!(verify_order(b"another secret, 32 bytes long!!!", &token, 1_899_999_000).is_err());
//! ```

use crate::{
    error::Error,
    types::CreateTransactionRequest,
    validate::{normalize_phone, validate_kode_produk, validate_refid},
};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::fmt;

/// The shortest secret accepted for signing and checking tokens, in bytes.
pub const MIN_SECRET_LEN: usize = 32;

/// The longest token [`verify_order`] reads; anything longer is malformed.
pub const MAX_TOKEN_LEN: usize = 2048;

const VERSION: &str = "v1";

/// What one order token authorises: one order of one product for one number under one
/// refid, at no more than `max_price`, until `expires_at`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderGrant {
    /// The product the customer paid for.
    pub kode_produk: String,
    /// The destination number; normalised to `08…` when signed.
    pub nomor_tujuan: String,
    /// The refid the order must be placed under (the token authorises only this one).
    pub refid: String,
    /// The highest `harga_final` the shop accepts, in rupiah.
    pub max_price: i64,
    /// Unix time in seconds after which the token is refused.
    pub expires_at: i64,
}

/// Why a token was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenError {
    /// The secret is shorter than [`MIN_SECRET_LEN`] bytes.
    WeakSecret,
    /// Not a `v1.<payload>.<mac>` token, or its payload is not a grant.
    Malformed,
    /// The MAC does not match: forged, altered, or signed with another secret.
    BadSignature,
    /// `expires_at` has passed.
    Expired,
    /// The token is genuine but authorises another order; the field that differs.
    Mismatch(&'static str),
}

impl TokenError {
    /// A stable machine-readable code, e.g. `token_expired`.
    pub fn code(&self) -> &'static str {
        match self {
            TokenError::WeakSecret => "token_secret_weak",
            TokenError::Malformed => "token_malformed",
            TokenError::BadSignature => "token_bad_signature",
            TokenError::Expired => "token_expired",
            TokenError::Mismatch(_) => "token_mismatch",
        }
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenError::WeakSecret => write!(
                f,
                "the order-token secret must be at least {MIN_SECRET_LEN} bytes"
            ),
            TokenError::Malformed => f.write_str("the order token is not a valid v1 token"),
            TokenError::BadSignature => f.write_str("the order token's signature does not match"),
            TokenError::Expired => f.write_str("the order token has expired"),
            TokenError::Mismatch(field) => write!(
                f,
                "the order token does not authorise this order: {field} differs"
            ),
        }
    }
}

impl std::error::Error for TokenError {}

impl OrderGrant {
    /// Checks the grant's fields and normalises the number, as [`sign_order`] does.
    pub fn prepare(mut self) -> Result<OrderGrant, Error> {
        validate_kode_produk(&self.kode_produk)?;
        validate_refid(&self.refid)?;
        self.nomor_tujuan = normalize_phone(&self.nomor_tujuan)?.number;
        if self.max_price <= 0 {
            return Err(Error::invalid(
                "max_price",
                "the price bound must be a positive number of rupiah",
            ));
        }
        if self.expires_at <= 0 {
            return Err(Error::invalid(
                "expires_at",
                "the expiry must be a Unix time in seconds",
            ));
        }
        Ok(self)
    }

    /// Whether this grant authorises `request` (already prepared: number normalised).
    pub fn authorises(&self, request: &CreateTransactionRequest) -> Result<(), TokenError> {
        if self.refid != request.refid {
            return Err(TokenError::Mismatch("refid"));
        }
        if self.kode_produk != request.kode_produk {
            return Err(TokenError::Mismatch("kode_produk"));
        }
        let number =
            normalize_phone(&request.nomor_tujuan).map_err(|_| TokenError::Mismatch("nomor_tujuan"))?;
        if self.nomor_tujuan != number.number {
            return Err(TokenError::Mismatch("nomor_tujuan"));
        }
        Ok(())
    }
}

fn mac(secret: &[u8], signed: &str) -> Result<Hmac<Sha256>, TokenError> {
    if secret.len() < MIN_SECRET_LEN {
        return Err(TokenError::WeakSecret);
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).map_err(|_| TokenError::WeakSecret)?;
    mac.update(signed.as_bytes());
    Ok(mac)
}

/// Signs `grant` with `secret` (at least [`MIN_SECRET_LEN`] bytes) after checking it and
/// normalising its number. Fails with `invalid_input` naming the field at fault.
pub fn sign_order(secret: &[u8], grant: &OrderGrant) -> Result<String, Error> {
    let grant = grant.clone().prepare()?;
    // The core's own writer (serde_json's bytes for this struct), so signing needs no
    // serde_json in the wasm.
    let json = crate::value::to_value(&grant)
        .map_err(|e| Error::invalid("grant", e.to_string()))?
        .to_json();
    let signed = format!("{VERSION}.{}", b64url_encode(json.as_bytes()));
    let mac = mac(secret, &signed).map_err(|e| Error::invalid("secret", e.to_string()))?;
    let tag = mac.finalize().into_bytes();
    Ok(format!("{signed}.{}", b64url_encode(&tag)))
}

/// Checks `token` against `secret` at `now_unix_s` and returns what it authorises.
/// The MAC is compared in constant time before the payload is read.
#[cfg(feature = "json")]
pub fn verify_order(secret: &[u8], token: &str, now_unix_s: i64) -> Result<OrderGrant, TokenError> {
    let grant = verify_grant(secret, token)?;
    if now_unix_s >= grant.expires_at {
        return Err(TokenError::Expired);
    }
    Ok(grant)
}

/// Checks `token`'s signature against `secret` and returns its grant, expired or not: the
/// proof that the shop's backend granted this order at some time. The gateway accepts it
/// for checkTransaction of the grant's refid, since a status poll may outlive the window
/// in which the token could place the order; placing one needs [`verify_order`].
#[cfg(feature = "json")]
pub fn verify_grant(secret: &[u8], token: &str) -> Result<OrderGrant, TokenError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(TokenError::Malformed);
    }
    let (signed, tag) = token.rsplit_once('.').ok_or(TokenError::Malformed)?;
    let (version, payload) = signed.split_once('.').ok_or(TokenError::Malformed)?;
    if version != VERSION {
        return Err(TokenError::Malformed);
    }
    let tag = b64url_decode(tag).ok_or(TokenError::Malformed)?;
    mac(secret, signed)?
        .verify_slice(&tag)
        .map_err(|_| TokenError::BadSignature)?;
    let json = b64url_decode(payload).ok_or(TokenError::Malformed)?;
    serde_json::from_slice(&json).map_err(|_| TokenError::Malformed)
}

/// A short, stable, non-secret id of a token (hex of the first 8 bytes of its SHA-256),
/// for journals and logs: the token itself is never logged.
pub fn token_id(token: &str) -> String {
    use sha2::Digest;
    let digest = Sha256::digest(token.as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// base64url without padding (RFC 4648 §5).
pub fn b64url_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// Decodes base64url without padding; `None` for any other character, a dangling
/// character, or non-zero trailing bits (so every byte string has exactly one spelling).
pub fn b64url_decode(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| B64.iter().position(|&x| x == c).map(|v| v as u32);
    let bytes = text.as_bytes();
    if bytes.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            n |= value(*c)? << (18 - 6 * i);
        }
        let len = chunk.len() - 1;
        let trailing = n & ((1u32 << (24 - 8 * len)) - 1);
        if trailing != 0 {
            return None;
        }
        out.extend((0..len).map(|i| (n >> (16 - 8 * i)) as u8));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn grant() -> OrderGrant {
        OrderGrant {
            kode_produk: "XLA10".into(),
            nomor_tujuan: "0812-3456-1111".into(),
            refid: "RS01ABCDEF".into(),
            max_price: 20_000,
            expires_at: 1_000,
        }
    }

    fn request() -> CreateTransactionRequest {
        CreateTransactionRequest {
            kode_produk: "XLA10".into(),
            nomor_tujuan: "+62 812 3456 1111".into(),
            refid: "RS01ABCDEF".into(),
        }
    }

    #[test]
    fn base64url_round_trips_and_has_one_spelling() {
        for len in 0..40 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let text = b64url_encode(&bytes);
            assert!(!text.contains('='));
            assert_eq!(b64url_decode(&text).as_deref(), Some(&bytes[..]));
        }
        assert_eq!(b64url_encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(b64url_encode(b"fo"), "Zm8");
        assert_eq!(b64url_decode("Zm9"), None, "non-zero trailing bits");
        assert_eq!(b64url_decode("Z"), None);
        assert_eq!(b64url_decode("Zm8="), None);
        assert_eq!(b64url_decode("Zm+v"), None);
    }

    #[test]
    fn a_signed_grant_verifies_and_authorises_its_order_only() {
        let token = sign_order(SECRET, &grant()).unwrap();
        let g = verify_order(SECRET, &token, 999).unwrap();
        assert_eq!(g.nomor_tujuan, "081234561111");
        assert_eq!(g.authorises(&request()), Ok(()));
        let mut other = request();
        other.refid = "RS01OTHER".into();
        assert_eq!(g.authorises(&other), Err(TokenError::Mismatch("refid")));
        let mut other = request();
        other.kode_produk = "XLA15".into();
        assert_eq!(g.authorises(&other), Err(TokenError::Mismatch("kode_produk")));
        let mut other = request();
        other.nomor_tujuan = "081234562222".into();
        assert_eq!(g.authorises(&other), Err(TokenError::Mismatch("nomor_tujuan")));
    }

    #[test]
    fn expired_forged_altered_and_malformed_tokens_are_refused() {
        let token = sign_order(SECRET, &grant()).unwrap();
        assert_eq!(verify_order(SECRET, &token, 1_000), Err(TokenError::Expired));
        // Expired, the grant still proves what was authorised (checkTransaction takes it).
        assert_eq!(
            verify_grant(SECRET, &token).map(|g| g.refid),
            Ok("RS01ABCDEF".into())
        );
        assert_eq!(
            verify_order(b"fedcba9876543210fedcba9876543210", &token, 0),
            Err(TokenError::BadSignature)
        );
        // Change the price bound in the payload and keep the old MAC.
        let (signed, tag) = token.rsplit_once('.').unwrap();
        let payload = signed.strip_prefix("v1.").unwrap();
        let json = String::from_utf8(b64url_decode(payload).unwrap()).unwrap();
        let altered = json.replace("20000", "99999");
        let forged = format!("v1.{}.{tag}", b64url_encode(altered.as_bytes()));
        assert_eq!(verify_order(SECRET, &forged, 0), Err(TokenError::BadSignature));
        assert_eq!(verify_grant(SECRET, &forged), Err(TokenError::BadSignature));
        for bad in [
            "",
            ".",
            "v1..",
            "v2.e30.AA",
            "v1.e30",
            &format!("{token}x"),
            &"A".repeat(5000),
        ] {
            assert!(verify_order(SECRET, bad, 0).is_err(), "{bad:?}");
            assert!(verify_grant(SECRET, bad).is_err(), "{bad:?}");
        }
        assert_eq!(verify_order(b"short", &token, 0), Err(TokenError::WeakSecret));
    }

    #[test]
    fn signing_checks_the_grant() {
        let mut g = grant();
        g.nomor_tujuan = "12345".into();
        assert_eq!(
            sign_order(SECRET, &g).unwrap_err().code().as_str(),
            "invalid_input"
        );
        let mut g = grant();
        g.max_price = 0;
        assert!(sign_order(SECRET, &g).is_err());
        let mut g = grant();
        g.refid = "has space".into();
        assert!(sign_order(SECRET, &g).is_err());
        assert!(sign_order(b"short", &grant()).is_err());
    }

    #[test]
    fn token_ids_are_short_stable_and_not_the_token() {
        let token = sign_order(SECRET, &grant()).unwrap();
        let id = token_id(&token);
        assert_eq!(id.len(), 16);
        assert_eq!(id, token_id(&token));
        assert!(!token.contains(&id));
    }
}
