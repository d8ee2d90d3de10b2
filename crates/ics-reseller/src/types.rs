//! Request and response bodies of every action, with the wire field names.
//!
//! Reading is lenient (see [`crate::lenient`]) and every body keeps the fields the server
//! adds in `extra`, so nothing is dropped. Doc comments become schema descriptions.

use crate::lenient;
use crate::lenient::lenient_body;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Fields the server sent that this version of the SDK does not know, kept as they came.
/// The one place that names their type: every body's `extra` and its lenient reader use it.
pub type Extra = crate::value::Map;

/// `schemars::JsonSchema` with the `schema` feature, a trait of every type without it: the
/// bound the actions table puts on its bodies, so the table reads the same either way.
#[cfg(feature = "schema")]
pub trait MaybeJsonSchema: schemars::JsonSchema {}
#[cfg(feature = "schema")]
impl<T: schemars::JsonSchema + ?Sized> MaybeJsonSchema for T {}
/// `schemars::JsonSchema` with the `schema` feature, a trait of every type without it: the
/// bound the actions table puts on its bodies, so the table reads the same either way.
#[cfg(not(feature = "schema"))]
pub trait MaybeJsonSchema {}
#[cfg(not(feature = "schema"))]
impl<T: ?Sized> MaybeJsonSchema for T {}

/// Status of an order (API.md rule 6). Unknown strings are kept, never rejected.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TxStatus {
    /// The package was delivered. Final.
    Success,
    /// Waiting for the supplier.
    Pending,
    /// The order failed; its price was refunded. Final.
    Failed,
    /// The order exists but is not paid yet.
    Unpaid,
    /// A status this SDK does not know yet, kept as sent.
    Unknown(String),
}

impl TxStatus {
    /// The four documented statuses, in wire order.
    pub const KNOWN: [TxStatus; 4] = [
        TxStatus::Success,
        TxStatus::Pending,
        TxStatus::Failed,
        TxStatus::Unpaid,
    ];

    /// The wire string.
    pub fn as_str(&self) -> &str {
        match self {
            TxStatus::Success => "success",
            TxStatus::Pending => "pending",
            TxStatus::Failed => "failed",
            TxStatus::Unpaid => "unpaid",
            TxStatus::Unknown(s) => s,
        }
    }

    /// Reads a wire string; any string is accepted (unknown ones are kept).
    pub fn parse(s: &str) -> TxStatus {
        match s {
            "success" => TxStatus::Success,
            "pending" => TxStatus::Pending,
            "failed" => TxStatus::Failed,
            "unpaid" => TxStatus::Unpaid,
            other => TxStatus::Unknown(other.to_owned()),
        }
    }

    /// Whether the order can no longer change (`success` or `failed`).
    pub fn is_final(&self) -> bool {
        matches!(self, TxStatus::Success | TxStatus::Failed)
    }
}

impl fmt::Display for TxStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for TxStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for TxStatus {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient::string(d).map(|s| TxStatus::parse(&s))
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for TxStatus {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "TxStatus".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Order status: `success` and `failed` are final, `pending` waits for the supplier, `unpaid` is not paid yet. Other strings may appear and must be kept.",
            "anyOf": [
                {"type": "string", "enum": ["success", "pending", "failed", "unpaid"]},
                {"type": "string"}
            ]
        })
    }
}

/// Product category, the `type` parameter of listProducts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProductType {
    /// XL AXIS monthly packages.
    Xla,
    /// `bpa` packages.
    Bpa,
    /// `fmax` packages.
    Fmax,
    /// `xda` packages.
    Xda,
    /// Every type.
    All,
}

impl ProductType {
    /// Every product type, `all` last.
    pub const ALL: [ProductType; 5] = [
        ProductType::Xla,
        ProductType::Bpa,
        ProductType::Fmax,
        ProductType::Xda,
        ProductType::All,
    ];

