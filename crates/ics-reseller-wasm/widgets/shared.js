//# allFunctionsCalledOnLoad
// (V8's explicit compile hint: this module's functions are compiled with it, while it streams
// in off the main thread, instead of lazily on their first call inside the widget's upgrade,
// ~50-70 ms there at 4x CPU. The shop page calls nearly all of them while loading.)
// What every widget shares: the base element, the client, texts in Indonesian and English,
// rupiah formatting, a tiny DOM builder and the common styles. No framework, no build step:
// `build-wasm` copies this folder to `pkg/widgets/`, next to the package's `index.js`.

import { ResellerClient } from "../index.js";

// ---------------------------------------------------------------------------------------
// Texts. Indonesian is the default; `lang="en"` on the element, an ancestor or <html>
// switches to English. Every text the widgets show is here, so a test can check both sets.

/** @type {Record<"id" | "en", Record<string, string>>} */
export const TEXTS = {
  id: {
    "type.all": "Semua",
    "type.xla": "XLA · Bulanan",
    "type.bpa": "BPA",
    "type.fmax": "FMAX",
    "type.xda": "XDA · Harian",
    "catalog.tabs": "Jenis paket",
    "catalog.search": "Cari paket",
    "catalog.searchPlaceholder": "Nama atau kode, mis. 10GB",
    "catalog.provider": "Penyedia",
    "catalog.allProviders": "Semua penyedia",
    "catalog.count": "{n} paket",
    "catalog.loading": "Memuat paket…",
    "catalog.empty": "Tidak ada paket yang cocok.",
    "catalog.choose": "Pilih",
    "catalog.chosen": "Dipilih",
    "catalog.soldOut": "Habis",
    "catalog.stock": "Stok {n}",
    "catalog.lowStock": "Sisa {n}",
    "catalog.retry": "Coba lagi",
    "catalog.loadFailed": "Katalog tidak dapat dimuat.",
    "checkout.title": "Beli paket",
    "checkout.noProduct": "Pilih paket dari katalog untuk mulai.",
    "checkout.product": "Paket",
    "checkout.phone": "Nomor HP tujuan",
    "checkout.phonePlaceholder": "0817-1234-5678",
    "checkout.phoneHint": "Format 08…, 628… atau +62 8…",
    "checkout.sendTo": "Dikirim ke {number}",
    "checkout.phoneInvalid": "Nomor HP tidak valid. Gunakan nomor seluler Indonesia: 08…, 628… atau +62 8….",
    "checkout.phoneRequired": "Isi nomor HP tujuan.",
    "checkout.mismatch": "Paket {product} hanya untuk nomor {wanted}; nomor ini {operator}. Periksa lagi sebelum membeli.",
    "checkout.total": "Total bayar",
    "checkout.order": "Beli sekarang",
    "checkout.ordering": "Memproses…",
    "checkout.soldOut": "Stok habis",
    "checkout.again": "Beli lagi",
    "checkout.payTitle": "Pembayaran",
    "checkout.pay": "Bayar {amount}",
    "checkout.paying": "Memproses pembayaran…",
    "checkout.payNote": "Pembayaran simulasi: toko mencatat pembayaran lalu memberi izin untuk satu pesanan ini.",
    "checkout.payCancel": "Batal",
    "checkout.refid": "ID pesanan (refid)",
    "checkout.copy": "Salin",
    "checkout.copied": "Disalin",
    "checkout.copyFailed": "Tidak bisa menyalin; pilih teksnya lalu tekan Ctrl+C.",
    "checkout.checkAgain": "Cek status",
    "checkout.statusTitle": "Status pesanan",
    "step.sent": "Pesanan dikirim",
    "step.pending": "Diproses operator",
    "step.success": "Berhasil",
    "step.failed": "Gagal",
    "step.unpaid": "Belum dibayar",
    "status.sending": "Mengirim pesanan…",
    "status.pending": "Pesanan diterima dan sedang diproses. Tunggu sebentar…",
    "status.success": "Paket berhasil dikirim ke {number}.",
    "status.failed": "Pesanan gagal. {amount} sudah dikembalikan ke saldo.",
    "status.unpaid": "Pesanan menunggu pembayaran.",
    "status.stillPending": "Pesanan masih diproses. Cek lagi nanti dengan ID pesanan di bawah.",
    "error.unauthorized": "Toko belum terhubung: kunci API ditolak (401). Hubungi admin toko.",
    "error.forbidden": "Akun toko tidak aktif atau aksi ini tidak diizinkan (403).",
    "error.not_found": "Data tidak ditemukan (404).",
    "error.rejected": "Pesanan ditolak: {reason}. Saldo tidak dipotong.",
    "error.rejectedOther": "Permintaan ditolak: {reason}",
    "error.http_status": "Server sedang bermasalah (HTTP {status}). Coba lagi sebentar lagi.",
    "error.network": "Tidak ada koneksi ke server. Periksa internet Anda lalu coba lagi.",
    "error.timeout": "Server terlalu lama menjawab. Coba lagi.",
    "error.aborted": "Dibatalkan.",
    "error.decode": "Jawaban server tidak bisa dibaca (HTTP {status}).",
    "error.invalid_input": "Data tidak valid: {field}.",
    "error.maybe_committed": "Status pesanan belum pasti karena koneksi terputus. Jangan pesan ulang: cek statusnya dengan ID pesanan di bawah.",
    "error.unknown": "Terjadi kesalahan: {message}",
    "error.payment": "Pembayaran tidak berhasil (HTTP {status}). Tidak ada pesanan yang dibuat; coba lagi.",
    "account.title": "Akun reseller",
    "account.balance": "Saldo",
    "account.code": "Kode reseller",
    "account.name": "Nama",
    "account.verified": "Terverifikasi",
    "account.unverified": "Belum verifikasi",
    "account.refresh": "Muat ulang",
    "account.updated": "Diperbarui {time}",
    "history.title": "Riwayat transaksi",
    "history.filter": "Status",
    "history.all": "Semua status",
    "history.time": "Waktu",
    "history.refid": "Refid",
    "history.product": "Produk",
    "history.number": "Nomor",
    "history.price": "Harga",
    "history.status": "Status",
    "history.action": "Aksi",
    "history.resend": "Kirim ulang webhook",
    "history.resendLabel": "Kirim ulang webhook untuk {refid}",
    "history.resending": "Mengirim…",
    "history.reply": "Balasan penerima ({url}):",
    "history.empty": "Belum ada transaksi.",
    "history.noMore": "Tidak ada transaksi lagi di halaman ini.",
    "history.prev": "Sebelumnya",
    "history.next": "Berikutnya",
    "history.page": "Halaman {n}",
    "history.pager": "Halaman riwayat",
    "history.refresh": "Muat ulang",
    "stats.title": "Statistik",
    "stats.chart": "Jumlah dan total pesanan per status",
    "stats.count": "{n} pesanan",
    "stats.balance": "Saldo {amount}",
    "stats.refresh": "Muat ulang",
    "st.success": "Sukses",
    "st.pending": "Diproses",
    "st.failed": "Gagal",
    "st.unpaid": "Belum bayar",
    "op.telkomsel": "Telkomsel",
    "op.indosat": "Indosat Ooredoo",
    "op.xl": "XL",
    "op.axis": "AXIS",
    "op.tri": "3 (Tri)",
    "op.smartfren": "Smartfren",
    "op.unknown": "operator tidak dikenal",
    "or": "atau",
  },
  en: {
    "type.all": "All",
    "type.xla": "XLA · Monthly",
    "type.bpa": "BPA",
    "type.fmax": "FMAX",
    "type.xda": "XDA · Daily",
    "catalog.tabs": "Package type",
    "catalog.search": "Search packages",
    "catalog.searchPlaceholder": "Name or code, e.g. 10GB",
    "catalog.provider": "Provider",
    "catalog.allProviders": "All providers",
    "catalog.count": "{n} packages",
    "catalog.loading": "Loading packages…",
    "catalog.empty": "No package matches.",
    "catalog.choose": "Choose",
    "catalog.chosen": "Chosen",
    "catalog.soldOut": "Sold out",
    "catalog.stock": "{n} in stock",
    "catalog.lowStock": "Only {n} left",
    "catalog.retry": "Try again",
    "catalog.loadFailed": "The catalog could not be loaded.",
    "checkout.title": "Buy a package",
    "checkout.noProduct": "Choose a package from the catalog to start.",
    "checkout.product": "Package",
    "checkout.phone": "Destination phone number",
    "checkout.phonePlaceholder": "0817-1234-5678",
    "checkout.phoneHint": "Format 08…, 628… or +62 8…",
    "checkout.sendTo": "Sent to {number}",
    "checkout.phoneInvalid": "Not a valid phone number. Use an Indonesian mobile number: 08…, 628… or +62 8….",
    "checkout.phoneRequired": "Enter the destination phone number.",
    "checkout.mismatch": "{product} is only for {wanted} numbers; this number is {operator}. Check it before you buy.",
    "checkout.total": "Total",
    "checkout.order": "Buy now",
    "checkout.ordering": "Processing…",
    "checkout.soldOut": "Sold out",
    "checkout.again": "Buy again",
    "checkout.payTitle": "Payment",
    "checkout.pay": "Pay {amount}",
    "checkout.paying": "Processing the payment…",
    "checkout.payNote": "Simulated payment: the shop records the payment, then authorises this one order.",
    "checkout.payCancel": "Cancel",
    "checkout.refid": "Order id (refid)",
    "checkout.copy": "Copy",
    "checkout.copied": "Copied",
    "checkout.copyFailed": "Cannot copy; select the text and press Ctrl+C.",
    "checkout.checkAgain": "Check status",
    "checkout.statusTitle": "Order status",
    "step.sent": "Order sent",
    "step.pending": "Operator processing",
    "step.success": "Delivered",
    "step.failed": "Failed",
    "step.unpaid": "Not paid yet",
    "status.sending": "Sending the order…",
    "status.pending": "Order accepted and being processed. Please wait…",
    "status.success": "The package was delivered to {number}.",
    "status.failed": "The order failed. {amount} has been refunded to the balance.",
    "status.unpaid": "The order is waiting for payment.",
    "status.stillPending": "The order is still being processed. Check again later with the order id below.",
    "error.unauthorized": "The shop is not connected: the API key was refused (401). Contact the shop's admin.",
    "error.forbidden": "The shop's account is not active or this action is not allowed (403).",
    "error.not_found": "Not found (404).",
    "error.rejected": "Order refused: {reason}. Your balance was not charged.",
    "error.rejectedOther": "Request refused: {reason}",
    "error.http_status": "The server has a problem (HTTP {status}). Try again in a moment.",
    "error.network": "No connection to the server. Check your internet and try again.",
    "error.timeout": "The server took too long to answer. Try again.",
    "error.aborted": "Cancelled.",
    "error.decode": "The server's answer could not be read (HTTP {status}).",
    "error.invalid_input": "Invalid data: {field}.",
    "error.maybe_committed": "The order's outcome is unknown because the connection dropped. Do not order again: check its status with the order id below.",
    "error.unknown": "Something went wrong: {message}",
    "error.payment": "The payment did not go through (HTTP {status}). Nothing was ordered; try again.",
    "account.title": "Reseller account",
    "account.balance": "Balance",
    "account.code": "Reseller code",
    "account.name": "Name",
    "account.verified": "Verified",
    "account.unverified": "Not verified",
    "account.refresh": "Refresh",
    "account.updated": "Updated {time}",
    "history.title": "Transaction history",
    "history.filter": "Status",
    "history.all": "All statuses",
    "history.time": "Time",
    "history.refid": "Refid",
    "history.product": "Product",
    "history.number": "Number",
    "history.price": "Price",
    "history.status": "Status",
    "history.action": "Action",
    "history.resend": "Re-send webhook",
    "history.resendLabel": "Re-send the webhook of {refid}",
    "history.resending": "Sending…",
    "history.reply": "Receiver's reply ({url}):",
    "history.empty": "No transactions yet.",
    "history.noMore": "No more transactions on this page.",
    "history.prev": "Previous",
    "history.next": "Next",
    "history.page": "Page {n}",
    "history.pager": "History pages",
    "history.refresh": "Refresh",
    "stats.title": "Statistics",
    "stats.chart": "Orders and totals per status",
    "stats.count": "{n} orders",
    "stats.balance": "Balance {amount}",
    "stats.refresh": "Refresh",
    "st.success": "Success",
    "st.pending": "Pending",
    "st.failed": "Failed",
    "st.unpaid": "Unpaid",
    "op.telkomsel": "Telkomsel",
    "op.indosat": "Indosat Ooredoo",
    "op.xl": "XL",
    "op.axis": "AXIS",
    "op.tri": "3 (Tri)",
    "op.smartfren": "Smartfren",
    "op.unknown": "an unknown operator",
    "or": "or",
  },
};

