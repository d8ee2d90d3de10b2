//! The gateway: allow-lists, key stripping, in-process and remote upstreams.

use crate::util::*;
use ics_reseller::actions::*;
use ics_reseller::*;
use serde_json::{json, Value};

#[tokio::test]
async fn store_gateway_adds_the_key_and_strips_the_browsers() {
    let sb = start().await;
    let gw = sb.keyless("/gateway");
    // No key at all: the gateway adds the verified account's.
    let r = sb
        .call_with::<ListProducts>(
            &gw,
            ListProductsRequest {
                product_type: ProductType::Xla,
                providers: None,
            },
        )
        .await;
    assert_answer_schema::<ListProducts>(&r.body);
    assert_eq!(r.ok().product_type, "xla");
    // A wrong key in the header and in the query is dropped, not used.
    let wrong = Client::new(
        Config::new(
            format!("{}/gateway", sb.url),
            Some(ApiKey::new("sk_wrong").unwrap()),
        )
        .unwrap(),
    );
    let o = sb
        .call_with::<CreateTransaction>(&wrong, order_req("XLA10", "081234561111", "GW-1"))
        .await;
    assert_answer_schema::<CreateTransaction>(&o.body);
    assert_eq!(o.ok().saldo_awal, 1_000_000);
    let q = Client::new(Config {
        auth: AuthMode::Query,
        ..Config::new(
            format!("{}/gateway/", sb.url),
            Some(ApiKey::new(INACTIVE).unwrap()),
        )
        .unwrap()
    });
    let c = sb
        .call_with::<CheckTransaction>(&q, RefIdRequest { refid: "GW-1".into() })
        .await;
    assert_eq!(
        c.ok().kodereseller,
        "RS00001",
        "the inactive key in the query was ignored"
    );
    // The order landed on the verified account.
    assert_eq!(sb.state(VERIFIED).await["orders"][0]["refid"], "GW-1");
    sb.stop().await;
}

#[tokio::test]
async fn allow_lists_refuse_other_actions() {
    let sb = start().await;
    let store = sb.keyless("/gateway");
    let back = sb.keyless("/gateway/backoffice");
    let refused = |status: u16, body: &Value| {
        assert_eq!(status, 403, "{body}");
        assert!(body["error"].as_str().unwrap().contains("not allowed"));
        assert_schema("ErrorBody", body);
    };
    let a = sb.call_with::<GetBalance>(&store, NoParams {}).await;
    refused(a.status, &a.body);
    assert!(matches!(a.err(), Error::Forbidden { .. }));
    let a = sb
        .call_with::<ResubmitWebhook>(&store, RefIdRequest { refid: "X".into() })
        .await;
    refused(a.status, &a.body);
    let a = sb.call_with::<Ping>(&back, NoParams {}).await;
    refused(a.status, &a.body);
    let a = sb
        .call_with::<CreateTransaction>(&back, order_req("XLA10", "081234561111", "BO-1"))
        .await;
    refused(a.status, &a.body);
    assert!(sb.state(VERIFIED).await["orders"].as_array().unwrap().is_empty());
    // Unknown actions and a missing action.
    let r = sb
        .http
        .get(format!("{}/gateway/?action=dropTables", sb.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = sb.http.get(format!("{}/gateway/", sb.url)).send().await.unwrap();
    assert_eq!(r.status(), 400);
    // The back office serves its own list.
    let b = sb.call_with::<GetBalance>(&back, NoParams {}).await.ok();
    assert_eq!(b.data.kodereseller, "RS00001");
    sb.call_with::<GetStatistik>(&back, NoParams {}).await.ok();
    sb.call_with::<GetProfile>(&back, NoParams {}).await.ok();
    let h = sb
        .call_with::<GetHistory>(&back, GetHistoryRequest::default())
        .await
        .ok();
    assert!(h.data.is_empty());
    sb.stop().await;
}

#[tokio::test]
async fn allow_lists_and_key_are_configurable() {
    let sb = start_with(|c| {
        c.gateway_allow = vec![ActionKind::Ping];
        c.backoffice_allow = vec![];
        c.gateway_key = Some(UNVERIFIED.into());
    })
    .await;
    let p = sb
        .call_with::<Ping>(&sb.keyless("/gateway"), NoParams {})
        .await
        .ok();
    assert_eq!(p.kodereseller, "RS00002");
    let a = sb
        .call_with::<ListProducts>(
            &sb.keyless("/gateway"),
            ListProductsRequest {
                product_type: ProductType::All,
                providers: None,
            },
        )
        .await;
    assert_eq!(a.status, 403);
    let a = sb
        .call_with::<GetBalance>(&sb.keyless("/gateway/backoffice"), NoParams {})
        .await;
    assert_eq!(a.status, 403);
    sb.stop().await;
}

#[tokio::test]
async fn faults_reach_the_browser_through_the_in_process_gateway() {
    let sb = start().await;
    sb.arm(json!({"mode": "drop_after_commit", "action": "createTransaction"}))
        .await;
    let gw = sb.keyless("/gateway");
    let a = sb
        .call_with::<CreateTransaction>(&gw, order_req("XLA10", "081234565555", "GWD-1"))
        .await;
    assert!(matches!(a.err(), Error::Network { .. }));
    let c = sb
        .call_with::<CheckTransaction>(
            &gw,
            RefIdRequest {
                refid: "GWD-1".into(),
            },
        )
        .await
        .ok();
    assert_eq!(c.status, TxStatus::Pending);
    sb.stop().await;
}

#[tokio::test]
async fn remote_upstream_over_http() {
    // Sandbox A plays the real API; sandbox B's gateway forwards to it with A's key.
    let upstream = start_with(|c| {
        c.accounts[0].key = "sk_upstream_only".into();
    })
    .await;
    let url = upstream.url.clone();
    let sb = start_with(|c| {
        c.upstream = Some(url);
        c.gateway_key = Some("sk_upstream_only".into());
    })
    .await;
    let gw = sb.keyless("/gateway");
    let o = sb
        .call_with::<CreateTransaction>(&gw, order_req("XDA1", "081234561111", "UP-1"))
        .await;
    assert_answer_schema::<CreateTransaction>(&o.body);
    o.ok();
    assert_eq!(
        upstream.state("sk_upstream_only").await["orders"][0]["refid"],
        "UP-1"
    );
    assert!(
        sb.state(VERIFIED).await["orders"].as_array().unwrap().is_empty(),
        "B did not simulate it"
    );
    // Errors pass through with their status and body.
    let e = sb
        .call_with::<CheckTransaction>(
            &gw,
            RefIdRequest {
                refid: "UP-404".into(),
            },
        )
        .await;
    assert_eq!(e.status, 404);
    assert!(matches!(e.err(), Error::NotFound { .. }));
    // Upstream faults pass through too (the HTML page of a 502).
    upstream.arm(json!({"mode": "http502"})).await;
    let e = sb
        .call_with::<CheckTransaction>(&gw, RefIdRequest { refid: "UP-1".into() })
        .await;
    assert_eq!(e.status, 502);
    assert!(String::from_utf8_lossy(&e.raw).contains("Bad Gateway"));
    // Upstream gone: 502 with a text body, an HTTP failure whose outcome is unknown.
    upstream.stop().await;
    let e = sb
        .call_with::<CreateTransaction>(&gw, order_req("XDA1", "081234561111", "UP-2"))
        .await;
    assert_eq!(e.status, 502);
    let e = e.err();
    assert!(matches!(e, Error::HttpStatus { status: 502, .. }), "{e:?}");
    assert!(e.outcome_unknown());
    sb.stop().await;
}
