//# allFunctionsCalledOnLoad
// (V8's explicit compile hint: this module's functions are compiled with it, while it streams
// in off the main thread, instead of lazily on their first call inside the widget's upgrade,
// ~50-70 ms there at 4x CPU. The shop page calls nearly all of them while loading.)
// <ics-catalog>: the product catalog. Tabs per type (all, xla, bpa, fmax, xda), a provider
// filter, a search box, prices in rupiah, stock badges, sold-out products shown greyed out,
// skeleton cards while loading. Choosing a product fires `ics-select` ({ product }), which
// <ics-checkout> in the same page listens to.
//
// Attributes: base-url (gateway, default /gateway), type (first tab, default all).
// Properties: client, type, selected (product code), products (the loaded list).
// Methods: refresh(). Events: ics-select, ics-catalog-loaded ({ type, count }).

import { IcsElement, errorMessage, formatRupiah, h, nextTask, setAttr, setText } from "./shared.js";

const TYPES = ["all", "xla", "bpa", "fmax", "xda"];
const LOW_STOCK = 15;

const STYLES = `
.tabs { display: flex; gap: 0.25rem; overflow-x: auto; border-bottom: 1px solid var(--_line); margin-bottom: 0.9rem; scrollbar-width: thin; }
[role="tab"] {
  border: 0; border-bottom: 3px solid transparent; border-radius: 0; background: none;
  padding: 0.55rem 0.8rem; white-space: nowrap; color: var(--_muted); font-weight: 600;
}
[role="tab"][aria-selected="true"] { color: var(--_accent); border-bottom-color: var(--_accent); }
[role="tab"]:hover { color: var(--_ink); }
.filters { display: grid; grid-template-columns: 2fr 1fr; gap: 0.75rem; margin-bottom: 0.75rem; }
@media (max-width: 520px) {
  .filters { grid-template-columns: 1fr; }
  /* On a phone the five tabs wrap instead of hiding behind a sideways scroll. */
  .tabs { flex-wrap: wrap; overflow-x: visible; }
  [role="tab"] { padding: 0.5rem 0.6rem; }
}
.count { font-size: 0.875rem; color: var(--_muted); margin-bottom: 0.6rem; min-height: 1.3em; }
.grid { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.75rem;
  grid-template-columns: repeat(auto-fill, minmax(min(100%, 205px), 1fr)); }
.product { display: flex; flex-direction: column; gap: 0.45rem; height: 100%;
  background: var(--_surface); border: 1px solid var(--_line); border-radius: var(--_radius); padding: 0.85rem;
  /* A card off screen is not laid out until it comes near the viewport (its size is
     remembered once it was): the catalog's first layout is a screenful, not every card. */
  content-visibility: auto; contain-intrinsic-size: auto 206px; }
.product.chosen { border-color: var(--_accent); box-shadow: 0 0 0 2px var(--_accent); }
.product.empty { background: var(--_soft); }
.product.empty h3, .product.empty .price { color: var(--_muted); }
.top, .bottom { display: flex; justify-content: space-between; align-items: center; gap: 0.4rem; }
.provider { font-size: 0.75rem; color: var(--_muted); letter-spacing: 0.03em; }
.desc { font-size: 0.875rem; color: var(--_muted); flex: 1; }
.price { font-size: 1.25rem; font-weight: 700; }
.product.empty .price { text-decoration: line-through; }
.product button { width: 100%; }
.product button[aria-pressed="true"] { background: var(--_accent); color: var(--_accent-ink); border-color: var(--_accent); }
.sk { height: 172px; border-radius: var(--_radius); }
.error { display: flex; gap: 0.75rem; align-items: center; flex-wrap: wrap; }
`;

export class IcsCatalog extends IcsElement {
  static css = STYLES;
  static observedAttributes = ["type"];

  #type = "all";
  /** @type {Map<string, {state: "loading" | "ok" | "error", products?: any[], providers?: string[], error?: any}>} */
  #lists = new Map();
  #provider = "";
  #query = "";
  #selected = "";
  #els = {};
  /** What the provider list and the grid show now (see `render`). */
  #shown = {};

  attributeChangedCallback(name, _old, value) {
    if (name === "type" && TYPES.includes(value) && value !== this.#type) {
      this.#type = value;
      if (this.isConnected) this.#load();
    }
  }

  /** The tab shown: `all`, `xla`, `bpa`, `fmax` or `xda`. */
  get type() {
    return this.#type;
  }
  set type(t) {
    this.setAttribute("type", t);
  }

