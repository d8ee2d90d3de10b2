//! Each action's answer, field by field, and the test numbers.

use crate::util::*;
use ics_reseller::actions::*;
use ics_reseller::*;
use serde_json::json;

#[tokio::test]
async fn ping_profile_balance() {
    let sb = start().await;
    let p = sb.call::<Ping>(VERIFIED, NoParams {}).await.ok();
    assert!(p.success);
    assert_eq!(p.kodereseller, "RS00001");

    let prof = sb.call::<GetProfile>(VERIFIED, NoParams {}).await;
    assert!(prof.body["data"].get("email").is_some());
    let prof = prof.ok().data;
    assert_eq!(prof.kodereseller, "RS00001");
    assert_eq!((prof.saldo, prof.verif), (1_000_000, true));
    assert!(prof.nomor.ends_with("@s.whatsapp.net") && prof.email.contains('@') && !prof.nama.is_empty());

    let bal = sb.call::<GetBalance>(UNVERIFIED, NoParams {}).await;
    assert!(bal.body["data"].get("email").is_none(), "getBalance has no email");
    let bal = bal.ok().data;
    assert_eq!(
        (bal.kodereseller.as_str(), bal.saldo, bal.verif),
        ("RS00002", 100_000, false)
    );
    let low = sb.call::<GetBalance>(LOWBALANCE, NoParams {}).await.ok().data;
    assert_eq!(low.saldo, 5_000);

    // apikey in the query works too.
    let q = Client::new(Config {
        auth: AuthMode::Query,
        ..Config::new(&sb.url, Some(ApiKey::new(UNVERIFIED).unwrap())).unwrap()
    });
    assert_eq!(
        sb.call_with::<Ping>(&q, NoParams {}).await.ok().kodereseller,
        "RS00002"
    );
    sb.stop().await;
}

fn list(t: ProductType, providers: Option<&[&str]>) -> ListProductsRequest {
    ListProductsRequest {
        product_type: t,
        providers: providers.map(|p| p.iter().map(|s| s.to_string()).collect()),
    }
}

#[tokio::test]
async fn catalog_types_titles_filters() {
    let sb = start().await;
    let mut all_codes = 0;
    let mut titles = std::collections::HashSet::new();
    for t in [
        ProductType::Xla,
        ProductType::Bpa,
        ProductType::Fmax,
        ProductType::Xda,
    ] {
        let r = sb.call::<ListProducts>(VERIFIED, list(t, None)).await.ok();
        assert_eq!(r.product_type, t.as_str());
        assert!(titles.insert(r.title.clone()), "title per type");
        assert!(!r.data.ready.is_empty() && !r.data.empty.is_empty(), "{t:?}");
        assert!(r.providers_used.len() >= 2, "{t:?} from several providers");
        assert!(r
            .data
            .ready
            .iter()
            .all(|p| p.stok > 0 && p.product_type == t.as_str()));
        assert!(r.data.empty.iter().all(|p| p.stok == 0));
        for p in r.data.ready.iter().chain(&r.data.empty) {
            assert!(r.providers_used.contains(&p.provider));
            assert!(!p.nama_produk.is_empty() && !p.deskripsi.is_empty() && p.harga_final > 0);
        }
        all_codes += r.data.ready.len() + r.data.empty.len();
    }
    let all = sb
        .call::<ListProducts>(VERIFIED, list(ProductType::All, None))
        .await
        .ok();
    assert_eq!(all.product_type, "all");
    assert_eq!(all.data.ready.len() + all.data.empty.len(), all_codes);
    let xla = sb
        .call::<ListProducts>(VERIFIED, list(ProductType::Xla, None))
        .await
        .ok();
    assert_eq!(xla.title, "Daftar Produk Bulanan");
    let xla10 = xla.data.ready.iter().find(|p| p.kode_produk == "XLA10").unwrap();
    assert_eq!((xla10.harga_final, xla10.provider.as_str()), (20000, "KUBER"));

    let f = sb
        .call::<ListProducts>(VERIFIED, list(ProductType::All, Some(&["KUBER", "BEKASANL"])))
        .await
        .ok();
    assert_eq!(f.providers_used, ["KUBER", "BEKASANL"]);
    let provs: std::collections::HashSet<_> = f
        .data
        .ready
        .iter()
        .chain(&f.data.empty)
        .map(|p| p.provider.as_str())
        .collect();
    assert_eq!(provs, ["KUBER", "BEKASANL"].into_iter().collect());
    sb.stop().await;
}