    /// The wire string.
    pub fn as_str(self) -> &'static str {
        match self {
            ProductType::Xla => "xla",
            ProductType::Bpa => "bpa",
            ProductType::Fmax => "fmax",
            ProductType::Xda => "xda",
            ProductType::All => "all",
        }
    }

    /// Reads a wire string (exact, lower case).
    pub fn parse(s: &str) -> Option<ProductType> {
        ProductType::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for ProductType {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ProductType".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Product category: `xla`, `bpa`, `fmax`, `xda`, or `all` for every type.",
            "type": "string",
            "enum": ["xla", "bpa", "fmax", "xda", "all"]
        })
    }
}

// ---------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------

/// The parameters of an action that takes none.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NoParams {}

/// Parameters of `listProducts`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ListProductsRequest {
    /// Product category: `xla`, `bpa`, `fmax`, `xda` or `all`.
    #[serde(rename = "type")]
    pub product_type: ProductType,
    /// Only products of these providers (sent comma-separated, e.g. `KUBER,BEKASANL`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_string_list"
    )]
    pub providers: Option<Vec<String>>,
}

/// Body of `createTransaction`: one order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CreateTransactionRequest {
    /// Product code from listProducts, e.g. `XLA10`.
    pub kode_produk: String,
    /// Destination phone number; the SDK normalises it to `08…` before sending.
    pub nomor_tujuan: String,
    /// The reseller's own unique order id, the idempotency key (1–64 of `A-Z a-z 0-9 _ -`).
    #[cfg_attr(feature = "schema", schemars(regex(pattern = r"^[A-Za-z0-9_-]{1,64}$")))]
    pub refid: String,
}

/// Parameters of `checkTransaction` and `resubmitWebhook`: one order's refid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RefIdRequest {
    /// The reseller's order id given to createTransaction.
    #[serde(deserialize_with = "lenient::string")]
    #[cfg_attr(feature = "schema", schemars(regex(pattern = r"^[A-Za-z0-9_-]{1,64}$")))]
    pub refid: String,
}

/// Parameters of `getHistory`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GetHistoryRequest {
    /// Page number, from 1 (default 1).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_uint32"
    )]
    #[cfg_attr(feature = "schema", schemars(range(min = 1)))]
    pub page: Option<u32>,
    /// Orders per page, 1 to 100 (default 10). The last page is the first shorter one.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_uint32"
    )]
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 100)))]
    pub limit: Option<u32>,
    /// Only orders with this status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TxStatus>,
}

// ---------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------

lenient_body! {
    /// A failed call: a body with a string `error`, on any HTTP status.
    #[derive(Clone, Debug, PartialEq)]
    pub struct ErrorBody {
        /// What went wrong, in the server's words (Indonesian).
        pub error: String = lenient::string,
        /// The order's refid, when the failure concerns an order.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub refid: Option<String> = lenient::opt_string,
        /// Balance before the call, in rupiah.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub saldo_awal: Option<i64> = lenient::opt_int,
        /// Balance after the call, in rupiah (unchanged when an order is refused).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub saldo_akhir: Option<i64> = lenient::opt_int,
    }
}

impl ErrorBody {
    /// A refusal that says only `error` (what a body whose other fields do not read as
    /// documented still says).
    pub fn from_text(error: String) -> ErrorBody {
        ErrorBody {
            error,
            refid: None,
            saldo_awal: None,
            saldo_akhir: None,
            extra: Default::default(),
        }
    }
}

lenient_body! {
    /// Answer of `ping`.
    #[derive(Clone, Debug, PartialEq)]
    pub struct PingResponse {
        /// Always `true` on success.
        pub success: bool = lenient::boolean,
        /// The reseller code the API key belongs to, e.g. `RS00001`.
        pub kodereseller: String = lenient::string,
    }
}

