//! Shop events: delivered at least once through a real local HTTP receiver that fails the
//! first attempts; every attempt carries the same delivery id and a valid signature.

use crate::util::*;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use ics_journal::events::{verify, Deliverer, DelivererConfig, DELIVERY_HEADER, SIGNATURE_HEADER};
use ics_journal::{Reconciler, ReconcilerConfig};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SECRET: &[u8] = b"shop-secret";

#[derive(Default)]
struct Received {
    attempts: HashMap<String, u32>,
    accepted: HashMap<String, Value>,
    bad_signatures: u32,
}

async fn receive(State(rx): State<Arc<Mutex<Received>>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let sig = headers
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let id = headers
        .get(DELIVERY_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let mut rx = rx.lock().unwrap();
    if !verify(SECRET, &body, sig) {
        rx.bad_signatures += 1;
        return StatusCode::UNAUTHORIZED;
    }
    let n = rx.attempts.entry(id.clone()).or_default();
    *n += 1;
    if *n <= 2 {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    rx.accepted.insert(id, serde_json::from_slice(&body).unwrap());
    StatusCode::NO_CONTENT
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn events_reach_a_failing_shop_at_least_once_signed() {
    for db in both() {
        let rx = Arc::new(Mutex::new(Received::default()));
        let app = Router::new()
            .route("/events", post(receive))
            .with_state(rx.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let shop = format!("http://{}/events", listener.local_addr().unwrap());
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stop_rx.await;
                })
                .await
                .unwrap()
        });

        let sb = sandbox().await;
        let up = upstream(&sb);
        let j = open(&db).await;
        for i in 0..10 {
            place(&j, &*up, new_order(&format!("E{i}"), &number(i), 5_000)).await;
        }
        settle(
            &j,
            &Reconciler::new(j.clone(), up.clone(), ReconcilerConfig::default()),
        )
        .await;

        let mut cfg = DelivererConfig::new(shop, SECRET.to_vec());
        cfg.first_retry_ms = 30;
        cfg.poll = Duration::from_millis(20);
        let deliverer = Deliverer::new(j.clone(), cfg).unwrap().spawn();
        let start = Instant::now();
        while j.events().await.unwrap().iter().any(|e| e.delivered_at.is_none()) {
            assert!(start.elapsed() < Duration::from_secs(60), "events not delivered");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        deliverer.stop().await;
        let _ = stop_tx.send(());
        server.await.unwrap();

        let events = j.events().await.unwrap();
        let mut orders = Vec::new();
        for e in &events {
            orders.push(j.order(&e.refid).await.unwrap().unwrap());
        }
        {
            let rx = rx.lock().unwrap();
            assert_eq!(rx.bad_signatures, 0);
            assert_eq!(events.len(), 10);
            for (e, o) in events.iter().zip(&orders) {
                assert_eq!(e.attempts, 3, "{e:?}");
                assert_eq!(rx.attempts[&e.id], 3);
                let body = &rx.accepted[&e.id];
                assert_eq!(body["refid"], o.refid.as_str());
                assert_eq!(body["state"], o.state.as_str());
                assert_eq!(body["refund"], o.state.to_refund());
                // Why it ended: the upstream's last message and the gateway's error code,
                // as the journal holds them (null when there is none).
                assert_eq!(body["message"], serde_json::json!(o.message), "{body}");
                assert_eq!(body["error"], serde_json::json!(o.last_error), "{body}");
            }
            assert!(
                rx.accepted
                    .values()
                    .filter(|b| b["refund"] == true)
                    .all(|b| b["message"].is_string() || b["error"].is_string()),
                "every refund event says why: {:?}",
                rx.accepted.values().collect::<Vec<_>>()
            );
            assert!(
                rx.accepted.values().any(|b| b["refund"] == true),
                "a refund event"
            );
            assert!(rx.accepted.values().any(|b| b["state"] == "success"));
        }
        j.close().await;
        sb.shutdown().await;
    }
}