  /** Code of the chosen product. */
  get selected() {
    return this.#selected;
  }
  set selected(code) {
    this.#selected = code ?? "";
    this.render();
  }

  /** The products of the current tab, as loaded (ready first, then sold out). */
  get products() {
    return this.#lists.get(this.#type)?.products ?? [];
  }

  /** Reloads the current tab (and forgets the others). */
  refresh() {
    this.#lists.clear();
    return this.#load();
  }

  build() {
    const tabs = h("div", { class: "tabs", role: "tablist" });
    for (const t of TYPES) {
      tabs.append(
        h("button", {
          type: "button",
          role: "tab",
          id: `tab-${t}`,
          "aria-controls": "panel",
          dataset: { type: t },
          onclick: () => this.#choose(t),
        }),
      );
    }
    tabs.addEventListener("keydown", (e) => this.#tabKeys(e));
    const search = h("input", {
      id: "q",
      type: "search",
      autocomplete: "off",
      oninput: (e) => {
        this.#query = e.target.value;
        this.render();
      },
    });
    const provider = h("select", {
      id: "prov",
      onchange: (e) => {
        this.#provider = e.target.value;
        this.render();
      },
    });
    const count = h("p", { class: "count", role: "status", "aria-live": "polite" });
    const grid = h("ul", { class: "grid" });
    const panel = h("div", { role: "tabpanel", id: "panel", tabindex: "-1" }, count, grid);
    this.#els = {
      tabs,
      search,
      provider,
      searchLabel: h("label", { for: "q" }),
      providerLabel: h("label", { for: "prov" }),
      count,
      grid,
      panel,
    };
    this.shadowRoot.append(
      tabs,
      h(
        "div",
        { class: "filters" },
        h("div", {}, this.#els.searchLabel, search),
        h("div", {}, this.#els.providerLabel, provider),
      ),
      panel,
    );
  }

  connected() {
    if (!this.#lists.has(this.#type)) this.#load();
  }

  async #load() {
    const type = this.#type;
    const entry = { state: "loading" };
    this.#lists.set(type, entry);
    this.render();
    try {
      // The skeleton, creating the client (the package's first wasm client compiles its code)
      // and the call each in a task of their own: together they were one long task.
      await nextTask();
      const client = this.client;
      await nextTask();
      const resp = await client.listProducts({ type }, { signal: this.signal });
      const products = [...(resp.data.ready ?? []), ...(resp.data.empty ?? [])];
      const providers = [...new Set([...(resp.providers_used ?? []), ...products.map((p) => p.provider)])];
      Object.assign(entry, { state: "ok", products, providers });
      this.emit("ics-catalog-loaded", { type, count: products.length });
    } catch (error) {
      if (error?.code === "aborted") return;
      Object.assign(entry, { state: "error", error });
    }
    if (this.#lists.get(type) === entry) this.render();
  }

  #choose(type) {
    this.type = type;
    if (!this.#lists.has(type)) this.#load();
    else this.render();
  }

  #tabKeys(e) {
    const i = TYPES.indexOf(this.#type);
    const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: TYPES.length - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    const t = TYPES[(next + TYPES.length) % TYPES.length];
    this.#choose(t);
    this.shadowRoot.getElementById(`tab-${t}`).focus();
  }

  render() {
    const els = this.#els;
    if (!els.grid) return;
    const lang = this.uiLang;
    setAttr(els.tabs, "aria-label", this.t("catalog.tabs"));
    for (const tab of els.tabs.children) {
      const on = tab.dataset.type === this.#type;
      setText(tab, this.t(`type.${tab.dataset.type}`));
      setAttr(tab, "aria-selected", String(on));
      tab.tabIndex = on ? 0 : -1;
    }
    setAttr(els.panel, "aria-labelledby", `tab-${this.#type}`);
    setText(els.searchLabel, this.t("catalog.search"));
    setAttr(els.search, "placeholder", this.t("catalog.searchPlaceholder"));
    setText(els.providerLabel, this.t("catalog.provider"));

    const entry = this.#lists.get(this.#type) ?? { state: "loading" };
    const providers = entry.providers ?? [];
    if (this.#provider && entry.state === "ok" && !providers.includes(this.#provider)) this.#provider = "";
    // The provider list and the grid are rebuilt only when what they show changed: a choice
    // (or a re-render for nothing) updates the cards in place, so a click stays cheap.
    const providersKey = JSON.stringify([lang, providers]);
    if (this.#shown.providers !== providersKey) {
      this.#shown.providers = providersKey;
      els.provider.replaceChildren(
        h("option", { value: "" }, this.t("catalog.allProviders")),
        ...providers.map((p) => h("option", { value: p }, p)),
      );
    }
    if (els.provider.value !== this.#provider) els.provider.value = this.#provider;

    const q = this.#query.trim().toLowerCase();
    // While loading, every entry looks the same (the skeleton): the render at connect and
    // the one when the load starts share one skeleton instead of building it twice.
    const gridKey = [entry.state === "loading" ? null : entry, entry.state, lang, this.#provider, q];
    const same = this.#shown.grid?.length === gridKey.length && this.#shown.grid.every((v, i) => v === gridKey[i]);
    if (same) {
      for (const li of els.grid.children) if (li.dataset.kode) this.#mark(li);
      return;
    }
    this.#shown.grid = gridKey;
    const focusedCode = this.shadowRoot.activeElement?.dataset?.kode;
    setAttr(els.grid, "aria-busy", String(entry.state === "loading"));
    if (entry.state === "loading") {
      setText(els.count, this.t("catalog.loading"));
      els.grid.replaceChildren(
        ...Array.from({ length: 6 }, () => h("li", { class: "sk skeleton", "aria-hidden": "true" })),
      );
      return;
    }
    if (entry.state === "error") {
      setText(els.count, "");
      els.grid.replaceChildren(
        h(
          "li",
          { class: "notice bad error", role: "alert" },
          h("span", {}, `${this.t("catalog.loadFailed")} ${errorMessage(lang, entry.error)}`),
          h("button", { type: "button", onclick: () => this.refresh() }, this.t("catalog.retry")),
        ),
      );
      return;
    }
    const shown = entry.products.filter(
      (p) =>
        (!this.#provider || p.provider === this.#provider) &&
        (!q || `${p.nama_produk} ${p.kode_produk} ${p.deskripsi}`.toLowerCase().includes(q)),
    );
    setText(els.count, shown.length ? this.t("catalog.count", { n: shown.length }) : this.t("catalog.empty"));
    els.grid.replaceChildren(...shown.map((p) => this.#card(p)));
    if (focusedCode) els.grid.querySelector(`button[data-kode="${CSS.escape(focusedCode)}"]`)?.focus();
  }

  #card(p) {
    const soldOut = !(p.stok > 0);
    const stock = soldOut
      ? h("span", { class: "badge bad stock" }, this.t("catalog.soldOut"))
      : p.stok <= LOW_STOCK
        ? h("span", { class: "badge warn stock" }, this.t("catalog.lowStock", { n: p.stok }))
        : h("span", { class: "badge ok stock" }, this.t("catalog.stock", { n: p.stok }));
    const nameId = `p-${p.kode_produk}`;
    const li = h(
      "li",
      {
        class: `product${soldOut ? " empty" : ""}`,
        dataset: { kode: p.kode_produk, stock: soldOut ? "empty" : "ready", provider: p.provider },
      },
      h(
        "div",
        { class: "top" },
        h("span", { class: "badge" }, String(p.type).toUpperCase()),
        h("span", { class: "provider" }, p.provider),
      ),
      h("h3", { id: nameId }, p.nama_produk),
      h("p", { class: "desc" }, p.deskripsi),
      h("div", { class: "bottom" }, h("span", { class: "price" }, formatRupiah(p.harga_final)), stock),
      h(
        "button",
        {
          type: "button",
          dataset: { kode: p.kode_produk },
          "aria-describedby": nameId,
          disabled: soldOut,
          onclick: () => this.#select(p),
        },
      ),
    );
    this.#mark(li);
    return li;
  }

  /** Brings a card's chosen state (class, `aria-pressed`, button text) up to date. */
  #mark(li) {
    const soldOut = li.dataset.stock === "empty";
    const chosen = li.dataset.kode === this.#selected;
    li.classList.toggle("chosen", chosen);
    const button = li.querySelector("button");
    if (soldOut) button.removeAttribute("aria-pressed");
    else setAttr(button, "aria-pressed", String(chosen));
    setText(button, soldOut ? this.t("catalog.soldOut") : chosen ? this.t("catalog.chosen") : this.t("catalog.choose"));
  }

  #select(p) {
    this.#selected = p.kode_produk;
    this.render();
    this.emit("ics-select", { product: p });
  }
}