lenient_body! {
    /// The reseller's profile.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Profile {
        /// Reseller code, e.g. `RS00001`.
        pub kodereseller: String = lenient::string,
        /// Reseller name.
        pub nama: String = lenient::string,
        /// WhatsApp id of the reseller, e.g. `628xxxx@s.whatsapp.net`.
        pub nomor: String = lenient::string,
        /// E-mail address.
        pub email: String = lenient::string,
        /// Balance in whole rupiah.
        pub saldo: i64 = lenient::int,
        /// Whether the account is verified.
        pub verif: bool = lenient::boolean,
    }
}

lenient_body! {
    /// Answer of `getProfile`.
    #[derive(Clone, Debug, PartialEq)]
    pub struct GetProfileResponse {
        /// Always `true` on success.
        pub success: bool = lenient::boolean,
        /// The profile.
        pub data: Profile = <Profile as Deserialize>::deserialize,
    }
}

lenient_body! {
    /// Balance and verification status (the profile without `email`).
    #[derive(Clone, Debug, PartialEq)]
    pub struct Balance {
        /// Reseller code, e.g. `RS00001`.
        pub kodereseller: String = lenient::string,
        /// Reseller name.
        pub nama: String = lenient::string,
        /// WhatsApp id of the reseller.
        pub nomor: String = lenient::string,
        /// Balance in whole rupiah.
        pub saldo: i64 = lenient::int,
        /// Whether the account is verified.
        pub verif: bool = lenient::boolean,
    }
}

lenient_body! {
    /// Answer of `getBalance`.
    #[derive(Clone, Debug, PartialEq)]
    pub struct GetBalanceResponse {
        /// Always `true` on success.
        pub success: bool = lenient::boolean,
        /// Balance and verification status.
        pub data: Balance = <Balance as Deserialize>::deserialize,
    }
}

lenient_body! {
    /// One product of the catalog.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Product {
        /// Product code to order with, e.g. `XLA10`.
        pub kode_produk: String = lenient::string,
        /// Display name, e.g. `XL AXIS 10GB`.
        pub nama_produk: String = lenient::string,
        /// Description of the quota.
        pub deskripsi: String = lenient::string,
        /// Final price in whole rupiah, global API markup included.
        pub harga_final: i64 = lenient::int,
        /// Units in stock; 0 for an empty product.
        pub stok: i64 = lenient::int,
        /// Product category (`xla`, `bpa`, `fmax`, `xda`; other strings may appear).
        #[wire = "type"]
        pub product_type: String = lenient::string,
        /// Provider code, e.g. `KUBER`.
        pub provider: String = lenient::string,
    }
}

lenient_body! {
    /// Products split by availability.
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct ProductLists {
        /// Products in stock.
        #[serde(default)]
        pub ready: Vec<Product> = lenient::list,
        /// Products out of stock (`stok` 0).
        #[serde(default)]
        pub empty: Vec<Product> = lenient::list,
    }
}

lenient_body! {
    /// Answer of `listProducts`.
    #[derive(Clone, Debug, PartialEq)]
    pub struct ListProductsResponse {
        /// Always `true` on success.
        pub success: bool = lenient::boolean,
        /// The requested type.
        #[wire = "type"]
        pub product_type: String = lenient::string,
        /// Title of the list, e.g. `Daftar Produk Bulanan`.
        pub title: String = lenient::string,
        /// Provider codes the list was built from.
        pub providers_used: Vec<String> = lenient::string_list,
        /// The products, ready and empty.
        pub data: ProductLists = lenient::object_or_empty,
    }
}

