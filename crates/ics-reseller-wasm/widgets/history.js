// <ics-history>: the reseller's orders (getHistory), paged, with a status filter and a
// "re-send webhook" button per row that shows the receiver's reply (resubmitWebhook).
// Refreshes itself when an order in the page changes (`ics-order` events).
//
// Attributes: base-url (back-office gateway, default /gateway/backoffice), limit (per page,
// default 10). Properties: client, page, status, entries. Methods: refresh().

import { IcsElement, errorMessage, formatPhone, formatRupiah, h, statusLabel } from "./shared.js";
import { refreshOnOrders } from "./account.js";

const STATUSES = ["success", "pending", "failed", "unpaid"];

const STYLES = `
.head { display: flex; justify-content: space-between; align-items: end; gap: 0.75rem; flex-wrap: wrap; margin-bottom: 0.75rem; }
.head .filter { min-width: 12rem; }
.wrap { overflow-x: auto; }
table { width: 100%; border-collapse: collapse; font-size: 0.9rem; }
th, td { text-align: left; padding: 0.55rem 0.5rem; border-bottom: 1px solid var(--_line); vertical-align: top; }
th { font-size: 0.78rem; text-transform: uppercase; letter-spacing: 0.04em; color: var(--_muted); }
td.num { text-align: right; white-space: nowrap; }
th.num { text-align: right; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.82rem; word-break: break-all; }
tr.reply td { background: var(--_soft); }
pre { margin: 0.3rem 0 0; white-space: pre-wrap; word-break: break-all; font-size: 0.8rem; }
td button { min-height: 2.2rem; padding: 0.25rem 0.6rem; font-size: 0.85rem; white-space: nowrap; }
.pager span { white-space: nowrap; }
.pager { display: flex; justify-content: space-between; align-items: center; gap: 0.5rem; margin-top: 0.75rem; }
.sk { height: 1.2rem; margin: 0.5rem 0; }
@media (max-width: 640px) {
  thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table, tbody, tr, td { display: block; width: 100%; }
  tr.entry { border: 1px solid var(--_line); border-radius: 10px; margin-bottom: 0.6rem; padding: 0.4rem 0.6rem; }
  tr.reply { margin: -0.6rem 0 0.6rem; }
  td { border: 0; padding: 0.2rem 0; display: flex; justify-content: space-between; gap: 0.75rem; text-align: right; }
  td::before { content: attr(data-label); color: var(--_muted); font-size: 0.8rem; text-align: left; }
  td.num { text-align: right; }
  tr.reply td::before { content: none; }
  tr.reply td { display: block; text-align: left; border-radius: 10px; padding: 0.5rem 0.6rem; }
}
`;

export class IcsHistory extends IcsElement {
  static css = STYLES;
  static defaultBaseUrl = "/gateway/backoffice";

  #page = 1;
  #status = "";
  #state = { phase: "loading" };
  /** refid → { phase: "sending" | "ok" | "error", reply?, url?, error? } */
  #resend = new Map();
  #els = {};

