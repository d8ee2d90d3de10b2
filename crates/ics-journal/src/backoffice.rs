//! Queries for the back-office: orders by state with "paid but failed" (to refund:
//! failed, rejected, not placed) first, then "still open", then delivered; counts per
//! state; and a CSV export.

use crate::journal::{Journal, JournalError, OrderRecord, OrderState, COLS};
use sqlx::Row;
use std::borrow::Cow;

const PRIORITY: &str = "CASE WHEN state IN ('failed', 'rejected', 'not_placed') THEN 0 \
     WHEN is_final = 0 THEN 1 ELSE 2 END";

impl Journal {
    /// Orders, to-refund first, then open, then delivered; newest first within each group.
    /// `state` keeps one state only.
    pub async fn list(
        &self,
        state: Option<OrderState>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<OrderRecord>, JournalError> {
        let filter = if state.is_some() { "WHERE state = $3" } else { "" };
        let sql = format!(
            "SELECT {COLS} FROM journal_orders {filter} ORDER BY {PRIORITY}, created_at DESC, refid \
             LIMIT $1 OFFSET $2"
        );
        let mut q = sqlx::query(&sql).bind(limit.clamp(0, 10_000)).bind(offset.max(0));
        if let Some(s) = state {
            q = q.bind(s.as_str());
        }
        let rows = q.fetch_all(self.pool()).await?;
        Ok(rows.iter().map(OrderRecord::from_row).collect::<Result<_, _>>()?)
    }

    /// How many orders are in each state (states with none left out).
    pub async fn counts(&self) -> Result<Vec<(OrderState, i64)>, JournalError> {
        let rows = sqlx::query("SELECT state, COUNT(*) AS n FROM journal_orders GROUP BY state")
            .fetch_all(self.pool())
            .await?;
        let mut out = Vec::new();
        for r in rows {
            let s: String = r.try_get("state")?;
            if let Some(state) = OrderState::parse(&s) {
                out.push((state, r.try_get("n")?));
            }
        }
        out.sort_by_key(|(s, _)| OrderState::ALL.iter().position(|x| x == s));
        Ok(out)
    }

    /// Every order as CSV (header row first), in [`Journal::list`]'s order.
    pub async fn export_csv<W: std::io::Write>(&self, out: W) -> Result<(), JournalError> {
        let mut w = csv::Writer::from_writer(out);
        let io = |e: csv::Error| JournalError::Export(e.to_string());
        w.write_record([
            "refid",
            "state",
            "to_refund",
            "product",
            "number",
            "price_bound",
            "price",
            "supplier_trxid",
            "created_at_ms",
            "updated_at_ms",
            "message",
        ])
        .map_err(io)?;
        let mut offset = 0;
        loop {
            let page = self.list(None, 1000, offset).await?;
            for o in &page {
                w.write_record(
                    [
                        o.refid.as_str(),
                        o.state.as_str(),
                        if o.state.to_refund() { "yes" } else { "no" },
                        &o.product,
                        &o.number,
                        &o.price_bound.to_string(),
                        &o.price.map(|p| p.to_string()).unwrap_or_default(),
                        o.supplier_trxid.as_deref().unwrap_or(""),
                        &o.created_at.to_string(),
                        &o.updated_at.to_string(),
                        o.message.as_deref().unwrap_or(""),
                    ]
                    .map(csv_cell)
                    .iter()
                    .map(|c| c.as_bytes()),
                )
                .map_err(io)?;
            }
            if page.len() < 1000 {
                break;
            }
            offset += 1000;
        }
        w.flush().map_err(|e| JournalError::Export(e.to_string()))?;
        Ok(())
    }
}

/// A cell as the CSV export writes it: with a leading `'` when a spreadsheet would run it
/// as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a carriage return; OWASP "CSV
/// injection"): upstream texts (`message`, `supplier_trxid`) reach the export. Plain
/// integers (digits after an optional `-`, such as `-5`) are left as they are.
pub fn csv_cell(cell: &str) -> Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let digits = cell.strip_prefix('-').unwrap_or(cell);
    let integer = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    if risky && !integer {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::csv_cell;

    #[test]
    fn csv_cells_defuse_formulas() {
        for (cell, written) in [
            ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
            ("-5", "-5"),
            ("+1", "'+1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("-x", "'-x"),
            ("plain", "plain"),
            ("", ""),
        ] {
            assert_eq!(csv_cell(cell), written, "{cell:?}");
        }
    }
}
