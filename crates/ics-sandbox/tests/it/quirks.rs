//! Every PHP quirk the sandbox can send (issue 12), on the wire: each answer validates
//! against the committed wire schema (schema/wire) and the core reads it as the same
//! answer the plain form gives; `echo_key` leaves no trace of the key in the error.

use crate::util::*;
use ics_reseller::actions::*;
use ics_reseller::*;
use serde_json::{json, Value};
use std::path::Path;

fn wire_validator(type_name: &str) -> jsonschema::Validator {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../schema/wire/{type_name}.schema.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    jsonschema::draft202012::new(&serde_json::from_str::<Value>(&text).unwrap()).unwrap()
}

const MODES: [&str; 9] = [
    "php_values",
    "php_decimals",
    "php_bool_words",
    "php_empty_arrays",
    "php_nulls",
    "php_holes",
    "php_empty_strings",
    "php_group_by",
    "bom",
];

/// One read, plain then under `mode`: the quirky body is valid on the wire schema, differs
/// from the plain one, and decodes to the same answer.
async fn same_read<A: Action>(sb: &Sb, key: &str, req: A::Request, mode: &str) -> bool
where
    A::Request: Clone,
{
    let client = sb.client(key);
    let plain = sb.call_with::<A>(&client, req.clone()).await;
    assert_eq!(plain.status, 200, "{} plain", A::NAME);
    sb.arm(json!({"mode": mode, "action": A::NAME})).await;
    let quirky = sb.call_with::<A>(&client, req).await;
    assert_eq!(quirky.status, 200, "{} {mode}", A::NAME);
    let text = ics_reseller::http::strip_bom(&quirky.raw);
    let body: Value = serde_json::from_slice(text).unwrap();
    let name = <A::Response as schemars::JsonSchema>::schema_name();
    let errors: Vec<String> = wire_validator(&name)
        .iter_errors(&body)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{} {mode}: schema/wire refuses: {errors:#?}\n{body:#}",
        A::NAME
    );
    let changed = quirky.raw != plain.raw;
    let (p, q) = (plain.ok(), quirky.ok());
    assert_eq!(
        serde_json::to_value(&q).unwrap(),
        serde_json::to_value(&p).unwrap(),
        "{} {mode}",
        A::NAME
    );
    changed
}

#[tokio::test]
async fn every_php_quirk_decodes_and_fits_the_wire_schema() {
    let sb = start().await;
    // an order, so history, statistics and checkTransaction have content
    sb.order(VERIFIED, "XLA10", "081234567777", "QUIRK-1").await.ok();
    for mode in MODES {
        let mut changed = 0;
        changed += same_read::<Ping>(&sb, VERIFIED, NoParams {}, mode).await as u32;
        changed += same_read::<GetProfile>(&sb, VERIFIED, NoParams {}, mode).await as u32;
        changed += same_read::<GetBalance>(&sb, UNVERIFIED, NoParams {}, mode).await as u32;
        for product_type in [ProductType::Xla, ProductType::All] {
            let req = ListProductsRequest {
                product_type,
                providers: None,
            };
            changed += same_read::<ListProducts>(&sb, VERIFIED, req, mode).await as u32;
        }
        // a provider with no products: empty lists
        let req = ListProductsRequest {
            product_type: ProductType::Xla,
            providers: Some(vec!["NOBODY".into()]),
        };
        changed += same_read::<ListProducts>(&sb, VERIFIED, req, mode).await as u32;
        for key in [VERIFIED, UNVERIFIED] {
            changed += same_read::<GetHistory>(&sb, key, GetHistoryRequest::default(), mode).await as u32;
            changed += same_read::<GetStatistik>(&sb, key, NoParams {}, mode).await as u32;
        }
        let req = RefIdRequest {
            refid: "QUIRK-1".into(),
        };
        changed += same_read::<CheckTransaction>(&sb, VERIFIED, req, mode).await as u32;
        assert!(changed > 0, "{mode} changed no answer");
    }
    sb.stop().await;
}

#[tokio::test]
async fn quirks_on_a_new_order() {
    let sb = start().await;
    for (i, mode) in MODES.iter().enumerate() {
        sb.arm(json!({"mode": mode, "action": "createTransaction"})).await;
        let req = order_req("XLA10", "081234568888", &format!("QN-{i}"));
        let a = sb.call_with::<CreateTransaction>(&sb.client(VERIFIED), req).await;
        assert_eq!(a.status, 200);
        let body: Value = serde_json::from_slice(ics_reseller::http::strip_bom(&a.raw)).unwrap();
        assert!(
            wire_validator("CreateTransactionResponse").is_valid(&body),
            "{mode}: {body}"
        );
        let r = a.ok();
        assert_eq!(r.refid, format!("QN-{i}"), "{mode}");
        assert!(r.saldo_awal > r.saldo_akhir, "{mode}");
    }
    sb.stop().await;
}

#[tokio::test]
async fn echo_key_is_scrubbed_from_the_error() {
    let sb = start().await;
    sb.arm(json!({"mode": "echo_key", "action": "ping"})).await;
    let a = sb.call_with::<Ping>(&sb.client(VERIFIED), NoParams {}).await;
    assert_eq!(a.status, 400);
    let raw = String::from_utf8(a.raw.clone()).unwrap();
    assert!(raw.contains(VERIFIED) && raw.contains("\\u005f"), "{raw}");
    let e = a.err();
    assert_eq!(e.code(), ErrorCode::Rejected);
    let shown = format!("{e} {e:?} {:?}", e.refid());
    assert!(!shown.contains("test"), "{shown}");
    assert_eq!(e.refid(), Some("***"));
    sb.stop().await;
}
