//! Admission: refid once, token once, the daily cap (refused orders free it), the hourly
//! per-number limit, Retry-After; the back-office order and the CSV export.

use crate::util::*;
use ics_journal::{Limits, OrderState, Refusal};
use ics_reseller::Error;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_refuse_with_the_limit_named_and_retry_after() {
    for db in both() {
        let j = open(&db).await;
        let limits = Limits {
            daily_cap: 10_000,
            per_number_per_hour: 2,
            utc_offset_secs: 7 * 3600,
        };
        // 2026-01-01 12:00:00 WIB = 05:00 UTC.
        let t0: i64 = 1_767_243_600_000;
        let a = j
            .admit(new_order("L1", "+62 812-0000-1111", 4_000), &limits, t0)
            .await
            .unwrap();
        assert_eq!(a.number, "081200001111", "stored normalised");
        if let Some(path) = db.url.strip_prefix("sqlite://") {
            assert!(
                std::path::Path::new(&format!("{path}-wal")).exists(),
                "SQLite runs in WAL mode"
            );
        }
        assert_eq!(a.spent_today, 4_000);
        assert_eq!(
            j.admit(new_order("L1", "081200009999", 1), &limits, t0).await,
            Err(Refusal::DuplicateRefid)
        );
        let mut o = new_order("L2", "081200009999", 1);
        o.token_id = "tok-L1".into();
        assert_eq!(j.admit(o, &limits, t0).await, Err(Refusal::TokenSpent));
        j.admit(new_order("L3", "081200001111", 4_000), &limits, t0 + 60_000)
            .await
            .unwrap();
        // Third order to the same number within the hour: refused until the first is an hour old.
        match j
            .admit(new_order("L4", "081200001111", 1), &limits, t0 + 600_000)
            .await
        {
            Err(r @ Refusal::NumberRate { .. }) => {
                assert_eq!(r.retry_after_secs(), Some(3000));
                assert_eq!((r.status(), r.limit()), (429, "number_rate"));
            }
            other => panic!("{other:?}"),
        }
        // The cap: 8_000 spent, 2_001 more does not fit, 2_000 does (to the rupiah).
        match j.admit(new_order("L5", "081200005678", 2_001), &limits, t0).await {
            Err(r @ Refusal::DailyCap { spent: 8_000, .. }) => {
                // 12:00 WIB → midnight WIB is 12 hours away.
                assert_eq!(r.retry_after_secs(), Some(12 * 3600));
            }
            other => panic!("{other:?}"),
        }
        // A definite refusal upstream frees its share of the cap.
        let refused = Err(Error::Rejected {
            status: 200,
            body: Box::new(ics_reseller::ErrorBody {
                refid: Some("L3".into()),
                ..ics_reseller::ErrorBody::from_text("Transaksi gagal".into())
            }),
            retry_after_ms: None,
        });
        assert_eq!(
            j.record_answer("L3", &refused, t0).await.unwrap(),
            OrderState::Rejected
        );
        j.admit(new_order("L5", "081200005678", 6_000), &limits, t0)
            .await
            .unwrap();
        // The next shop day starts fresh.
        j.admit(
            new_order("L6", "081200005679", 10_000),
            &limits,
            t0 + 12 * 3_600_000,
        )
        .await
        .unwrap();
        // Malformed orders never reach the database.
        for bad in [
            new_order("bad refid!", "081200001234", 1),
            new_order("L7", "12", 1),
            new_order("L8", "081200001234", 0),
        ] {
            assert!(matches!(
                j.admit(bad, &limits, t0).await,
                Err(Refusal::Invalid { .. })
            ));
        }

        // Back-office: to refund first, then open; CSV with a header.
        let list = j.list(None, 100, 0).await.unwrap();
        let order: Vec<(&str, OrderState)> = list.iter().map(|o| (o.refid.as_str(), o.state)).collect();
        assert_eq!(order[0], ("L3", OrderState::Rejected), "{order:?}");
        assert!(
            order[1..].iter().all(|(_, s)| *s == OrderState::Admitted),
            "{order:?}"
        );
        assert_eq!(j.list(Some(OrderState::Rejected), 10, 0).await.unwrap().len(), 1);
        let mut csv = Vec::new();
        j.export_csv(&mut csv).await.unwrap();
        let text = String::from_utf8(csv).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1 + list.len(), "{text}");
        assert!(lines[0].starts_with("refid,state,to_refund,"));
        assert!(
            lines[1].starts_with("L3,rejected,yes,XDA1,081200001111,4000,"),
            "{text}"
        );
        j.close().await;
    }
}
