//! Every JSON example of API.md validates against its committed schema with a real
//! JSON Schema validator, and decodes through the core into the expected typed value.

use ics_reseller::actions::*;
use ics_reseller::*;
use serde_json::Value;
use std::path::Path;

fn example(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/it/examples")
        .join(format!("{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// The committed schema file for a type name.
pub fn committed_schema(type_name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../schema/json")
        .join(format!("{type_name}.schema.json"));
    serde_json::from_str(
        &std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .unwrap()
}

/// Validates `instance` against the committed schema of `type_name`, listing every error.
pub fn assert_valid(type_name: &str, instance: &Value) {
    let schema = committed_schema(type_name);
    let validator = jsonschema::draft202012::new(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{type_name}: {errors:#?}\n{instance:#}");
}

fn decodes<A: Action>(name: &str) -> A::Response {
    let v = example(name);
    assert_valid(&<A::Response as schemars::JsonSchema>::schema_name(), &v);
    let bytes = serde_json::to_vec(&v).unwrap();
    let typed = ics_reseller::http::decode::<A>(200, None, &bytes).unwrap();
    // Nothing is lost: the typed value serializes back to the example.
    assert_eq!(serde_json::to_value(&typed).unwrap(), v, "{name} round trip");
    typed
}

#[test]
fn ping() {
    let r = decodes::<Ping>("ping");
    assert!(r.success);
    assert_eq!(r.kodereseller, "RS00001");
}

#[test]
fn profile_and_balance() {
    let p = decodes::<GetProfile>("getProfile").data;
    assert_eq!(
        (p.nama.as_str(), p.email.as_str(), p.saldo, p.verif),
        ("Nama Reseller", "user@mail.com", 30000, true)
    );
    let b = decodes::<GetBalance>("getBalance").data;
    assert_eq!(
        (b.kodereseller.as_str(), b.nomor.as_str(), b.saldo),
        ("RS00001", "628xxxx@s.whatsapp.net", 30000)
    );
    assert!(b.extra.is_empty());
}

#[test]
fn list_products() {
    let r = decodes::<ListProducts>("listProducts");
    assert_eq!(r.product_type, "xla");
    assert_eq!(r.providers_used, ["KUBER", "BEKASANL"]);
    assert_eq!(r.data.ready[0].harga_final, 20000);
    assert_eq!(r.data.ready[0].stok, 50);
    assert_eq!(r.data.empty[0].kode_produk, "XLA15");
    assert_eq!(r.data.empty[0].stok, 0);
}

#[test]
fn create_transaction() {
    let req = example("createTransaction.request");
    assert_valid("CreateTransactionRequest", &req);
    let typed: CreateTransactionRequest = serde_json::from_value(req.clone()).unwrap();
    assert_eq!(typed.refid, "RSAPI123ABC999");
    let r = decodes::<CreateTransaction>("createTransaction");
    assert!(r.pending);
    assert_eq!((r.saldo_awal, r.saldo_akhir), (50000, 30000));
    assert_eq!(r.supplier_trxid.as_deref(), Some("1234567"));
}

#[test]
fn create_transaction_rejected() {
    let v = example("createTransaction.error");
    assert_valid("ErrorBody", &v);
    let bytes = serde_json::to_vec(&v).unwrap();
    let e = ics_reseller::http::decode::<CreateTransaction>(200, None, &bytes).unwrap_err();
    match e {
        Error::Rejected {
            status: 200, body, ..
        } => {
            assert_eq!(body.error, "Transaksi gagal: alasan");
            assert_eq!(body.refid.as_deref(), Some("RSAPIAB12CD34"));
            assert_eq!((body.saldo_awal, body.saldo_akhir), (Some(50000), Some(50000)));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn check_transaction() {
    let r = decodes::<CheckTransaction>("checkTransaction");
    assert_eq!(r.status, TxStatus::Pending);
    assert_eq!(r.note.as_deref(), Some("catatan supplier"));
    assert_eq!(r.updated_at, "2025-12-05 12:00:00");
    // The webhook payload has the same shape.
    let w = parse_webhook(&serde_json::to_vec(&example("checkTransaction")).unwrap()).unwrap();
    assert_eq!(w, r);
}

#[test]
fn history() {
    let r = decodes::<GetHistory>("getHistory");
    assert_eq!((r.page, r.limit), (1, 10));
    let e = &r.data[0];
    assert_eq!(
        (e.kodeproduk.as_str(), e.nomor.as_str(), e.time.as_str()),
        ("XLA10", "081234567890", "2025-12-05 12:00:00")
    );
    assert_eq!(e.status, TxStatus::Success);
}

#[test]
fn statistik() {
    let r = decodes::<GetStatistik>("getStatistik");
    assert_eq!(r.saldo, 30000);
    assert_eq!((r.summary.success.count, r.summary.success.total), (10, 200000));
    assert_eq!(r.summary.failed.total, 40000);
    assert_eq!(r.summary.unpaid.count, 0);
}

#[test]
fn resubmit_webhook() {
    let r = decodes::<ResubmitWebhook>("resubmitWebhook");
    assert_eq!(r.webhook_url, "https://your-webhook.url");
    assert_eq!(r.message, "Webhook dikirim ulang");
}