/** `id` or `en`, from the nearest `lang` attribute (the element, its ancestors, <html>). */
export function uiLang(el) {
  const tagged = el.closest("[lang]") ?? document.documentElement;
  const lang = (tagged.getAttribute("lang") || "id").toLowerCase();
  return lang.startsWith("en") ? "en" : "id";
}

/** The text `key` in `lang`, with `{name}` placeholders filled from `vars`. */
export function text(lang, key, vars = {}) {
  const s = TEXTS[lang]?.[key] ?? TEXTS.id[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

// Every connected widget re-renders when a `lang` attribute changes anywhere in the page.
const widgets = new Set();
let langObserver;
function watchLang() {
  if (langObserver) return;
  langObserver = new MutationObserver(() => {
    for (const w of widgets) w.languageChanged();
  });
  langObserver.observe(document.documentElement, {
    attributes: true,
    attributeFilter: ["lang"],
    subtree: true,
  });
}

// ---------------------------------------------------------------------------------------
// Formatting.

// Rupiah are written by hand, not with Intl.NumberFormat: the first `id-ID` currency format
// loads ICU's locale data on the main thread, measured at ~450 ms on a 4×-throttled CPU (the
// shop's longest task). Whole rupiah need only the sign, "Rp" and "." every three digits;
// anything else (not a safe integer once rounded, e.g. Infinity) goes to Intl.
let rupiahIntl;

/** Whole rupiah as shoppers in Indonesia write it: `Rp20.000` (id-ID grouping, no space). */
export function formatRupiah(amount) {
  const n = Number(amount) || 0;
  const whole = Math.round(Math.abs(n)); // half away from zero, as Intl rounds
  if (!Number.isSafeInteger(whole)) {
    rupiahIntl ??= new Intl.NumberFormat("id-ID", {
      style: "currency",
      currency: "IDR",
      minimumFractionDigits: 0,
      maximumFractionDigits: 0,
    });
    return rupiahIntl
      .formatToParts(n)
      .filter((p) => !(p.type === "literal" && /^\s+$/.test(p.value)))
      .map((p) => p.value)
      .join("");
  }
  const digits = String(whole).replace(/\B(?=(\d{3})+$)/g, ".");
  return `${n < 0 ? "-" : ""}Rp${digits}`;
}

/** `081712345678` → `0817-1234-5678`, for reading. */
export function formatPhone(number) {
  const d = String(number);
  if (d.length <= 4) return d;
  if (d.length <= 8) return `${d.slice(0, 4)}-${d.slice(4)}`;
  return `${d.slice(0, 4)}-${d.slice(4, 8)}-${d.slice(8)}`;
}

/** The status words of the API, as shown (unknown statuses are shown as sent). */
export function statusLabel(lang, status) {
  return ["success", "pending", "failed", "unpaid"].includes(status)
    ? text(lang, `st.${status}`)
    : String(status);
}

/** A message for any error, by its `code` (every code of `errorCodes()` has one). */
export function errorMessage(lang, err) {
  const code = err?.code;
  if (code === "rejected" && err.status >= 500) {
    // A server error with a JSON `error` (e.g. a gateway's own answer): not a refusal.
    return text(lang, "error.http_status", { status: err.status });
  }
  if (code === "rejected") {
    const reason = err.body?.error ?? err.message;
    return text(lang, err.body?.saldo_akhir != null ? "error.rejected" : "error.rejectedOther", {
      reason,
    });
  }
  if (code && TEXTS.id[`error.${code}`]) {
    return text(lang, `error.${code}`, {
      status: err.status ?? "–",
      field: err.field ?? "–",
    });
  }
  return text(lang, "error.unknown", { message: err?.message ?? String(err) });
}

// ---------------------------------------------------------------------------------------
// DOM.

/**
 * Builds an element: `h("button", { class: "x", onclick: f, "aria-label": "…" }, "text", child)`.
 * Strings become text nodes (never HTML), so server text cannot inject markup.
 */
export function h(tag, attrs = {}, ...children) {
  const el = tag.includes(":")
    ? document.createElementNS("http://www.w3.org/2000/svg", tag.split(":")[1])
    : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/**
 * Resolves in a later task (`scheduler.yield()` where there is one), so the browser can
 * paint and handle input between two pieces of work.
 */
export function nextTask() {
  return typeof globalThis.scheduler?.yield === "function"
    ? globalThis.scheduler.yield()
    : new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Sets `el`'s text to `value` only when it differs: an unchanged write would still replace
 * the text node and make the browser restyle it.
 */
export function setText(el, value) {
  if (el.textContent !== value) el.textContent = value;
}

/** Sets the attribute `name` of `el` to `value` only when it differs (see `setText`). */
export function setAttr(el, name, value) {
  if (el.getAttribute(name) !== value) el.setAttribute(name, value);
}

/** Builds an SVG element (same rules as `h`). */
export function svg(tag, attrs = {}, ...children) {
  return h(`svg:${tag}`, attrs, ...children);
}

// ---------------------------------------------------------------------------------------
// The base element.

/**
 * Styles every widget's shadow root starts with; theme them with the `--ics-*` properties.
 * Text comes in few sizes (0.75, 0.875, 1 and 1.25rem; the demo page uses the middle two
 * too): a layout asks the browser for each size and weight of a font the first time it is
 * used (in headless Chromium on Linux a synchronous round trip each, 5-30 ms at 4x CPU).
 */
export const BASE_CSS = `
:host {
  --_accent: var(--ics-accent, #0b5cad);
  --_accent-ink: var(--ics-accent-ink, #ffffff);
  --_ink: var(--ics-ink, #1b2430);
  --_muted: var(--ics-muted, #4f5b6b);
  --_line: var(--ics-line, #d5dbe3);
  --_surface: var(--ics-surface, #ffffff);
  --_soft: var(--ics-soft, #f3f6f9);
  --_ok: var(--ics-ok, #136c34);
  --_ok-soft: #e3f4e8;
  --_warn: var(--ics-warn, #6b4a00);
  --_warn-soft: #fff4d1;
  --_bad: var(--ics-bad, #b3261e);
  --_bad-soft: #fde8e6;
  --_radius: var(--ics-radius, 12px);
  display: block;
  color: var(--_ink);
  font: inherit;
  box-sizing: border-box;
}
:host([hidden]) { display: none; }
[hidden] { display: none !important; }
*, *::before, *::after { box-sizing: inherit; }
h2, h3 { margin: 0; line-height: 1.25; }
h2 { font-size: 1.25rem; }
h3 { font-size: 1rem; }
p { margin: 0; }
button, input, select { font: inherit; color: inherit; }
button {
  cursor: pointer; border-radius: 8px; border: 1px solid var(--_line);
  background: var(--_surface); padding: 0.45rem 0.85rem; min-height: 2.5rem;
}
button:hover:not(:disabled) { border-color: var(--_accent); }
button:disabled { cursor: not-allowed; opacity: 0.6; }
button.primary { background: var(--_accent); color: var(--_accent-ink); border-color: var(--_accent); font-weight: 600; }
button.primary:hover:not(:disabled) { filter: brightness(1.1); }
button.link { border: 0; background: none; color: var(--_accent); text-decoration: underline; padding: 0.2rem; min-height: 0; }
input, select {
  border: 1px solid #8a96a6; border-radius: 8px; padding: 0.5rem 0.65rem; min-height: 2.5rem;
  background: var(--_surface); width: 100%;
}
input[aria-invalid="true"] { border-color: var(--_bad); box-shadow: 0 0 0 1px var(--_bad); }
:focus-visible { outline: 3px solid #f5a300; outline-offset: 2px; }
label { font-weight: 600; font-size: 0.875rem; display: block; margin-bottom: 0.3rem; }
.muted { color: var(--_muted); }
.small { font-size: 0.875rem; }
.card {
  background: var(--_surface); border: 1px solid var(--_line); border-radius: var(--_radius);
  padding: 1rem;
}
.row { display: flex; gap: 0.5rem; align-items: center; flex-wrap: wrap; }
.badge {
  display: inline-block; border-radius: 999px; padding: 0.1rem 0.55rem; font-size: 0.75rem;
  font-weight: 600; white-space: nowrap; background: var(--_soft); color: var(--_muted);
}
.badge.ok, .badge.success { background: var(--_ok-soft); color: var(--_ok); }
.badge.warn, .badge.pending, .badge.unpaid { background: var(--_warn-soft); color: var(--_warn); }
.badge.bad, .badge.failed { background: var(--_bad-soft); color: var(--_bad); }
.notice { border-radius: 8px; padding: 0.6rem 0.75rem; font-size: 0.875rem; }
.notice.warn { background: var(--_warn-soft); color: var(--_warn); }
.notice.bad { background: var(--_bad-soft); color: var(--_bad); }
.notice.ok { background: var(--_ok-soft); color: var(--_ok); }
.notice.info { background: #e6effa; color: #0a3d73; }
.sr-only {
  position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}
/* The placeholder pulses by its opacity, which the compositor animates: a moving gradient
   (background-position) was repainted on the main thread every frame while loading. */
.skeleton { background: #e8edf2; animation: pulse 0.9s infinite alternate ease-in-out; border-radius: 6px; }
@keyframes pulse { from { opacity: 1; } to { opacity: 0.45; } }
@media (prefers-reduced-motion: reduce) { .skeleton { animation: none; } }
`;

/**
 * Base of every widget: an open shadow root with the base styles, the client (from
 * `base-url`, or set `.client`), the language, and an AbortController for work in flight.
 */
export class IcsElement extends HTMLElement {
  /** The gateway path used when `base-url` is absent. */
  static defaultBaseUrl = "/gateway";
  /** Styles added after `BASE_CSS`. */
  static css = "";

  #client;
  #abort = new AbortController();
  #built = false;
  #loads = 0;

  constructor() {
    super();
    const root = this.attachShadow({ mode: "open" });
    const style = document.createElement("style");
    style.textContent = BASE_CSS + this.constructor.css;
    root.append(style);
  }

  /**
   * The `ResellerClient` this widget calls. By default one in gateway mode (no API key)
   * on `base-url`, resolved against the page's URL; assign your own to share one.
   */
  get client() {
    if (!this.#client) {
      const base = this.getAttribute("base-url") || this.constructor.defaultBaseUrl;
      const url = new URL(base, document.baseURI).href.replace(/\/+$/, "");
      this.#client = new ResellerClient({ baseUrl: url, timeoutMs: 15000 });
    }
    return this.#client;
  }
  set client(c) {
    this.#client = c;
  }

  /** `id` or `en`. */
  get uiLang() {
    return uiLang(this);
  }

  /** A text in the widget's language. */
  t(key, vars) {
    return text(this.uiLang, key, vars);
  }

  /** Aborted when the element leaves the page. */
  get signal() {
    return this.#abort.signal;
  }

  connectedCallback() {
    if (this.#abort.signal.aborted) this.#abort = new AbortController();
    widgets.add(this);
    watchLang();
    if (!this.#built) {
      this.#built = true;
      this.build();
    }
    this.render();
    this.connected();
  }

  disconnectedCallback() {
    widgets.delete(this);
    this.#abort.abort();
  }

  languageChanged() {
    this.render();
  }

  /** Creates the shadow DOM once. */
  build() {}
  /** Brings the DOM up to date with the state and the language (called often: keep it cheap). */
  render() {}
  /** Runs after every connect (load data here). */
  connected() {}

  /**
   * Builds the card every back-office widget shows: a heading, a refresh button (calls
   * `this.refresh()`) and a live body; returns `{ title, refresh, body }`.
   */
  buildCard() {
    const els = {
      title: h("h2", { id: "t" }),
      refresh: h("button", { type: "button", onclick: () => this.refresh() }),
      body: h("div", { "aria-live": "polite" }),
    };
    this.shadowRoot.append(
      h("section", { class: "card", "aria-labelledby": "t" }, h("div", { class: "head" }, els.title, els.refresh), els.body),
    );
    return els;
  }

  /**
   * Loads with `call` (async, resolves the next state) and keeps only the latest of
   * overlapping loads: an answer that arrives after a newer load started, or an aborted
   * one, resolves `undefined`. A failure resolves `{ phase: "error", error, data }`, keeping
   * the data `current()` (the widget's state when the failure arrives) still shows.
   */
  async latest(current, call) {
    const seq = ++this.#loads;
    let next;
    try {
      next = await call();
    } catch (error) {
      if (error?.code === "aborted") return undefined;
      next = { phase: "error", error, data: current().data };
    }
    return seq === this.#loads ? next : undefined;
  }

  /** Dispatches a bubbling, composed event. */
  emit(name, detail) {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }
}
