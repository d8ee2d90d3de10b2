// <ics-account>: the reseller's balance and verification status (getBalance), for the
// back-office. Refreshes itself when an order in the page changes (`ics-order` events).
//
// Attributes: base-url (back-office gateway, default /gateway/backoffice).
// Properties: client, balance (the last getBalance data). Methods: refresh().

import { IcsElement, errorMessage, formatRupiah, h } from "./shared.js";

/** Back-office widgets refresh on these order phases (the order exists and changed). */
export const REFRESH_PHASES = ["pending", "success", "failed", "still-pending"];

const STYLES = `
.head { display: flex; justify-content: space-between; align-items: center; gap: 0.5rem; margin-bottom: 0.6rem; }
.balance { font-size: 2rem; font-weight: 800; letter-spacing: -0.01em; margin: 0.2rem 0 0.4rem; }
dl { display: grid; grid-template-columns: auto 1fr; gap: 0.25rem 0.9rem; margin: 0.4rem 0 0; font-size: 0.92rem; }
dt { color: var(--_muted); }
dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
.sk { height: 2.3rem; width: 60%; margin: 0.3rem 0; }
`;

/** Calls `refresh` of `el` (debounced) when an order of the page changes. */
export function refreshOnOrders(el) {
  let timer;
  el.ownerDocument.addEventListener(
    "ics-order",
    (ev) => {
      if (!REFRESH_PHASES.includes(ev.detail?.phase)) return;
      clearTimeout(timer);
      timer = setTimeout(() => el.refresh(), 150);
    },
    { signal: el.signal },
  );
}

export class IcsAccount extends IcsElement {
  static css = STYLES;
  static defaultBaseUrl = "/gateway/backoffice";

  #state = { phase: "loading" };
  #els = {};

  /** The last getBalance `data`, or undefined. */
  get balance() {
    return this.#state.data;
  }

  build() {
    this.#els = this.buildCard();
  }

  connected() {
    refreshOnOrders(this);
    this.refresh();
  }

  async refresh() {
    if (!this.#state.data) this.#state = { phase: "loading" };
    this.#els.body?.setAttribute("aria-busy", "true");
    this.render();
    const next = await this.latest(
      () => this.#state,
      async () => {
        const r = await this.client.getBalance({ signal: this.signal });
        return { phase: "ok", data: r.data, at: new Date() };
      },
    );
    if (!next) return;
    this.#state = next;
    this.#els.body.setAttribute("aria-busy", "false");
    this.render();
    this.emit("ics-account-loaded", { balance: next.data });
  }

  render() {
    const els = this.#els;
    if (!els.body) return;
    els.title.textContent = this.t("account.title");
    els.refresh.textContent = this.t("account.refresh");
    const s = this.#state;
    if (!s.data && s.phase === "loading") {
      els.body.replaceChildren(h("div", { class: "sk skeleton", "aria-hidden": "true" }));
      return;
    }
    const parts = [];
    if (s.phase === "error") parts.push(h("p", { class: "notice bad", role: "alert" }, errorMessage(this.uiLang, s.error)));
    const d = s.data;
    if (d) {
      parts.push(
        h("p", { class: "muted small" }, this.t("account.balance")),
        h("p", { class: "balance", id: "saldo", dataset: { saldo: d.saldo } }, formatRupiah(d.saldo)),
        h(
          "span",
          { class: `badge ${d.verif ? "ok" : "warn"}`, id: "verif", dataset: { verif: d.verif } },
          d.verif ? `✓ ${this.t("account.verified")}` : this.t("account.unverified"),
        ),
        h(
          "dl",
          {},
          h("dt", {}, this.t("account.name")),
          h("dd", {}, d.nama),
          h("dt", {}, this.t("account.code")),
          h("dd", {}, d.kodereseller),
        ),
      );
      if (s.at) {
        const time = s.at.toLocaleTimeString(this.uiLang === "en" ? "en-GB" : "id-ID");
        parts.push(h("p", { class: "muted small", style: "margin-top:0.5rem" }, this.t("account.updated", { time })));
      }
    }
    els.body.replaceChildren(...parts);
  }
}
