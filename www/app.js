//# allFunctionsCalledOnLoad
// (V8's explicit compile hint, as on the widgets' modules: this module's functions compile
// while it streams in, off the main thread, instead of lazily on their first call. It
// applies to the functions after it, so it is the first line.)
// The demo storefront's glue: the widgets come from the npm package (`pkg/widgets/`), this
// file only switches pages (#shop, #backoffice) and languages, fills in test numbers, and
// signs the operator in to the back-office. Every call goes to ics-gateway: no API key is
// in this page. The back-office widgets exist only while a session does (the gateway
// answers 401 without one), so a visitor's page never asks for the balance or history.
//
// The widgets load after the first paint, one custom element per task (the shop's two, then
// the back-office's three only once they are shown), instead of the package's
// `widgets/index.js` defining all five in the module task: at 4× CPU that one task of
// evaluating, upgrading and laying out was the page's longest (see defineWidgets). Nor is
// the package imported here (evaluating it made this module's task long): after the first
// paint its WebAssembly module starts compiling and the package instantiates it (see
// startPackage), before the catalog's module loads.

/** Where the package's WebAssembly module is. */
const WASM = "pkg/wasm/ics_reseller_bg.wasm";

/** Starts compiling the package's WebAssembly module (streaming, off the main thread), then
 * imports the package and instantiates the module from it (once). Called after the first
 * paint: the fetch and the compilation's start were a third of this module's task at 4×
 * CPU, and the largest paint then no longer waits behind the module's download on a slow
 * link. The import settles before any widget's module has run (they import the package),
 * so their first calls wait for this instantiation instead of fetching the module again.
 * If this browser cannot compile it streaming (e.g. a server without `application/wasm`),
 * `ready()` gets the response and instantiates it as it would its own. A failure shows in
 * the widgets, on their first call. */
let started;
function startPackage() {
  if (!started) {
    const compiled = WebAssembly.compileStreaming(fetch(WASM)).catch(() => fetch(WASM));
    started = import("./pkg/index.js").then((pkg) => pkg.ready(compiled).catch(() => {}));
  }
  return started;
}

/** Lets the browser paint and handle input before the next piece of work: with `paint`,
 * after the page's first contentful paint was presented (its `paint` entry; the largest
 * paint of the shop is that one, its heading, so the package's download no longer counts
 * against it), else after the next frame. At most 500 ms in a tab that is hidden (it gets
 * neither frames nor paints), else 5 s: on a slow phone that paint may come a second or
 * more after this module ran, and a shorter wait (it was 500 ms) started the package's
 * download before it. */
function nextTask({ paint = false } = {}) {
  return new Promise((resolve) => {
    const later = () => setTimeout(resolve, 0);
    if (!paint) return later();
    let done = false;
    const once = () => {
      if (done) return;
      done = true;
      observer?.disconnect();
      later();
    };
    setTimeout(once, document.visibilityState === "hidden" ? 500 : 5000);
    const fcp = (entries) => entries.some((e) => e.name === "first-contentful-paint");
    let observer;
    if (PerformanceObserver.supportedEntryTypes?.includes("paint")) {
      if (fcp(performance.getEntriesByType("paint"))) return once();
      observer = new PerformanceObserver((list) => fcp(list.getEntries()) && once());
      observer.observe({ type: "paint" });
    } else {
      requestAnimationFrame(once);
    }
  });
}

/** The widgets of each page: the custom element, the module that defines its class, the
 * class's export. */
const WIDGETS = {
  shop: [
    ["ics-catalog", "./pkg/widgets/catalog.js", "IcsCatalog"],
    ["ics-checkout", "./pkg/widgets/checkout.js", "IcsCheckout"],
  ],
  backoffice: [
    ["ics-account", "./pkg/widgets/account.js", "IcsAccount"],
    ["ics-stats", "./pkg/widgets/stats.js", "IcsStats"],
    ["ics-history", "./pkg/widgets/history.js", "IcsHistory"],
  ],
};
const defining = {};

/** Defines the widgets of `page` (once), each in a task of its own; the elements already in
 * the page upgrade when their class is defined. */
