//# allFunctionsCalledOnLoad
// (V8's explicit compile hint: this module's functions are compiled with it, while it streams
// in off the main thread, instead of lazily on their first call inside the widget's upgrade,
// ~50-70 ms there at 4x CPU. The shop page calls nearly all of them while loading.)
// <ics-checkout>: buy the chosen package. A phone field that normalises as you type and
// names the operator (normalizePhone), a warning when the package does not fit that
// operator, an order button that cannot double-submit, a live tracker (sent → processing →
// delivered or failed) on waitForTransaction, one clear message per error code, and the
// order's refid, shown and copyable.
//
// Payment first: with `token-url`, "Beli sekarang" opens a payment step (the amount and a
// "Bayar" button); paying POSTs `{kode_produk, nomor_tujuan, refid}` as JSON to that URL
// (the shop's backend: it takes the payment and signs an order token; credentials
// same-origin) and expects `{token, max_price, expires_at}`; the order is then placed with
// that token (`orderToken`), which ics-gateway requires; the same token goes with every
// status check of that order (tracking, "Cek status"), since ics-gateway answers
// checkTransaction only to the order's token. Without `token-url` the order is placed and
// checked without one (a gateway in --open-orders mode, or a private page).
// After a final status the order button becomes "Beli lagi": one more click starts a new
// order (a new refid) and never places a second one by itself.
//
// Attributes: base-url (gateway, default /gateway), token-url (see above), poll-ms
// (default 1500), timeout-ms (how long to track a pending order, default 60000).
// Properties: client, product (a listProducts product), phone (the field's text), order.
// Listens to `ics-select` anywhere in the document (fired by <ics-catalog>).
// Events: ics-order ({ phase, refid, status?, product, number, error? }) on every change;
// phase is pay, paying, sending, pending, success, failed, still-pending, not-found or error.

import { newRefId, normalizePhone, productTypeFits, ready } from "../index.js";
import { IcsElement, errorMessage, formatPhone, formatRupiah, h, setAttr, setText } from "./shared.js";

/**
 * Phases after an order was sent and is no longer being tracked: the order button then
 * reads "Beli lagi" and starts a new order (a new refid) instead of placing one. A
 * still-pending order may yet succeed, so it counts too.
 */
const FINAL = ["success", "failed", "error", "not-found", "still-pending"];
/** Phases of the payment step, before anything is ordered. */
const PAYING = ["pay", "paying"];

/**
 * Asks the shop's backend at `url` for the order token of `order` (`{kode_produk,
 * nomor_tujuan, refid}`) after it took the payment: `{token, max_price, expires_at}`.
 * Throws an error with `code: "payment"` (and `status`) when it refuses.
 */
export async function fetchOrderToken(url, order, signal) {
  let resp;
  try {
    resp = await fetch(new URL(url, document.baseURI), {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      credentials: "same-origin",
      body: JSON.stringify(order),
      signal,
    });
  } catch (cause) {
    if (signal?.aborted) throw Object.assign(new Error("aborted"), { code: "aborted" });
    throw Object.assign(new Error("the payment could not be sent"), { code: "network", cause });
  }
  const body = await resp.json().catch(() => null);
  if (!resp.ok || typeof body?.token !== "string") {
    const reason = typeof body?.error === "string" ? body.error : `HTTP ${resp.status}`;
    throw Object.assign(new Error(reason), { code: "payment", status: resp.status, body });
  }
  return body;
}

/** The operators `normalizePhone` names (the order the mismatch warning lists them in). */
const OPERATORS = ["telkomsel", "indosat", "xl", "axis", "tri", "smartfren"];

/** Whether `product` can be used on a number of `operator`: the core's rule (`productTypeFits`). */
export function productFitsOperator(product, operator) {
  return productTypeFits(String(product?.type ?? ""), operator);
}