  get #limit() {
    const n = Number(this.getAttribute("limit"));
    return Number.isInteger(n) && n >= 1 && n <= 100 ? n : 10;
  }

  /** The page shown, from 1. */
  get page() {
    return this.#page;
  }
  /** The status filter ("" for all). */
  get status() {
    return this.#status;
  }
  /** The orders of the page shown. */
  get entries() {
    return this.#state.data ?? [];
  }

  build() {
    const els = {
      title: h("h2", { id: "t" }),
      filterLabel: h("label", { for: "status" }),
      filter: h("select", {
        id: "status",
        onchange: (e) => {
          this.#status = e.target.value;
          this.#page = 1;
          this.refresh();
        },
      }),
      refresh: h("button", { type: "button", onclick: () => this.refresh() }),
      body: h("div", { class: "wrap", "aria-live": "polite" }),
      prev: h("button", { type: "button", id: "prev", onclick: () => this.#go(-1) }),
      next: h("button", { type: "button", id: "next", onclick: () => this.#go(1) }),
      pageNo: h("span", { class: "muted small", id: "page" }),
      pager: h("nav", { class: "pager" }),
    };
    els.pager.append(els.prev, els.pageNo, els.next);
    this.#els = els;
    this.shadowRoot.append(
      h(
        "section",
        { class: "card", "aria-labelledby": "t" },
        h(
          "div",
          { class: "head" },
          els.title,
          h("div", { class: "row" }, h("div", { class: "filter" }, els.filterLabel, els.filter), h("div", {}, h("label", { "aria-hidden": "true" }, " "), els.refresh)),
        ),
        els.body,
        els.pager,
      ),
    );
  }

  connected() {
    refreshOnOrders(this);
    this.refresh();
  }

  #go(delta) {
    this.#page = Math.max(1, this.#page + delta);
    this.refresh();
  }

  async refresh() {
    this.#state = { ...this.#state, phase: "loading" };
    this.render();
    const next = await this.latest(
      () => this.#state,
      async () => {
        const r = await this.client.getHistory(
          { page: this.#page, limit: this.#limit, status: this.#status || undefined },
          { signal: this.signal },
        );
        return { phase: "ok", data: r.data ?? [], limit: r.limit ?? this.#limit };
      },
    );
    if (!next) return;
    this.#state = next;
    this.render();
    this.emit("ics-history-loaded", { page: this.#page, count: next.data?.length ?? 0 });
  }

  async #resendWebhook(refid) {
    if (this.#resend.get(refid)?.phase === "sending") return;
    this.#resend.set(refid, { phase: "sending" });
    this.render();
    try {
      const r = await this.client.resubmitWebhook({ refid }, { signal: this.signal });
      this.#resend.set(refid, { phase: "ok", reply: r.response, url: r.webhook_url, message: r.message });
    } catch (error) {
      if (error?.code === "aborted") return;
      this.#resend.set(refid, { phase: "error", error });
    }
    this.render();
  }

  render() {
    const els = this.#els;
    if (!els.body) return;
    els.title.textContent = this.t("history.title");
    els.filterLabel.textContent = this.t("history.filter");
    els.filter.replaceChildren(
      h("option", { value: "" }, this.t("history.all")),
      ...STATUSES.map((s) => h("option", { value: s }, statusLabel(this.uiLang, s))),
    );
    els.filter.value = this.#status;
    els.refresh.textContent = this.t("history.refresh");
    els.pager.setAttribute("aria-label", this.t("history.pager"));
    els.prev.textContent = `← ${this.t("history.prev")}`;
    els.next.textContent = `${this.t("history.next")} →`;
    els.pageNo.textContent = this.t("history.page", { n: this.#page });

    const s = this.#state;
    els.body.setAttribute("aria-busy", String(s.phase === "loading"));
    els.prev.disabled = this.#page <= 1 || s.phase === "loading";
    els.next.disabled = s.phase !== "ok" || s.data.length < (s.limit ?? this.#limit);
    const focusedRef = this.shadowRoot.activeElement?.dataset?.refid;

    if (!s.data && s.phase === "loading") {
      els.body.replaceChildren(
        ...Array.from({ length: 4 }, () => h("div", { class: "sk skeleton", "aria-hidden": "true" })),
      );
      return;
    }
    const parts = [];
    if (s.phase === "error") parts.push(h("p", { class: "notice bad", role: "alert" }, errorMessage(this.uiLang, s.error)));
    const rows = s.data ?? [];
    if (!rows.length && s.phase === "ok") {
      parts.push(h("p", { class: "muted" }, this.t(this.#page > 1 ? "history.noMore" : "history.empty")));
    } else if (rows.length) {
      const cols = ["time", "refid", "product", "number", "price", "status", "action"];
      parts.push(
        h(
          "table",
          {},
          h(
            "thead",
            {},
            h("tr", {}, cols.map((c) => h("th", { scope: "col", class: c === "price" ? "num" : undefined }, this.t(`history.${c}`)))),
          ),
          h("tbody", {}, rows.map((e) => this.#row(e))),
        ),
      );
    }
    els.body.replaceChildren(...parts);
    if (focusedRef) els.body.querySelector(`button[data-refid="${CSS.escape(focusedRef)}"]`)?.focus();
  }

  #row(e) {
    const label = (k) => this.t(`history.${k}`);
    const re = this.#resend.get(e.refid);
    const tr = h(
      "tr",
      { class: "entry", dataset: { refid: e.refid, status: e.status } },
      h("td", { "data-label": label("time") }, e.time),
      h("td", { "data-label": label("refid") }, h("code", {}, e.refid)),
      h("td", { "data-label": label("product") }, e.kodeproduk),
      h("td", { "data-label": label("number") }, formatPhone(e.nomor)),
      h("td", { class: "num", "data-label": label("price") }, formatRupiah(e.harga)),
      h("td", { "data-label": label("status") }, h("span", { class: `badge ${e.status}` }, statusLabel(this.uiLang, e.status))),
      h(
        "td",
        { "data-label": label("action") },
        h(
          "button",
          {
            type: "button",
            class: "resend",
            dataset: { refid: e.refid },
            "aria-label": this.t("history.resendLabel", { refid: e.refid }),
            disabled: re?.phase === "sending",
            onclick: () => this.#resendWebhook(e.refid),
          },
          re?.phase === "sending" ? this.t("history.resending") : this.t("history.resend"),
        ),
      ),
    );
    if (!re || re.phase === "sending") return tr;
    const detail =
      re.phase === "ok"
        ? h(
            "div",
            { class: "webhook-reply", role: "status" },
            h("span", { class: "small" }, this.t("history.reply", { url: re.url })),
            h("pre", {}, re.reply),
          )
        : h("div", { class: "notice bad webhook-reply", role: "alert" }, errorMessage(this.uiLang, re.error));
    return [tr, h("tr", { class: "reply", dataset: { refid: e.refid } }, h("td", { colspan: "7" }, detail))];
  }
}
