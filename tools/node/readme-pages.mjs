// The README's page quick starts in headless Chromium (playwright-core, Debian's
// /usr/bin/chromium), run by `cargo xtask test --only readme-blocks` after it saved the
// README's blocks, as written, in a fresh project (target/readme-blocks/) and started the
// README's `ics-gateway` command there in front of a sandbox:
//
//   node tools/node/readme-pages.mjs PROJECT_DIR GATEWAY_URL
//
// - `site/index.html` (the browser ES module), served by the gateway at `/`: its
//   `<output id="out">` must say "N products ready, …" with N > 0;
// - `site/shop.html` (the widgets), served by the gateway: the catalog must show products;
// - `index.html` + `main.js` + `vite.config.js` (Vite): Vite's dev server is started on the
//   project with that config (its `/gateway` proxy pointed at GATEWAY_URL through
//   ICS_GATEWAY_URL, as the README documents), and `#out` must say "N XL products ready".
//
// Each page fails on an uncaught error, a console error or a failed request (an HTTP error
// other than the browser's own /favicon.ico); what the page shows is printed.

import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { join } from "node:path";

const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");

const [dir, gateway] = process.argv.slice(2);
assert.ok(dir && gateway, "usage: node readme-pages.mjs PROJECT_DIR GATEWAY_URL");

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
});

/** Opens `url` and returns what `read(page)` finds, failing on page errors. */
async function visit(label, url, read) {
  const page = await browser.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`uncaught: ${e.message}`));
  // A failed load is reported by its response below (with its URL); the browser's own
  // `/favicon.ico` request is not the page's (the README's pages declare no icon).
  page.on("console", (m) => {
    if (m.type() === "error" && !/^Failed to load resource/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on("response", (r) => {
    if (r.status() >= 400 && new URL(r.url()).pathname !== "/favicon.ico") problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  try {
    await page.goto(url);
    const shown = await read(page);
    assert.deepEqual(problems, [], `${label}: ${problems.join("; ")}`);
    console.log(`readme-pages: ${label} (${url}) shows: ${shown}`);
  } catch (e) {
    throw new Error(`${label} (${url}): ${e.message}\n${problems.join("\n")}`);
  } finally {
    await page.close();
  }
}

/** The text of `#out` once it is no longer "Loading…"; it must match `pattern`. */
async function output(page, pattern) {
  const out = page.locator("#out");
  await page.waitForFunction(() => !/Loading/.test(document.querySelector("#out")?.textContent ?? "Loading"), null, {
    timeout: 30000,
  });
  const text = (await out.textContent()).trim();
  const m = text.match(pattern);
  assert.ok(m && Number(m[1]) > 0, `#out says ${JSON.stringify(text)}, not ${pattern}`);
  return text;
}

let pages = 0;
const base = gateway.replace(/\/+$/, "");
if (existsSync(join(dir, "site/index.html"))) {
  await visit("site/index.html (browser ES module)", `${base}/`, (p) => output(p, /^(\d+) products ready, e\.g\. \S+/));
  pages++;
}
if (existsSync(join(dir, "site/shop.html"))) {
  await visit("site/shop.html (widgets)", `${base}/shop.html`, async (page) => {
    // Product cards inside the catalog's shadow root (playwright's CSS pierces it).
    const cards = page.locator("ics-catalog li.product");
    await cards.first().waitFor({ timeout: 30000 });
    const n = await cards.count();
    assert.ok(n > 0, "the catalog shows no product");
    const first = (await cards.first().locator("h3").textContent()).trim();
    return `the catalog shows ${n} products (first: ${first})`;
  });
  pages++;
}
if (existsSync(join(dir, "vite.config.js"))) {
  const { createServer } = require("vite");
  process.env.ICS_GATEWAY_URL = base; // the documented placeholder of vite.config.js
  const server = await createServer({
    root: dir,
    configFile: join(dir, "vite.config.js"),
    server: { host: "127.0.0.1", port: 0 },
    logLevel: "warn",
  });
  await server.listen();
  try {
    const url = server.resolvedUrls.local[0];
    await visit("index.html + main.js + vite.config.js (Vite dev server, /gateway proxied)", url, (p) =>
      output(p, /^(\d+) XL products ready$/),
    );
    pages++;
  } finally {
    await server.close();
  }
}
await browser.close();
assert.ok(pages > 0, `no README page in ${dir}`);
console.log(`readme-pages: ${pages} pages rendered their success`);
