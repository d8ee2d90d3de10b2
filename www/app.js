// The demo storefront's glue: the widgets come from the npm package (`pkg/widgets/`), this
// file only switches pages (#shop, #backoffice) and languages, and fills in test numbers.
// Every call goes through the sandbox's gateway routes: no API key is in this page.

import "./pkg/widgets/index.js";

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
    "bo.title": "Back-office reseller",
    "bo.lead": "Saldo, riwayat pesanan, webhook dan statistik toko Anda.",
    "footer.key":
      "Kunci API tidak pernah dikirim ke browser: halaman ini hanya memakai gateway /gateway/ dan /gateway/backoffice/, yang menambahkan kunci di server.",
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
    "bo.title": "Reseller back office",
    "bo.lead": "Your shop's balance, order history, webhooks and statistics.",
    "footer.key":
      "The API key is never sent to the browser: this page only uses the gateway routes /gateway/ and /gateway/backoffice/, which add the key on the server.",
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

function currentPage() {
  return location.hash === "#backoffice" ? "backoffice" : "shop";
}

function applyTexts() {
  const lang = root.lang === "en" ? "en" : "id";
  const t = PAGE_TEXTS[lang];
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t[el.dataset.i18n];
  for (const el of document.querySelectorAll("[data-i18n-aria-label]")) {
    el.setAttribute("aria-label", t[el.dataset.i18nAriaLabel]);
  }
  langButton.textContent = t.switchTo;
  langButton.lang = t.switchLang;
  document.title = t[`title.${currentPage()}`];
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
    document.getElementById(`page-${name}`).hidden = name !== page;
    const link = document.getElementById(`nav-${name}`);
    if (name === page) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  applyTexts();
  if (page === "backoffice") {
    for (const el of document.querySelectorAll("ics-account, ics-stats, ics-history")) el.refresh?.();
  }
  if (moveFocus) document.getElementById(`h-${page}`).focus();
}

langButton.addEventListener("click", () => setLang(root.lang === "en" ? "id" : "en"));
window.addEventListener("hashchange", () => showPage(true));

// Test numbers: fill the checkout's phone field.
document.getElementById("test-numbers").addEventListener("click", (e) => {
  const button = e.target.closest("button[data-number]");
  if (!button) return;
  if (currentPage() !== "shop") location.hash = "#shop";
  checkout.phone = button.dataset.number;
  checkout.scrollIntoView({ block: "nearest", behavior: "smooth" });
});

// On a narrow screen the checkout sits below the catalog: bring it into view on a choice.
document.addEventListener("ics-select", () => {
  if (matchMedia("(max-width: 860px)").matches) checkout.scrollIntoView({ block: "start", behavior: "smooth" });
});

const wanted = new URLSearchParams(location.search).get("lang");
let saved = null;
try {
  saved = localStorage.getItem("ics-demo-lang");
} catch {
  // see setLang
}
root.lang = wanted === "en" || wanted === "id" ? wanted : saved === "en" ? "en" : "id";
showPage(false);