function defineWidgets(page) {
  defining[page] ??= (async () => {
    await nextTask({ paint: page === "shop" });
    // The package first, in a task of its own: its instantiation from the module compiled
    // meanwhile starts before a widget's first call would fetch and compile it again.
    startPackage();
    for (const [name, url, exported] of WIDGETS[page]) {
      await nextTask();
      const module = await import(url);
      // Defined at the start of a task of its own: a module's promise may settle in the same
      // microtask checkpoint as the wasm's instantiation (~100 ms at 4× CPU).
      await nextTask();
      if (!customElements.get(name)) customElements.define(name, module[exported]);
    }
  })();
  return defining[page];
}

const PAGE_TEXTS = {
  id: {
    skip: "Langsung ke isi",
    nav: "Bagian",
    "nav.shop": "Belanja",
    "nav.backoffice": "Back-office",
    "sandbox.label": "Mode sandbox",
    "sandbox.title": "Mode sandbox",
    "sandbox.text": "— tidak ada transaksi sungguhan. Coba nomor uji:",
    "n.1111": "sukses",
    "n.2222": "diproses → sukses",
    "n.3333": "gagal, saldo kembali",
    "n.4444": "ditolak supplier",
    "shop.title": "Paket data XL, AXIS & semua jaringan",
    "shop.lead": "Pilih paket, masukkan nomor HP, bayar dari saldo. Kuota masuk dalam hitungan detik.",
    "shop.catalog": "Daftar paket",
    "bo.title": "Back-office reseller",
    "bo.lead": "Saldo, riwayat pesanan, webhook dan statistik toko Anda.",
    "footer.key":
      "Kunci API tidak pernah dikirim ke browser: halaman ini hanya memakai ics-gateway, yang menambahkan kunci di server, menerima pesanan hanya dengan izin pembayaran, dan membuka back-office hanya untuk operator yang masuk.",
    "signin.title": "Masuk ke back-office",
    "signin.lead": "Hanya operator toko. Demo: nama dan kata sandi dicetak oleh cargo xtask demo.",
    "signin.user": "Nama pengguna",
    "signin.password": "Kata sandi",
    "signin.submit": "Masuk",
    "signin.busy": "Memeriksa…",
    "signin.bad": "Nama pengguna atau kata sandi salah.",
    "signin.missing": "Isi nama pengguna dan kata sandi.",
    "signin.throttled": "Terlalu banyak percobaan. Coba lagi dalam {s} detik.",
    "signin.failed": "Tidak bisa masuk sekarang (HTTP {status}). Coba lagi.",
    "signin.network": "Tidak ada koneksi ke server. Coba lagi.",
    signedInAs: "Masuk sebagai {user}",
    signout: "Keluar",
    "footer.made": "Dibuat dengan ics-reseller (WebAssembly) dan web components, tanpa framework.",
    switchTo: "English",
    switchLang: "en",
    "title.shop": "KuotaKilat · Paket data (sandbox)",
    "title.backoffice": "Back-office · KuotaKilat (sandbox)",
  },
  en: {
    skip: "Skip to content",
    nav: "Sections",
    "nav.shop": "Shop",
    "nav.backoffice": "Back office",
    "sandbox.label": "Sandbox mode",
    "sandbox.title": "Sandbox mode",
    "sandbox.text": "— no real transactions. Try a test number:",
    "n.1111": "success",
    "n.2222": "processing → success",
    "n.3333": "fails, refunded",
    "n.4444": "supplier refuses",
    "shop.title": "Data packages for XL, AXIS & every network",
    "shop.lead": "Choose a package, enter the phone number, pay from the balance. The quota arrives in seconds.",
    "shop.catalog": "Packages",
    "bo.title": "Reseller back office",
    "bo.lead": "Your shop's balance, order history, webhooks and statistics.",
    "footer.key":
      "The API key is never sent to the browser: this page only uses ics-gateway, which adds the key on the server, takes orders only with a payment's authorisation, and opens the back office only to signed-in operators.",
    "signin.title": "Sign in to the back office",
    "signin.lead": "Shop operators only. Demo: the name and password are printed by cargo xtask demo.",
    "signin.user": "Username",
    "signin.password": "Password",
    "signin.submit": "Sign in",
    "signin.busy": "Checking…",
    "signin.bad": "Wrong username or password.",
    "signin.missing": "Enter the username and the password.",
    "signin.throttled": "Too many attempts. Try again in {s} seconds.",
    "signin.failed": "Cannot sign in now (HTTP {status}). Try again.",
    "signin.network": "No connection to the server. Try again.",
    signedInAs: "Signed in as {user}",
    signout: "Sign out",
    "footer.made": "Built with ics-reseller (WebAssembly) and web components, no framework.",
    switchTo: "Bahasa Indonesia",
    switchLang: "id",
    "title.shop": "KuotaKilat · Data packages (sandbox)",
    "title.backoffice": "Back office · KuotaKilat (sandbox)",
  },
};

