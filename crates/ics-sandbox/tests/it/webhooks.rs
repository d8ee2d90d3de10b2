//! Webhook delivery over real HTTP: to the built-in receiver and to a separate tiny server
//! started by the test; resubmitWebhook re-sends for real and returns the reply cut to 500
//! characters.

use crate::util::*;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::Router;
use ics_reseller::actions::*;
use ics_reseller::*;
use serde_json::Value;
use std::sync::{Arc, Mutex};

/// What the tiny receiver got: (X-Sandbox-Event, body).
type Got = Arc<Mutex<Vec<(String, Value)>>>;

/// A separate receiver on 127.0.0.1:0 that answers 700 characters; stops when dropped.
struct Receiver {
    url: String,
    got: Got,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    async fn start() -> Receiver {
        async fn hook(State(got): State<Got>, headers: HeaderMap, body: Bytes) -> String {
            let event = headers
                .get("x-sandbox-event")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned();
            got.lock()
                .unwrap()
                .push((event, serde_json::from_slice(&body).unwrap()));
            format!("OK{}", "x".repeat(698))
        }
        let got: Got = Default::default();
        let app = Router::new().route("/hook", post(hook)).with_state(got.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await
                .unwrap();
        });
        Receiver {
            url,
            got,
            stop: Some(tx),
            task,
        }
    }

    fn got(&self) -> Vec<(String, Value)> {
        self.got.lock().unwrap().clone()
    }

    async fn stop(mut self) {
        let _ = self.stop.take().map(|s| s.send(()));
        let _ = (&mut self.task).await;
    }
}

fn statuses(list: &[(String, Value)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(e, b)| (e.clone(), b["status"].as_str().unwrap_or("").to_owned()))
        .collect()
}

#[tokio::test]
async fn built_in_receiver_gets_create_and_every_change() {
    let sb = start().await;
    sb.order(VERIFIED, "XLA10", "081234562222", "WH-1").await.ok();
    sb.wait_status(VERIFIED, "WH-1", TxStatus::Success).await;
    let deliveries = || async {
        let (s, v) = sb.get_json("/__sandbox/webhooks?refid=WH-1").await;
        assert_eq!(s, 200);
        v["deliveries"].as_array().unwrap().clone()
    };
    eventually("two deliveries", || async { deliveries().await.len() == 2 }).await;
    let d = deliveries().await;
    assert_eq!(d[0]["event"], "create");
    assert_eq!(d[0]["body"]["status"], "pending");
    assert_eq!(d[1]["event"], "status");
    assert_eq!(d[1]["body"]["status"], "success");
    for x in &d {
        assert_schema("CheckTransactionResponse", &x["body"]);
        let parsed = parse_webhook(x["body"].to_string().as_bytes()).unwrap();
        assert_eq!(
            (parsed.refid.as_str(), parsed.kodereseller.as_str()),
            ("WH-1", "RS00001")
        );
    }

    // resubmitWebhook out of the box: the built-in receiver's reply comes back.
    let r = sb
        .call::<ResubmitWebhook>(VERIFIED, RefIdRequest { refid: "WH-1".into() })
        .await
        .ok();
    assert_eq!(r.message, "Webhook dikirim ulang");
    assert_eq!(r.webhook_url, format!("{}/__sandbox/webhook-receiver", sb.url));
    let reply: Value = serde_json::from_str(&r.response).unwrap();
    assert_eq!(reply["ok"], true);
    let d = deliveries().await;
    assert_eq!(d.len(), 3);
    assert_eq!(
        (d[2]["event"].as_str(), d[2]["body"]["status"].as_str()),
        (Some("resubmit"), Some("success"))
    );

    eventually("three deliveries logged as sent", || async {
        let st = sb.state(VERIFIED).await;
        let sent = st["webhooks_sent"].as_array().unwrap().clone();
        sent.len() == 3 && sent.iter().all(|s| s["http_status"] == 200)
    })
    .await;

    let r = sb
        .http
        .delete(format!("{}/__sandbox/webhooks", sb.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(deliveries().await.is_empty());
    sb.stop().await;
}

#[tokio::test]
async fn deliveries_reach_a_separate_server_in_order() {
    let rx = Receiver::start().await;
    let url = rx.url.clone();
    let sb = start_with(|c| {
        c.accounts[1].webhook = ics_sandbox::WebhookTarget::Url(url);
    })
    .await;
    sb.order(UNVERIFIED, "XDA1", "081234563333", "EXT-1").await.ok();
    sb.order(UNVERIFIED, "XDA1", "081234561111", "EXT-2").await.ok();
    sb.order(UNVERIFIED, "XDA1", "081234566666", "EXT-3").await.ok();
    sb.wait_status(UNVERIFIED, "EXT-1", TxStatus::Failed).await;
    eventually("four deliveries", || async { rx.got().len() == 4 }).await;
    let got = rx.got();
    let of = |refid: &str| -> Vec<(String, Value)> {
        got.iter().filter(|(_, b)| b["refid"] == refid).cloned().collect()
    };
    let s = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    };
    assert_eq!(
        statuses(&of("EXT-1")),
        s(&[("create", "pending"), ("status", "failed")])
    );
    assert_eq!(statuses(&of("EXT-2")), s(&[("create", "success")]));
    assert_eq!(statuses(&of("EXT-3")), s(&[("create", "unpaid")]));
    for (_, body) in &got {
        assert_schema("CheckTransactionResponse", body);
    }

    // resubmitWebhook: the receiver's 700-character reply, cut to 500.
    let r = sb
        .call::<ResubmitWebhook>(
            UNVERIFIED,
            RefIdRequest {
                refid: "EXT-1".into(),
            },
        )
        .await
        .ok();
    assert_eq!(r.webhook_url, rx.url);
    assert_eq!(r.response.chars().count(), 500);
    assert!(r.response.starts_with("OKxxx"));
    assert_eq!(rx.got().len(), 5);
    assert_eq!(rx.got()[4].0, "resubmit");
    // The built-in receiver saw none of it.
    let (_, v) = sb.get_json("/__sandbox/webhooks").await;
    assert!(v["deliveries"].as_array().unwrap().is_empty());
    sb.stop().await;
    rx.stop().await;
}