const STYLES = `
section { display: grid; gap: 0.9rem; }
.chosen { background: var(--_soft); border-radius: 10px; padding: 0.75rem; display: grid; gap: 0.15rem; }
.chosen .name { font-weight: 700; }
.chosen .price { font-weight: 700; color: var(--_accent); }
form { display: grid; gap: 0.55rem; }
.detected { display: flex; gap: 0.4rem; align-items: center; flex-wrap: wrap; min-height: 1.5rem; font-size: 0.875rem; }
.total { display: flex; justify-content: space-between; align-items: baseline; border-top: 1px dashed var(--_line); padding-top: 0.6rem; margin-top: 0.2rem; }
.total strong { font-size: 1.25rem; }
button.primary { width: 100%; min-height: 2.9rem; }
.status { display: grid; gap: 0.7rem; border-top: 1px solid var(--_line); padding-top: 0.9rem; }
.tracker { list-style: none; margin: 0; padding: 0; display: grid; grid-template-columns: repeat(3, 1fr); gap: 0.3rem; }
.tracker li { display: grid; justify-items: center; text-align: center; gap: 0.3rem; font-size: 0.75rem; color: var(--_muted); position: relative; }
.tracker li::before { content: ""; width: 1.3rem; height: 1.3rem; border-radius: 50%; border: 2px solid var(--_line); background: var(--_surface); box-sizing: border-box; }
.tracker li[data-state="done"]::before { background: var(--_ok); border-color: var(--_ok); }
.tracker li[data-state="current"]::before { border-color: var(--_accent); border-width: 4px; animation: pulse 1s infinite alternate; }
.tracker li[data-state="bad"]::before { background: var(--_bad); border-color: var(--_bad); }
.tracker li[data-state="done"], .tracker li[data-state="current"] { color: var(--_ink); font-weight: 600; }
.tracker li[data-state="bad"] { color: var(--_bad); font-weight: 600; }
@keyframes pulse { to { box-shadow: 0 0 0 4px rgba(11, 92, 173, 0.25); } }
@media (prefers-reduced-motion: reduce) { .tracker li::before { animation: none !important; } }
.message:focus { outline: none; }
.message:focus-visible { outline: 3px solid #f5a300; }
.ref { display: flex; gap: 0.5rem; align-items: center; flex-wrap: wrap; font-size: 0.875rem; }
.ref code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--_soft); padding: 0.2rem 0.4rem; border-radius: 6px; word-break: break-all; user-select: all; }
.ref button { min-height: 2rem; padding: 0.2rem 0.6rem; }
.pay { display: grid; gap: 0.6rem; border: 2px solid var(--_accent); border-radius: 10px; padding: 0.9rem; }
.pay .amount { font-size: 1.25rem; font-weight: 700; }
.pay .row button { flex: 1 1 8rem; }
`;

/**
 * Runs the phone rules once, on a sample number, when the browser is idle after the
 * WebAssembly module is loaded: V8 compiles each wasm function on its first call, which
 * otherwise happened in the customer's first keystroke (tens of ms on a slow phone).
 */
let warmed = false;
function warmPhoneRules() {
  if (warmed) return;
  warmed = true;
  const idle = (f) => (typeof requestIdleCallback === "function" ? requestIdleCallback(f, { timeout: 2000 }) : setTimeout(f, 0));
  ready().then(
    () =>
      idle(() => {
        try {
          productTypeFits("xla", normalizePhone("0817-0000-0000").operator);
        } catch {
          // only a warm-up: the customer's own number is checked as they type
        }
      }),
    () => {}, // a failure shows on the first call
  );
}

export class IcsCheckout extends IcsElement {
  static css = STYLES;

  #product = null;
  #phone = { raw: "", ok: null, touched: false };
  #order = null;
  #busy = false;
  #copied = "";
  #els = {};
  /** What the product and the detected number show now (see `#changed`). */
  #shown = {};

  /** The product being bought (an item of listProducts), or null. */
  get product() {
    return this.#product;
  }
  set product(p) {
    this.#product = p ?? null;
    this.#dropPayment();
    this.render();
  }

  /** The phone field's text. */
  get phone() {
    return this.#els.input?.value ?? this.#phone.raw;
  }
  set phone(value) {
    if (this.#els.input) this.#els.input.value = value;
    this.#readPhone(value, false);
  }

  /** The last order: `{ phase, refid, number, product, status?, error? }`, or null. */
  get order() {
    if (!this.#order) return null;
    const { token, ...order } = this.#order;
    return order;
  }

  get #pollMs() {
    return Number(this.getAttribute("poll-ms")) || 1500;
  }
  get #timeoutMs() {
    return Number(this.getAttribute("timeout-ms")) || 60000;
  }