const root = document.documentElement;
const langButton = document.getElementById("lang");
const checkout = document.querySelector("ics-checkout");
const signin = document.getElementById("signin");
const signinError = document.getElementById("signin-error");
const bo = document.getElementById("bo");

/** The operator signed in (`GET /gateway/auth/session`), or null. */
let operator = null;
/** Whether the session was checked once (the sign-in form stays hidden until then). */
let sessionKnown = false;
/** Bumped by every session check and by sign-out: only the latest answer counts. */
let sessionSeq = 0;

function t(key, vars = {}) {
  const text = PAGE_TEXTS[root.lang === "en" ? "en" : "id"][key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ""));
}

/** Puts the back-office widgets in the page (they load on connect) while it is shown to a
 * signed-in operator, or takes them out: the shop page never fetches back-office data. */
function renderBackoffice() {
  const signedIn = operator !== null;
  if (signin.hidden !== (signedIn || !sessionKnown)) signin.hidden = signedIn || !sessionKnown;
  if (bo.hidden !== !signedIn) bo.hidden = !signedIn;
  const grid = document.getElementById("bo-grid");
  const history = document.getElementById("bo-history");
  if (!signedIn || currentPage() !== "backoffice") {
    grid.replaceChildren();
    history.replaceChildren();
    return;
  }
  document.getElementById("bo-user").textContent = t("signedInAs", { user: operator });
  if (!grid.firstChild) {
    defineWidgets("backoffice");
    const widget = (tag, attrs = {}) => {
      const el = document.createElement(tag);
      el.setAttribute("base-url", "gateway/backoffice");
      for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
      return el;
    };
    grid.replaceChildren(widget("ics-account"), widget("ics-stats"));
    history.replaceChildren(widget("ics-history", { limit: "5" }));
  }
}

/** Asks the gateway who is signed in; shows the form or the widgets. */
async function checkSession() {
  const seq = ++sessionSeq;
  let who = null;
  try {
    const resp = await fetch("gateway/auth/session", { credentials: "same-origin", cache: "no-store" });
    who = resp.ok ? String((await resp.json()).username ?? "") || null : null;
  } catch {
    who = null;
  }
  if (seq !== sessionSeq) return operator; // a newer check or a sign-out came meanwhile
  operator = who;
  sessionKnown = true;
  renderBackoffice();
  return operator;
}

signin.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const username = signin.elements.username.value.trim();
  const password = signin.elements.password.value;
  const submit = document.getElementById("signin-submit");
  const fail = (key, vars) => {
    signinError.textContent = t(key, vars);
    signinError.hidden = false;
  };
  if (!username || !password) return fail("signin.missing");
  signinError.hidden = true;
  submit.disabled = true;
  submit.textContent = t("signin.busy");
  try {
    const resp = await fetch("gateway/auth/login", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username, password }),
    });
    if (resp.ok) {
      signin.reset();
      await checkSession();
      document.getElementById("signout").focus();
    } else if (resp.status === 401 || resp.status === 403) {
      fail("signin.bad");
    } else if (resp.status === 429) {
      fail("signin.throttled", { s: resp.headers.get("Retry-After") ?? "60" });
    } else {
      fail("signin.failed", { status: resp.status });
    }
  } catch {
    fail("signin.network");
  } finally {
    submit.disabled = false;
    submit.textContent = t("signin.submit");
  }
});

document.getElementById("signout").addEventListener("click", async () => {
  sessionSeq++;
  try {
    await fetch("gateway/auth/logout", { method: "POST", credentials: "same-origin" });
  } catch {
    // the page forgets the session either way
  }
  sessionSeq++;
  operator = null;
  renderBackoffice();
  document.getElementById("signin-user").focus();
});