#[tokio::test]
async fn markup_applies_to_prices_and_charges() {
    let sb = start_with(|c| {
        c.markup.flat = 250;
        c.markup.percent = 10.0;
    })
    .await;
    let xla = sb
        .call::<ListProducts>(VERIFIED, list(ProductType::Xla, None))
        .await
        .ok();
    let xla10 = xla.data.ready.iter().find(|p| p.kode_produk == "XLA10").unwrap();
    assert_eq!(xla10.harga_final, 20000 + 2000 + 250);
    let o = sb.order(VERIFIED, "XLA10", "081234561111", "MK-1").await.ok();
    assert_eq!(o.saldo_awal - o.saldo_akhir, 22250);
    let c = sb.wait_status(VERIFIED, "MK-1", TxStatus::Success).await;
    assert_eq!(c.harga, 22250);
    sb.stop().await;
}

#[tokio::test]
async fn test_numbers_follow_the_table() {
    // A settle delay long enough that "still pending right after the order" holds on a
    // loaded machine.
    let sb = start_with(|c| c.settle_ms = 2_000).await;
    let k = VERIFIED;
    // …1111: success at once.
    let a = sb.order(k, "XLA10", "0812-3456-1111", "TN-1111").await.ok();
    assert!(!a.pending);
    assert_eq!((a.saldo_awal, a.saldo_akhir), (1_000_000, 980_000));
    assert!(a.supplier_trxid.is_some());
    let c = sb
        .call::<CheckTransaction>(
            k,
            RefIdRequest {
                refid: "TN-1111".into(),
            },
        )
        .await
        .ok();
    assert_eq!(c.status, TxStatus::Success);
    assert_eq!(c.nomor_tujuan, "081234561111", "stored normalised");
    assert!(c.note.as_deref().unwrap().starts_with("SN: "));

    // …2222 and any other number: pending, then success.
    let pending = [("TN-2222", "+62 812 3456 2222"), ("TN-OTHER", "6281234567890")];
    for (refid, number) in pending {
        let a = sb.order(k, "XDA1", number, refid).await.ok();
        assert!(a.pending);
        let c = sb
            .call::<CheckTransaction>(k, RefIdRequest { refid: refid.into() })
            .await
            .ok();
        assert_eq!(c.status, TxStatus::Pending);
    }
    for (refid, _) in pending {
        let done = sb.wait_status(k, refid, TxStatus::Success).await;
        assert_ne!(done.updated_at, "");
    }

    // …3333: pending, then failed with a refund.
    let before = sb.call::<GetBalance>(k, NoParams {}).await.ok().data.saldo;
    let a = sb.order(k, "XLA25", "081234563333", "TN-3333").await.ok();
    assert!(a.pending);
    assert_eq!(a.saldo_awal - a.saldo_akhir, 35000);
    sb.wait_status(k, "TN-3333", TxStatus::Failed).await;
    let after = sb.call::<GetBalance>(k, NoParams {}).await.ok().data.saldo;
    assert_eq!(before, after, "refunded");

    // …4444: rejected by the supplier: error body, balance untouched, no order.
    let e = sb.order(k, "XLA10", "081234564444", "TN-4444").await.err();
    match e {
        Error::Rejected { body, .. } => {
            assert_eq!(body.refid.as_deref(), Some("TN-4444"));
            assert_eq!(body.saldo_awal, Some(after));
            assert_eq!(body.saldo_akhir, Some(after));
        }
        other => panic!("{other:?}"),
    }
    let e = sb
        .call::<CheckTransaction>(
            k,
            RefIdRequest {
                refid: "TN-4444".into(),
            },
        )
        .await
        .err();
    assert!(matches!(e, Error::NotFound { .. }));

    // …5555 stays pending, …6666 stays unpaid (and is not charged).
    sb.order(k, "XDA1", "081234565555", "TN-5555").await.ok();
    let u = sb.order(k, "XDA1", "081234566666", "TN-6666").await.ok();
    assert!(u.pending);
    assert_eq!(u.saldo_awal, u.saldo_akhir, "unpaid is not charged");
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let s = |r: &str| RefIdRequest { refid: r.into() };
    assert_eq!(
        sb.call::<CheckTransaction>(k, s("TN-5555")).await.ok().status,
        TxStatus::Pending
    );
    assert_eq!(
        sb.call::<CheckTransaction>(k, s("TN-6666")).await.ok().status,
        TxStatus::Unpaid
    );

    let st = sb.state(k).await;
    assert_eq!(st["ledger"]["balanced"], true, "{st}");
    assert_eq!(st["orders"].as_array().unwrap().len(), 6);
    sb.stop().await;
}