lenient_body! {
    /// Answer of `createTransaction` when the order was accepted.
    #[derive(Clone, Debug, PartialEq)]
    pub struct CreateTransactionResponse {
        /// Always `true` on success.
        pub success: bool = lenient::boolean,
        /// `true` while the supplier has not finished; follow with checkTransaction.
        pub pending: bool = lenient::boolean,
        /// Message from the server, e.g. `Pesanan diterima, sedang diproses.`.
        pub message: String = lenient::string,
        /// The order's refid.
        pub refid: String = lenient::string,
        /// The supplier's own transaction id, when known.
        #[serde(default)]
        pub supplier_trxid: Option<String> = lenient::opt_string,
        /// Balance before the order, in rupiah.
        pub saldo_awal: i64 = lenient::int,
        /// Balance after the order was debited, in rupiah.
        pub saldo_akhir: i64 = lenient::int,
    }
}

lenient_body! {
    /// Answer of `checkTransaction`: the current state of one order. Also the webhook payload.
    #[derive(Clone, Debug, PartialEq)]
    pub struct CheckTransactionResponse {
        /// Always `true` on success.
        pub success: bool = lenient::boolean,
        /// Current status.
        pub status: TxStatus = <TxStatus as Deserialize>::deserialize,
        /// The order's refid.
        pub refid: String = lenient::string,
        /// The supplier's own transaction id, when known.
        #[serde(default)]
        pub supplier_trxid: Option<String> = lenient::opt_string,
        /// Product code.
        pub kode_produk: String = lenient::string,
        /// Destination phone number.
        pub nomor_tujuan: String = lenient::string,
        /// Price charged, in rupiah.
        pub harga: i64 = lenient::int,
        /// Reseller code.
        pub kodereseller: String = lenient::string,
        /// Message from the server or supplier.
        #[serde(default)]
        pub message: Option<String> = lenient::opt_string,
        /// Note from the supplier (e.g. a serial number or a failure reason).
        #[serde(default)]
        pub note: Option<String> = lenient::opt_string,
        /// Time of the last change, `YYYY-MM-DD HH:MM:SS`, server local time.
        pub updated_at: String = lenient::string,
    }
}

lenient_body! {
    /// One order in the history. Field names differ from checkTransaction (`kodeproduk`, `nomor`, `time`).
    #[derive(Clone, Debug, PartialEq)]
    pub struct HistoryEntry {
        /// Current status.
        pub status: TxStatus = <TxStatus as Deserialize>::deserialize,
        /// Product code.
        pub kodeproduk: String = lenient::string,
        /// Price charged, in rupiah.
        pub harga: i64 = lenient::int,
        /// Destination phone number.
        pub nomor: String = lenient::string,
        /// The order's refid.
        pub refid: String = lenient::string,
        /// The supplier's own transaction id, when known.
        #[serde(default)]
        pub supplier_trxid: Option<String> = lenient::opt_string,
        /// Time of the order, `YYYY-MM-DD HH:MM:SS`, server local time.
        pub time: String = lenient::string,
        /// Message from the server or supplier.
        #[serde(default)]
        pub message: Option<String> = lenient::opt_string,
    }
}

lenient_body! {
    /// Answer of `getHistory`: one page, newest first.
    #[derive(Clone, Debug, PartialEq)]
    pub struct GetHistoryResponse {
        /// Always `true` on success.
        pub success: bool = lenient::boolean,
        /// This page's number, from 1.
        pub page: u32 = lenient::uint32,
        /// The page size asked for.
        pub limit: u32 = lenient::uint32,
        /// The orders of this page; fewer than `limit` means the last page.
        #[serde(default)]
        pub data: Vec<HistoryEntry> = lenient::list,
    }
}

impl GetHistoryResponse {
    /// The page to ask for after this one, or `None` when this was the last; see
    /// [`next_history_page`].
    pub fn next_page(&self) -> Option<u32> {
        next_history_page(self.page, self.limit, self.data.len())
    }
}

/// The page to ask for after page `page` of size `limit` that held `received` orders, or
/// `None` when it was the last (API.md rule 5: the last page is the first one shorter than
/// `limit`; an empty page ends too, and so does the largest page number).
pub fn next_history_page(page: u32, limit: u32, received: usize) -> Option<u32> {
    let full = received > 0 && received >= limit.max(1) as usize;
    if full {
        page.max(1).checked_add(1)
    } else {
        None
    }
}

