//! The router is the core's actions table: every `ActionKind::ALL` entry answers a
//! success body of its own type; unknown names do not.

use crate::util::*;
use ics_reseller::actions::*;
use ics_reseller::{with_action, ActionKind, Error};
use serde_json::{json, Value};

/// Valid parameters for each action. The match is exhaustive: a new action in the core
/// breaks this until it has a sample, and the test below then checks the sandbox serves it.
fn sample(kind: ActionKind, refid: &str) -> Value {
    match kind {
        ActionKind::Ping | ActionKind::GetProfile | ActionKind::GetBalance | ActionKind::GetStatistik => {
            json!({})
        }
        ActionKind::ListProducts => json!({"type": "all"}),
        ActionKind::CreateTransaction => {
            json!({"kode_produk": "XDA1", "nomor_tujuan": "081234561111", "refid": "ROUTER-NEW"})
        }
        ActionKind::CheckTransaction | ActionKind::ResubmitWebhook => json!({"refid": refid}),
        ActionKind::GetHistory => json!({"page": 1, "limit": 5}),
    }
}

#[tokio::test]
async fn every_action_of_the_table_is_served() {
    let sb = start().await;
    sb.order(VERIFIED, "XDA1", "081234561111", "ROUTER-1").await.ok();
    let mut served = Vec::new();
    for &kind in ActionKind::ALL {
        let ok = with_action!(kind, A => {
            let req: <A as Action>::Request = serde_json::from_value(sample(kind, "ROUTER-1")).unwrap();
            let a = sb.call::<A>(VERIFIED, req).await;
            assert_eq!(a.status, 200, "{}: {}", kind.name(), a.body);
            a.result.is_ok()
        });
        assert!(ok, "{} did not answer a success body", kind.name());
        served.push(kind);
    }
    assert_eq!(served, ActionKind::ALL);
    sb.stop().await;
}

#[tokio::test]
async fn unknown_missing_and_miscased_actions_are_refused() {
    let sb = start().await;
    for q in ["?action=dropTables", "?action=Ping", "?action=", ""] {
        let r = sb
            .http
            .get(format!("{}/{q}", sb.url))
            .header("X-API-Key", VERIFIED)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{q}");
        let body: Value = r.json().await.unwrap();
        assert_schema("ErrorBody", &body);
    }
    // Decoded by the core: a rejection, not a success.
    let (s, _, raw) = sb
        .send(&ics_reseller::HttpRequest {
            method: ics_reseller::Method::Get,
            url: format!("{}/?action=nope", sb.url),
            headers: vec![],
            body: None,
        })
        .await
        .unwrap();
    assert!(matches!(
        ics_reseller::http::decode::<Ping>(s, None, &raw),
        Err(Error::Rejected { status: 400, .. })
    ));
    sb.stop().await;
}

#[tokio::test]
async fn openapi_path_keys_normalise_to_root() {
    // The OpenAPI document keys each action as `/NAME/..`; a client that does not
    // normalise dot segments sends it as is.
    let sb = start().await;
    for path in ["/ping/..", "/ping/../", "/a/b/../../"] {
        let r = sb
            .http
            .get(format!("{}{path}?action=ping", sb.url))
            .header("X-API-Key", VERIFIED)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["kodereseller"], "RS00001", "{path}");
    }
    sb.stop().await;
}

#[tokio::test]
async fn request_lines_are_recorded_as_they_arrived() {
    // `/__sandbox/requests` shows each API request line before normalisation: what a
    // generated client really sent. reqwest normalises `/ping/..` itself, so a raw socket
    // sends that one.
    let sb = start().await;
    let addr = sb.sandbox.addr();
    let answer = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(5))).unwrap();
        write!(
            s,
            "GET /ping/..?action=ping HTTP/1.1\r\nHost: x\r\nX-API-Key: {VERIFIED}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut buf = Vec::new();
        let _ = s.read_to_end(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let r = sb
        .http
        .get(format!(
            "{}/?action=listProducts&type=xla&providers=KUBER,BEKASANL",
            sb.url
        ))
        .header("X-API-Key", VERIFIED)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let log = |sb: &Sb| {
        let (http, url) = (sb.http.clone(), format!("{}/__sandbox/requests", sb.url));
        async move { http.get(url).send().await.unwrap().json::<Value>().await.unwrap() }
    };
    assert_eq!(
        log(&sb).await,
        json!({"requests": [
            {"method": "GET", "target": "/ping/..?action=ping"},
            {"method": "GET", "target": "/?action=listProducts&type=xla&providers=KUBER,BEKASANL"},
        ]})
    );
    let cleared = sb
        .http
        .delete(format!("{}/__sandbox/requests", sb.url))
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status(), 200);
    assert_eq!(log(&sb).await, json!({"requests": []}));
    sb.stop().await;
}