#[tokio::test]
async fn check_transaction_by_get_and_post() {
    let sb = start().await;
    sb.order(VERIFIED, "XLA10", "081234565555", "CHK-1").await.ok();
    let via_get = sb
        .call::<CheckTransaction>(
            VERIFIED,
            RefIdRequest {
                refid: "CHK-1".into(),
            },
        )
        .await
        .ok();
    assert_eq!(via_get.refid, "CHK-1");
    assert_eq!(
        (
            via_get.kode_produk.as_str(),
            via_get.harga,
            via_get.kodereseller.as_str()
        ),
        ("XLA10", 20000, "RS00001")
    );
    assert!(via_get.supplier_trxid.is_some() && via_get.message.is_some() && via_get.note.is_some());
    assert_eq!(via_get.updated_at.len(), 19, "YYYY-MM-DD HH:MM:SS");
    let r = sb
        .http
        .post(format!("{}/?action=checkTransaction", sb.url))
        .header("X-API-Key", VERIFIED)
        .header("Content-Type", "application/json")
        .body(json!({"refid": "CHK-1"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let raw = r.bytes().await.unwrap();
    let body: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    assert_schema("CheckTransactionResponse", &body);
    let via_post = http::decode::<CheckTransaction>(200, None, &raw).unwrap();
    assert_eq!(via_post, via_get);
    sb.stop().await;
}

fn hist(page: Option<u32>, limit: Option<u32>, status: Option<TxStatus>) -> GetHistoryRequest {
    GetHistoryRequest { page, limit, status }
}

#[tokio::test]
async fn history_is_newest_first_and_paged() {
    let sb = start().await;
    let empty = sb.call::<GetHistory>(VERIFIED, hist(None, None, None)).await.ok();
    assert_eq!((empty.page, empty.limit, empty.data.len()), (1, 10, 0));
    for i in 0..7 {
        let number = if i % 2 == 0 {
            "081234561111"
        } else {
            "081234565555"
        };
        sb.order(VERIFIED, "XDA1", number, &format!("H-{i}")).await.ok();
    }
    let p1 = sb
        .call::<GetHistory>(VERIFIED, hist(Some(1), Some(3), None))
        .await
        .ok();
    let refids: Vec<_> = p1.data.iter().map(|e| e.refid.as_str()).collect();
    assert_eq!(refids, ["H-6", "H-5", "H-4"]);
    assert_eq!((p1.page, p1.limit), (1, 3));
    let e = &p1.data[0];
    assert_eq!(
        (e.kodeproduk.as_str(), e.harga, e.nomor.as_str()),
        ("XDA1", 3000, "081234561111")
    );
    assert!(e.supplier_trxid.is_some() && e.message.is_some() && e.time.len() == 19);
    let p3 = sb
        .call::<GetHistory>(VERIFIED, hist(Some(3), Some(3), None))
        .await
        .ok();
    assert_eq!(p3.data.len(), 1, "the last page is shorter than limit");
    assert_eq!(p3.data[0].refid, "H-0");
    let p4 = sb
        .call::<GetHistory>(VERIFIED, hist(Some(4), Some(3), None))
        .await
        .ok();
    assert!(p4.data.is_empty());
    let pending = sb
        .call::<GetHistory>(VERIFIED, hist(None, Some(100), Some(TxStatus::Pending)))
        .await
        .ok();
    let refids: Vec<_> = pending.data.iter().map(|e| e.refid.as_str()).collect();
    assert_eq!(refids, ["H-5", "H-3", "H-1"]);
    let success = sb
        .call::<GetHistory>(VERIFIED, hist(None, None, Some(TxStatus::Success)))
        .await
        .ok();
    assert_eq!(success.data.len(), 4);
    assert!(success.data.iter().all(|e| e.status == TxStatus::Success));
    sb.stop().await;
}

#[tokio::test]
async fn statistik_counts_and_totals_per_status() {
    let sb = start().await;
    let s0 = sb.call::<GetStatistik>(VERIFIED, NoParams {}).await.ok();
    assert_eq!(s0.saldo, 1_000_000);
    assert_eq!(s0.summary.success.count + s0.summary.pending.count, 0);
    sb.order(VERIFIED, "XLA10", "081234561111", "S-1").await.ok();
    sb.order(VERIFIED, "XLA10", "081234561111", "S-2").await.ok();
    sb.order(VERIFIED, "XDA1", "081234565555", "S-3").await.ok();
    sb.order(VERIFIED, "XDA3", "081234566666", "S-4").await.ok();
    sb.order(VERIFIED, "XLA5", "081234563333", "S-5").await.ok();
    sb.wait_status(VERIFIED, "S-5", TxStatus::Failed).await;
    let s = sb.call::<GetStatistik>(VERIFIED, NoParams {}).await.ok();
    let pair = |x: &StatusSummary| (x.count, x.total);
    assert_eq!(pair(&s.summary.success), (2, 40000));
    assert_eq!(pair(&s.summary.pending), (1, 3000));
    assert_eq!(pair(&s.summary.unpaid), (1, 7000));
    assert_eq!(pair(&s.summary.failed), (1, 12000));
    assert_eq!(s.saldo, 1_000_000 - 40000 - 3000);
    sb.stop().await;
}

#[tokio::test]
async fn state_and_reset() {
    let sb = start().await;
    sb.order(VERIFIED, "XLA10", "081234563333", "R-1").await.ok();
    sb.wait_status(VERIFIED, "R-1", TxStatus::Failed).await;
    let st = sb.state(VERIFIED).await;
    assert_eq!(
        st["ledger"],
        json!({"initial": 1_000_000, "charged": 20000, "refunded": 20000, "balance": 1_000_000, "balanced": true})
    );
    assert_eq!(st["orders"][0]["refid"], "R-1");
    let (s, _) = sb.get_json("/__sandbox/state?key=nobody").await;
    assert_eq!(s, 404);
    let (s, all) = sb.get_json("/__sandbox/state").await;
    assert_eq!((s, all["accounts"].as_array().unwrap().len()), (200, 4));

    sb.order(VERIFIED, "XLA10", "081234565555", "R-2").await.ok();
    let (s, _) = sb.post_json("/__sandbox/reset", &json!({})).await;
    assert_eq!(s, 200);
    let st = sb.state(VERIFIED).await;
    assert_eq!(st["balance"], 1_000_000);
    assert!(st["orders"].as_array().unwrap().is_empty());
    let e = sb
        .call::<CheckTransaction>(VERIFIED, RefIdRequest { refid: "R-2".into() })
        .await
        .err();
    assert!(matches!(e, Error::NotFound { .. }));
    // The refid is free again after a reset.
    sb.order(VERIFIED, "XLA10", "081234561111", "R-2").await.ok();
    let (s, info) = sb.get_json("/__sandbox/info").await;
    assert_eq!(s, 200);
    assert_eq!(info["test_numbers"].as_array().unwrap().len(), 7);
    assert!(!info.to_string().contains("sk_test_"), "info shows no keys");
    sb.stop().await;
}