  /** A payment step not yet paid is dropped when the product or the number changes. */
  #dropPayment() {
    if (this.#order?.phase === "pay") this.#order = null;
  }

  build() {
    const e = (tag, attrs, ...c) => h(tag, attrs, ...c);
    const els = {
      title: e("h2", { id: "title" }),
      chosen: e("div", { class: "chosen", "aria-live": "polite" }),
      label: e("label", { for: "phone" }),
      input: e("input", {
        id: "phone",
        name: "phone",
        type: "tel",
        inputmode: "tel",
        autocomplete: "tel",
        "aria-describedby": "phone-hint detected phone-error mismatch",
        oninput: (ev) => {
          this.#dropPayment();
          this.#readPhone(ev.target.value, false);
        },
        onblur: () => this.#phoneBlur(),
      }),
      hint: e("p", { id: "phone-hint", class: "muted small" }),
      detected: e("p", { id: "detected", class: "detected" }),
      error: e("p", { id: "phone-error", class: "notice bad", role: "alert", hidden: true }),
      mismatch: e("p", { id: "mismatch", class: "notice warn", role: "status", hidden: true }),
      totalLabel: e("span"),
      total: e("strong", { id: "total" }),
      button: e("button", { type: "submit", class: "primary", id: "order" }),
      status: e("div", { class: "status", role: "region", "aria-labelledby": "status-title", hidden: true }),
      statusTitle: e("h3", { id: "status-title" }),
      tracker: e("ol", { class: "tracker" }),
      message: e("p", { class: "message notice", id: "message", role: "status", "aria-live": "polite", tabindex: "-1" }),
      refLabel: e("span", { class: "muted" }),
      refid: e("code", { id: "refid" }),
      copy: e("button", { type: "button", id: "copy", onclick: () => this.#copy() }),
      copied: e("span", { class: "small muted", role: "status", "aria-live": "polite" }),
      check: e("button", { type: "button", id: "check", hidden: true, onclick: () => this.#checkAgain() }),
      pay: e("div", { class: "pay", role: "region", "aria-labelledby": "pay-title", hidden: true }),
      payTitle: e("h3", { id: "pay-title" }),
      payAmount: e("p", { class: "amount", id: "pay-amount" }),
      payNote: e("p", { class: "small muted", id: "pay-note" }),
      payButton: e("button", { type: "button", class: "primary", id: "pay", onclick: () => this.#pay() }),
      payCancel: e("button", { type: "button", id: "pay-cancel", onclick: () => this.#reset() }),
    };
    els.pay.append(els.payTitle, els.payAmount, els.payNote, e("div", { class: "row" }, els.payButton, els.payCancel));
    for (const step of ["sent", "pending", "final"]) els.tracker.append(e("li", { dataset: { step } }));
    els.form = e(
      "form",
      { novalidate: true, onsubmit: (ev) => this.#submit(ev) },
      els.label,
      els.input,
      els.hint,
      els.detected,
      els.error,
      els.mismatch,
      e("div", { class: "total" }, els.totalLabel, els.total),
      els.button,
    );
    els.status.append(
      els.statusTitle,
      els.tracker,
      els.message,
      e("div", { class: "ref" }, els.refLabel, els.refid, els.copy, els.copied),
      e("div", { class: "row" }, els.check),
    );
    this.#els = els;
    this.shadowRoot.append(
      e("section", { class: "card", "aria-labelledby": "title" }, els.title, els.chosen, els.form, els.pay, els.status),
    );
  }

  /** Focuses the checkout's next step: the phone field (the element itself is not focusable). */
  focus(options) {
    if (this.#els.input) this.#els.input.focus(options);
    else super.focus(options);
  }

  connected() {
    warmPhoneRules();
    this.ownerDocument.addEventListener(
      "ics-select",
      (ev) => {
        if (ev.detail?.product) this.product = ev.detail.product;
      },
      { signal: this.signal },
    );
  }

  #readPhone(raw, touched) {
    this.#phone.raw = raw;
    this.#phone.touched = this.#phone.touched || touched;
    try {
      this.#phone.ok = raw.trim() ? normalizePhone(raw) : null;
    } catch {
      this.#phone.ok = null;
    }
    this.render();
  }

  // Errors show from the first order attempt on, never on blur alone: a message appearing
  // on blur would move the order button away from under a pointer pressing it.
  #phoneBlur() {
    const { ok } = this.#phone;
    if (ok) this.#els.input.value = formatPhone(ok.number);
    this.#readPhone(this.#els.input.value, false);
  }

  /** Whether `key` (a list of values) differs from what part `name` shows; remembers it. */
  #changed(name, key) {
    const old = this.#shown[name];
    if (old && old.length === key.length && old.every((v, i) => v === key[i])) return false;
    this.#shown[name] = key;
    return true;
  }

  /** What is wrong with the phone field, or "" when it can be sent. */
  #phoneProblem() {
    if (this.#phone.ok) return "";
    return this.#phone.raw.trim() ? this.t("checkout.phoneInvalid") : this.t("checkout.phoneRequired");
  }

  render() {
    const els = this.#els;
    if (!els.form) return;
    const p = this.#product;
    const soldOut = p && !(p.stok > 0);
    setText(els.title, this.t("checkout.title"));
    // The product and the detected number are rebuilt only when they changed: render runs
    // on every keystroke, and new nodes there made the browser lay the page out again.
    if (this.#changed("chosen", [p, this.uiLang])) els.chosen.replaceChildren(
      ...(p
        ? [
            h("span", { class: "muted small" }, this.t("checkout.product")),
            h("span", { class: "name" }, p.nama_produk),
            h("span", { class: "muted small" }, `${p.kode_produk} · ${p.provider}`),
            h("span", { class: "price" }, formatRupiah(p.harga_final)),
          ]
        : [h("span", { class: "muted" }, this.t("checkout.noProduct"))]),
    );
    setText(els.label, this.t("checkout.phone"));
    setAttr(els.input, "placeholder", this.t("checkout.phonePlaceholder"));
    setText(els.hint, this.t("checkout.phoneHint"));

    const ok = this.#phone.ok;
    if (this.#changed("detected", [ok?.number, ok?.operator, this.uiLang])) els.detected.replaceChildren(
      ...(ok
        ? [
            h("span", {}, this.t("checkout.sendTo", { number: formatPhone(ok.number) })),
            h("span", { class: "badge", id: "operator", dataset: { operator: ok.operator } }, this.t(`op.${ok.operator}`)),
          ]
        : []),
    );
    const problem = this.#phone.touched ? this.#phoneProblem() : "";
    setText(els.error, problem);
    if (els.error.hidden !== !problem) els.error.hidden = !problem;
    setAttr(els.input, "aria-invalid", String(Boolean(problem)));

    const fits = !ok || !p || productFitsOperator(p, ok.operator);
    if (els.mismatch.hidden !== fits) els.mismatch.hidden = fits;
    if (!fits) {
      const wanted = OPERATORS.filter((o) => productTypeFits(String(p.type), o)).map((o) => this.t(`op.${o}`));
      setText(els.mismatch, this.t("checkout.mismatch", {
        product: p.nama_produk,
        wanted: wanted.join(` ${this.t("or")} `),
        operator: this.t(`op.${ok.operator}`),
      }));
    }

    setText(els.totalLabel, this.t("checkout.total"));
    setText(els.total, p ? formatRupiah(p.harga_final) : "–");
    const phase = this.#order?.phase;
    const over = FINAL.includes(phase);
    const disabled = this.#busy || PAYING.includes(phase) || (!over && (!p || Boolean(soldOut)));
    if (els.button.disabled !== disabled) els.button.disabled = disabled;
    setAttr(els.button, "aria-busy", String(this.#busy));
    setAttr(els.button, "data-action", over ? "again" : "order");
    const label = this.#busy
      ? this.t("checkout.ordering")
      : over
        ? this.t("checkout.again")
        : soldOut
          ? this.t("checkout.soldOut")
          : p
            ? `${this.t("checkout.order")} · ${formatRupiah(p.harga_final)}`
            : this.t("checkout.order");
    setText(els.button, label);

    this.#renderStatus();
  }

  #renderStatus() {
    const els = this.#els;
    const o = this.#order;
    const paying = PAYING.includes(o?.phase);
    if (els.pay.hidden !== !paying) els.pay.hidden = !paying;
    if (paying) {
      els.payTitle.textContent = this.t("checkout.payTitle");
      els.payAmount.textContent = formatRupiah(o.price);
      els.payNote.textContent = this.t("checkout.payNote");
      els.payButton.disabled = o.phase === "paying";
      els.payButton.setAttribute("aria-busy", String(o.phase === "paying"));
      els.payButton.textContent =
        o.phase === "paying" ? this.t("checkout.paying") : this.t("checkout.pay", { amount: formatRupiah(o.price) });
      els.payCancel.textContent = this.t("checkout.payCancel");
      els.payCancel.disabled = o.phase === "paying";
    }
    if (els.status.hidden !== (!o || paying)) els.status.hidden = !o || paying;
    if (!o) {
      delete this.dataset.phase;
      return;
    }
    this.dataset.phase = o.phase;
    if (paying) return;
    els.statusTitle.textContent = this.t("checkout.statusTitle");
    const states = {
      sending: ["current", "todo", "todo"],
      pending: ["done", "current", "todo"],
      "still-pending": ["done", "current", "todo"],
      success: ["done", "done", "done"],
      failed: ["done", "done", "bad"],
      error: ["bad", "todo", "todo"],
      "not-found": ["bad", "todo", "todo"],
    }[o.phase] ?? ["done", "current", "todo"];
    const labels = [
      this.t("step.sent"),
      o.status === "unpaid" ? this.t("step.unpaid") : this.t("step.pending"),
      o.phase === "failed" ? this.t("step.failed") : this.t("step.success"),
    ];
    [...els.tracker.children].forEach((li, i) => {
      li.dataset.state = states[i];
      li.textContent = labels[i];
      if (states[i] === "current") li.setAttribute("aria-current", "step");
      else li.removeAttribute("aria-current");
    });

    let tone = "info";
    let msg;
    switch (o.phase) {
      case "sending":
        msg = this.t("status.sending");
        break;
      case "pending":
        msg = o.status === "unpaid" ? this.t("status.unpaid") : this.t("status.pending");
        break;
      case "success":
        tone = "ok";
        msg = this.t("status.success", { number: formatPhone(o.number) });
        if (o.note) msg += ` ${o.note}`;
        break;
      case "failed":
        tone = "bad";
        msg = this.t("status.failed", { amount: formatRupiah(o.price) });
        break;
      case "still-pending":
        tone = "warn";
        msg = this.t("status.stillPending");
        break;
      case "not-found":
        tone = "warn";
        msg = errorMessage(this.uiLang, { code: "not_found" });
        break;
      default:
        tone = "bad";
        msg = errorMessage(this.uiLang, o.error);
    }
    els.message.className = `message notice ${tone}`;
    els.message.textContent = msg;
    if (o.error?.code) els.message.dataset.code = o.error.code;
    else delete els.message.dataset.code;

    els.refLabel.textContent = this.t("checkout.refid");
    els.refid.textContent = o.refid;
    els.copy.textContent = this.t("checkout.copy");
    els.copy.setAttribute("aria-label", `${this.t("checkout.copy")} ${this.t("checkout.refid")}`);
    els.copied.textContent = this.#copied ? this.t(this.#copied) : "";
    const unsure = o.phase === "still-pending" || o.error?.code === "maybe_committed";
    els.check.hidden = !unsure;
    els.check.disabled = this.#busy;
    els.check.textContent = this.t("checkout.checkAgain");
  }

  #setOrder(changes, { announce = false } = {}) {
    this.#order = { ...this.#order, ...changes };
    this.#copied = "";
    this.render();
    const o = this.#order;
    this.emit("ics-order", {
      phase: o.phase,
      refid: o.refid,
      status: o.status,
      product: o.product,
      number: o.number,
      error: o.error,
    });
    if (announce) this.#els.message.focus();
  }

  async #submit(ev) {
    ev.preventDefault();
    if (this.#busy) return; // one order per click, whatever the button's state says
    const phase = this.#order?.phase;
    if (PAYING.includes(phase)) return; // the payment step's own button goes on
    if (FINAL.includes(phase)) {
      // "Beli lagi": a deliberate new start (a new refid on the next order), never an order.
      this.#reset();
      return;
    }
    this.#readPhone(this.#els.input.value, true);
    const p = this.#product;
    const phone = this.#phone.ok;
    if (!phone) {
      this.#els.input.focus();
      return;
    }
    if (!p || !(p.stok > 0)) return;
    const refid = newRefId();
    this.#order = null;
    const order = { refid, number: phone.number, product: p, price: p.harga_final };
    if (this.getAttribute("token-url")) {
      this.#setOrder({ phase: "pay", ...order });
      this.#els.payButton.focus();
      return;
    }
    this.#busy = true;
    this.#setOrder({ phase: "sending", ...order });
    await this.#place();
  }

  /** The payment step's "Bayar": the shop's backend takes the payment and signs the token. */
  async #pay() {
    const o = this.#order;
    if (!o || o.phase !== "pay" || this.#busy) return;
    this.#busy = true;
    this.#setOrder({ phase: "paying" });
    let grant;
    try {
      grant = await fetchOrderToken(
        this.getAttribute("token-url"),
        { kode_produk: o.product.kode_produk, nomor_tujuan: o.number, refid: o.refid },
        this.signal,
      );
    } catch (error) {
      this.#busy = false;
      this.#setOrder({ phase: "error", error }, { announce: true });
      return;
    }
    // Kept with the order (not in `order`): its status checks carry it too.
    this.#setOrder({ phase: "sending", paid: grant.max_price, token: grant.token });
    await this.#place(grant.token);
  }

  /** Places the current order (with the payment's token, when there is one). */
  async #place(orderToken) {
    const { refid, number, product: p } = this.#order;
    let placed;
    try {
      placed = await this.client.createTransaction(
        { kode_produk: p.kode_produk, nomor_tujuan: number, refid },
        orderToken ? { signal: this.signal, orderToken } : { signal: this.signal },
      );
    } catch (error) {
      this.#busy = false;
      this.#setOrder({ phase: "error", error, refid: error?.refid ?? refid }, { announce: true });
      return;
    }
    const r = placed.response;
    const status = placed.outcome === "accepted" ? (r.pending ? "pending" : "success") : r.status;
    this.#settle(status, r);
  }

  /** Moves to the order's status; tracks it while it is not final. */
  async #settle(status, r = {}) {
    const price = r.harga ?? this.#order.price;
    if (status === "success" || status === "failed") {
      this.#busy = false;
      this.#setOrder({ phase: status, status, note: r.note, price }, { announce: true });
      return;
    }
    this.#busy = true;
    this.#setOrder({ phase: "pending", status, price });
    try {
      const final = await this.client.waitForTransaction(this.#order.refid, {
        intervalMs: this.#pollMs,
        timeoutMs: this.#timeoutMs,
        signal: this.signal,
        orderToken: this.#order.token,
      });
      this.#busy = false;
      this.#setOrder(
        { phase: final.status === "failed" ? "failed" : "success", status: final.status, note: final.note, price: final.harga ?? price },
        { announce: true },
      );
    } catch (error) {
      this.#busy = false;
      if (error?.code === "timeout") this.#setOrder({ phase: "still-pending" }, { announce: true });
      else this.#setOrder({ phase: "error", error }, { announce: true });
    }
  }

  async #checkAgain() {
    const o = this.#order;
    if (!o || this.#busy) return;
    this.#busy = true;
    this.render();
    try {
      const r = await this.client.checkTransaction({ refid: o.refid }, { signal: this.signal, orderToken: o.token });
      this.#setOrder({ error: undefined });
      await this.#settle(r.status, r);
    } catch (error) {
      this.#busy = false;
      if (error?.code === "not_found") this.#setOrder({ phase: "not-found", error: undefined }, { announce: true });
      else this.#setOrder({ phase: "error", error }, { announce: true });
    }
  }

  async #copy() {
    const refid = this.#order?.refid;
    if (!refid) return;
    try {
      await navigator.clipboard.writeText(refid);
      this.#copied = "checkout.copied";
    } catch {
      const range = document.createRange();
      range.selectNodeContents(this.#els.refid);
      const sel = getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      this.#copied = "checkout.copyFailed";
    }
    this.#renderStatus();
  }

  #reset() {
    this.#order = null;
    this.render();
    this.#els.input.focus();
  }
}
