// <ics-stats>: count and total per status (getStatistik) as an SVG bar chart, with the same
// numbers as a list for screen readers and small screens. Refreshes itself when an order
// in the page changes (`ics-order` events).
//
// Attributes: base-url (back-office gateway, default /gateway/backoffice).
// Properties: client, summary (the last getStatistik answer). Methods: refresh().

import { IcsElement, errorMessage, formatRupiah, h, statusLabel, svg } from "./shared.js";
import { refreshOnOrders } from "./account.js";

const STATUSES = ["success", "pending", "failed", "unpaid"];
const COLORS = { success: "#1d7f43", pending: "#b07800", failed: "#c0362c", unpaid: "#5d6b7e" };

const STYLES = `
.head { display: flex; justify-content: space-between; align-items: center; gap: 0.5rem; margin-bottom: 0.5rem; }
svg { width: 100%; height: auto; display: block; }
svg text { font: 600 13px system-ui, sans-serif; fill: var(--_ink); }
svg text.total { font-weight: 400; fill: var(--_muted); font-size: 12px; }
svg .axis { stroke: var(--_line); }
ul { list-style: none; padding: 0; margin: 0.6rem 0 0; display: grid; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr)); gap: 0.4rem; font-size: 0.88rem; }
li { display: grid; grid-template-columns: auto 1fr; column-gap: 0.45rem; align-items: center; align-content: start; }
li .sub { grid-column: 2; color: var(--_muted); font-size: 0.82rem; }
.swatch { width: 0.8rem; height: 0.8rem; border-radius: 3px; flex: none; }
.sk { height: 180px; }
`;

export class IcsStats extends IcsElement {
  static css = STYLES;
  static defaultBaseUrl = "/gateway/backoffice";

  #state = { phase: "loading" };
  #els = {};

  /** The last getStatistik answer, or undefined. */
  get summary() {
    return this.#state.data;
  }

  build() {
    this.#els = this.buildCard();
  }

  connected() {
    refreshOnOrders(this);
    // The chart is drawn at its real width (1 SVG unit = 1 CSS px), so its 12–13 px labels
    // stay that size on a phone instead of shrinking with the viewBox; redrawn on resize.
    let width = 0;
    const resized = new ResizeObserver(() => {
      const now = this.#width();
      if (now && Math.abs(now - width) > 8 && this.#state.data) this.render();
      width = now;
    });
    resized.observe(this);
    this.signal.addEventListener("abort", () => resized.disconnect(), { once: true });
    this.refresh();
  }

  /** The chart's width in CSS px (0 while not laid out). */
  #width() {
    return Math.round(this.#els.body?.clientWidth ?? 0);
  }

  async refresh() {
    const next = await this.latest(
      () => this.#state,
      async () => ({ phase: "ok", data: await this.client.getStatistik({ signal: this.signal }) }),
    );
    if (!next) return;
    this.#state = next;
    this.render();
    this.emit("ics-stats-loaded", { summary: next.data?.summary });
  }

  render() {
    const els = this.#els;
    if (!els.body) return;
    els.title.textContent = this.t("stats.title");
    els.refresh.textContent = this.t("stats.refresh");
    const s = this.#state;
    if (!s.data) {
      els.body.replaceChildren(
        s.phase === "error"
          ? h("p", { class: "notice bad", role: "alert" }, errorMessage(this.uiLang, s.error))
          : h("div", { class: "sk skeleton", "aria-hidden": "true" }),
      );
      return;
    }
    const summary = s.data.summary ?? {};
    const rows = STATUSES.map((st) => ({
      status: st,
      count: Number(summary[st]?.count) || 0,
      total: Number(summary[st]?.total) || 0,
    }));
    const parts = [];
    if (s.phase === "error") parts.push(h("p", { class: "notice bad", role: "alert" }, errorMessage(this.uiLang, s.error)));
    parts.push(this.#chart(rows));
    parts.push(
      h(
        "ul",
        { id: "legend" },
        rows.map((r) =>
          h(
            "li",
            { dataset: { status: r.status, count: r.count, total: r.total } },
            h("span", { class: "swatch", style: `background:${COLORS[r.status]}`, "aria-hidden": "true" }),
            h("strong", {}, statusLabel(this.uiLang, r.status)),
            h("span", { class: "sub" }, `${this.t("stats.count", { n: r.count })} · ${formatRupiah(r.total)}`),
          ),
        ),
      ),
    );
    els.body.replaceChildren(...parts);
  }

  #chart(rows) {
    const W = Math.min(640, Math.max(280, this.#width() || 480));
    const H = 230;
    const top = 26;
    const base = 170;
    const slot = W / rows.length;
    const barW = Math.min(64, slot * 0.5);
    const max = Math.max(1, ...rows.map((r) => r.count));
    const desc = rows
      .map((r) => `${statusLabel(this.uiLang, r.status)}: ${this.t("stats.count", { n: r.count })}, ${formatRupiah(r.total)}`)
      .join("; ");
    const chart = svg(
      "svg",
      { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": "chart-title chart-desc", id: "chart" },
      svg("title", { id: "chart-title" }, this.t("stats.chart")),
      svg("desc", { id: "chart-desc" }, desc),
      svg("line", { class: "axis", x1: 8, x2: W - 8, y1: base + 0.5, y2: base + 0.5 }),
    );
    rows.forEach((r, i) => {
      const x = slot * i + (slot - barW) / 2;
      const height = r.count ? Math.max(4, ((base - top) * r.count) / max) : 0;
      const cx = x + barW / 2;
      chart.append(
        svg(
          "g",
          { class: "bar", "data-status": r.status, "data-count": r.count, "data-total": r.total },
          svg("rect", { x, y: base - height, width: barW, height, rx: 5, fill: COLORS[r.status] }),
          svg("text", { x: cx, y: base - height - 7, "text-anchor": "middle", class: "count" }, String(r.count)),
          svg("text", { x: cx, y: base + 20, "text-anchor": "middle" }, statusLabel(this.uiLang, r.status)),
          svg("text", { x: cx, y: base + 38, "text-anchor": "middle", class: "total" }, formatRupiah(r.total)),
        ),
      );
    });
    return chart;
  }
}