function currentPage() {
  return location.hash === "#backoffice" ? "backoffice" : "shop";
}

function applyTexts() {
  const lang = root.lang === "en" ? "en" : "id";
  const t = PAGE_TEXTS[lang];
  // Only what differs is written: the page opens with its Indonesian texts, and rewriting
  // each one anyway made the browser restyle and lay out the whole page in the module task.
  for (const el of document.querySelectorAll("[data-i18n]")) {
    const text = t[el.dataset.i18n];
    if (el.textContent.replace(/\s+/g, " ").trim() !== text) el.textContent = text;
  }
  for (const el of document.querySelectorAll("[data-i18n-aria-label]")) {
    if (el.getAttribute("aria-label") !== t[el.dataset.i18nAriaLabel]) {
      el.setAttribute("aria-label", t[el.dataset.i18nAriaLabel]);
    }
  }
  if (langButton.textContent !== t.switchTo) langButton.textContent = t.switchTo;
  if (langButton.lang !== t.switchLang) langButton.lang = t.switchLang;
  if (document.title !== t[`title.${currentPage()}`]) document.title = t[`title.${currentPage()}`];
  if (operator) document.getElementById("bo-user").textContent = t.signedInAs.replace("{user}", operator);
}

function setLang(lang) {
  root.lang = lang; // the widgets follow <html lang> by themselves
  try {
    localStorage.setItem("ics-demo-lang", lang);
  } catch {
    // storage may be off (private mode): the switch still works for this visit
  }
  applyTexts();
}

function showPage(moveFocus) {
  const page = currentPage();
  for (const name of ["shop", "backoffice"]) {
    const section = document.getElementById(`page-${name}`);
    if (section.hidden !== (name !== page)) section.hidden = name !== page;
    const link = document.getElementById(`nav-${name}`);
    if (name === page) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  applyTexts();
  if (page === "backoffice") {
    // A session may have ended meanwhile (sign-out elsewhere, expiry): check before loading.
    const had = document.getElementById("bo-grid").firstChild !== null;
    checkSession().then((now) => {
      if (now && had) {
        for (const el of document.querySelectorAll("ics-account, ics-stats, ics-history")) el.refresh?.();
      }
    });
  }
  else renderBackoffice();
  if (moveFocus) document.getElementById(`h-${page}`).focus();
}

langButton.addEventListener("click", () => setLang(root.lang === "en" ? "id" : "en"));
window.addEventListener("hashchange", () => showPage(true));

// Test numbers: fill the checkout's phone field.
document.getElementById("test-numbers").addEventListener("click", (e) => {
  const button = e.target.closest("button[data-number]");
  if (!button) return;
  if (currentPage() !== "shop") location.hash = "#shop";
  // Not before <ics-checkout> is defined: an own `phone` property would hide its setter.
  customElements.whenDefined("ics-checkout").then(() => {
    checkout.phone = button.dataset.number;
    checkout.scrollIntoView({ block: "nearest", behavior: "smooth" });
  });
});

// On a narrow screen the checkout sits below the catalog: a choice brings it into view and
// moves the focus there (the next step), so keyboard and screen-reader users follow along.
document.addEventListener("ics-select", () => {
  if (!matchMedia("(max-width: 860px)").matches) return;
  checkout.scrollIntoView({ block: "start" });
  checkout.focus({ preventScroll: true });
});

const wanted = new URLSearchParams(location.search).get("lang");
let saved = null;
try {
  saved = localStorage.getItem("ics-demo-lang");
} catch {
  // see setLang
}
const lang = wanted === "en" || wanted === "id" ? wanted : saved === "en" ? "en" : "id";
if (root.lang !== lang) root.lang = lang;
// The rest in a task of its own: this module runs when the parser ends, and in that task the
// browser also lays the page out for the first time (the load event's layout, when every
// resource is in); together they were the page's longest task at 4× CPU.
setTimeout(() => {
  showPage(false);
  root.classList.remove("i18n-wait"); // index.html hid an English page until its texts were in
  defineWidgets("shop");
}, 0);