/// Count and total of the orders in one status.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StatusSummary {
    /// Number of orders.
    pub count: i64,
    /// Sum of their prices, in rupiah.
    pub total: i64,
}

impl<'de> Deserialize<'de> for StatusSummary {
    /// Lenient: a missing, `null` or `""` count or total is 0; other fields are ignored.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = StatusSummary;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a StatusSummary object")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(self, mut map: M) -> Result<StatusSummary, M::Error> {
                struct Zero;
                impl<'de> serde::de::DeserializeSeed<'de> for Zero {
                    type Value = i64;
                    fn deserialize<D2: serde::Deserializer<'de>>(self, d: D2) -> Result<i64, D2::Error> {
                        lenient::int_or_zero(d)
                    }
                }
                let mut out = StatusSummary::default();
                while let Some(key) = map.next_key::<lenient::Key<'de>>()? {
                    match key.as_str() {
                        "count" => {
                            out.count =
                                lenient::at(lenient::Seg::Field("count"), || map.next_value_seed(Zero))?
                        }
                        "total" => {
                            out.total =
                                lenient::at(lenient::Seg::Field("total"), || map.next_value_seed(Zero))?
                        }
                        _ => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_map(V)
    }
}

// Its `extra` keeps the other statuses the server may add, as sent.
lenient_body! {
    /// Count and total per status.
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct Summary {
        /// Delivered orders.
        #[lenient(default)]
        pub success: StatusSummary = lenient::object_or_empty,
        /// Failed (refunded) orders.
        #[lenient(default)]
        pub failed: StatusSummary = lenient::object_or_empty,
        /// Orders waiting for the supplier.
        #[lenient(default)]
        pub pending: StatusSummary = lenient::object_or_empty,
        /// Unpaid orders.
        #[lenient(default)]
        pub unpaid: StatusSummary = lenient::object_or_empty,
    }
}

lenient_body! {
    /// Answer of `getStatistik`.
    #[derive(Clone, Debug, PartialEq)]
    pub struct GetStatistikResponse {
        /// Always `true` on success.
        pub success: bool = lenient::boolean,
        /// Current balance in rupiah.
        pub saldo: i64 = lenient::int,
        /// Count and total per status.
        pub summary: Summary = lenient::object_or_empty,
    }
}

lenient_body! {
    /// Answer of `resubmitWebhook`.
    #[derive(Clone, Debug, PartialEq)]
    pub struct ResubmitWebhookResponse {
        /// Always `true` on success.
        pub success: bool = lenient::boolean,
        /// Message from the server, e.g. `Webhook dikirim ulang`.
        pub message: String = lenient::string,
        /// The URL the webhook was sent to.
        pub webhook_url: String = lenient::string,
        /// The receiver's reply, cut to 500 characters.
        pub response: String = lenient::string,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(page: u32, limit: u32, n: usize) -> GetHistoryResponse {
        let entry = HistoryEntry {
            status: TxStatus::Success,
            kodeproduk: "XLA10".into(),
            harga: 1,
            nomor: "081234567890".into(),
            refid: "R".into(),
            supplier_trxid: None,
            time: "2025-12-05 12:00:00".into(),
            message: None,
            extra: Extra::new(),
        };
        GetHistoryResponse {
            success: true,
            page,
            limit,
            data: vec![entry; n],
            extra: Extra::new(),
        }
    }

    #[test]
    fn next_page_table() {
        assert_eq!(page(1, 10, 10).next_page(), Some(2));
        assert_eq!(page(3, 10, 9).next_page(), None);
        assert_eq!(page(1, 10, 0).next_page(), None);
        assert_eq!(page(0, 0, 1).next_page(), Some(2));
        assert_eq!(page(u32::MAX, 1, 1).next_page(), None);
    }
}
