// `cargo xtask bench`: decodes a 10,000-product listProducts body (~2 MB) with bare
// JSON.parse, with `client.decode()` (the documented form: the fast path; the same products
// in PHP style: the core in wasm), and through a whole call (a `fetch` option hands the
// client the text), in headless Chromium; then the time from `import()` to the first
// decoded answer of a 200-product listProducts over loopback, in a new browser context per
// run: no throttling, CPU 4x slower, and a 1.6 Mbps / 150 ms link (both via CDP).
// Usage: node bench.mjs PKG_DIR  (prints one JSON line: medians in ms). Never asserts timings.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { chromium } from "playwright-core";

const pkg = process.argv[2];
const page = `<!doctype html><script type="module">
import { ResellerClient, ready } from "/pkg/index.js";
await ready();
const product = (i) => ({ kode_produk: "XLA" + i, nama_produk: "XL AXIS " + i + "GB",
  deskripsi: "Details Kuota " + i + "GB utama + bonus malam, masa aktif 30 hari, berlaku nasional",
  harga_final: 10000 + i, stok: i % 7 === 0 ? 0 : 50, type: "xla", provider: i % 2 ? "KUBER" : "BEKASANL" });
const all = Array.from({ length: 10000 }, (_, i) => product(i));
const text = JSON.stringify({ success: true, type: "xla", title: "Daftar Produk Bulanan",
  providers_used: ["KUBER", "BEKASANL"],
  data: { ready: all.filter((p) => p.stok > 0), empty: all.filter((p) => p.stok === 0) } });
const php = JSON.stringify({ success: 1, type: "xla", title: "Daftar Produk Bulanan",
  providers_used: "KUBER,BEKASANL",
  data: { ready: all.filter((p) => p.stok > 0).map(phpStyle), empty: all.filter((p) => p.stok === 0).map(phpStyle) } });
function phpStyle(p) { return { ...p, harga_final: String(p.harga_final), stok: String(p.stok) }; }
const client = new ResellerClient({ baseUrl: "http://bench.invalid",
  fetch: async () => new Response(text, { status: 200, headers: { "Content-Type": "application/json" } }) });
const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
async function time(f, n) { const out = []; for (let i = 0; i < n; i++) { const t = performance.now(); await f(); out.push(performance.now() - t); } return median(out); }
for (let i = 0; i < 3; i++) {
  JSON.parse(text); client.decode("listProducts", 200, text); client.decode("listProducts", 200, php);
  await client.listProducts({ type: "xla" });
}
const n = 31;
// Interleaved, so drift and GC pauses fall on both sides of each ratio alike.
async function pair(f, g) {
  const a = [], b = [];
  for (let i = 0; i < n; i++) {
    let t = performance.now(); await f(); a.push(performance.now() - t);
    t = performance.now(); await g(); b.push(performance.now() - t);
  }
  return [median(a), median(b)];
}
const [parse, decode] = await pair(() => JSON.parse(text), () => client.decode("listProducts", 200, text));
const [parsePhp, decodePhp] = await pair(() => JSON.parse(php), () => client.decode("listProducts", 200, php));
const response = await time(() => new Response(text).json(), n);
const viaClient = await time(() => client.listProducts({ type: "xla" }), n);
const r = await client.listProducts({ type: "xla" });
const rp = client.decode("listProducts", 200, php);
if (JSON.stringify(rp) !== JSON.stringify(r)) throw new Error("the PHP-style body decoded differently");
window.__bench = { bytes: text.length, php_bytes: php.length, products: r.data.ready.length + r.data.empty.length,
  runs: n, json_parse_ms: parse, decode_ms: decode, json_parse_php_ms: parsePhp, decode_php_ms: decodePhp,
  response_json_ms: response, client_ms: viaClient, ua: navigator.userAgent };
</script>`;
// import() -> first decoded answer: a fresh page, the package fetched, the wasm compiled
// streaming on the first call, a 200-product body from this server.
const first = `<!doctype html><script type="module">
const t0 = performance.now();
const { ResellerClient } = await import("/pkg/index.js");
const client = new ResellerClient({ baseUrl: location.origin + "/api" });
const r = await client.listProducts({ type: "xla" });
window.__first = { ms: performance.now() - t0, products: r.data.ready.length + r.data.empty.length };
</script>`;
const product = (i) => ({ kode_produk: "XLA" + i, nama_produk: "XL AXIS " + i + "GB",
  deskripsi: "Details Kuota " + i + "GB utama + bonus malam, masa aktif 30 hari, berlaku nasional",
  harga_final: 10000 + i, stok: i % 7 === 0 ? 0 : 50, type: "xla", provider: i % 2 ? "KUBER" : "BEKASANL" });
const all200 = Array.from({ length: 200 }, (_, i) => product(i));
const body200 = JSON.stringify({ success: true, type: "xla", title: "Daftar Produk Bulanan",
  providers_used: ["KUBER", "BEKASANL"],
  data: { ready: all200.filter((p) => p.stok > 0), empty: all200.filter((p) => p.stok === 0) } });
const server = createServer(async (req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
  if (path === "/" || path === "/bench.html") return res.writeHead(200, { "Content-Type": "text/html" }).end(page);
  if (path === "/first.html") return res.writeHead(200, { "Content-Type": "text/html" }).end(first);
  if (path.startsWith("/api")) return res.writeHead(200, { "Content-Type": "application/json" }).end(body200);
  try {
    const body = await readFile(join(pkg, path.replace(/^\/pkg\//, "")));
    const types = { ".js": "text/javascript", ".wasm": "application/wasm" };
    res.writeHead(200, { "Content-Type": types[extname(path)] ?? "application/octet-stream" }).end(body);
  } catch { res.writeHead(404).end(); }
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const profile = mkdtempSync(join(tmpdir(), "ics-bench-"));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const origin = `http://127.0.0.1:${server.address().port}`;
/** import() -> first answer in a new context per run, under `throttle`, median of 7. */
async function firstAnswer(throttle) {
  const out = [];
  for (let i = 0; i < 7; i++) {
    const context = await fresh.newContext();
    const tab = await context.newPage();
    const cdp = await context.newCDPSession(tab);
    if (throttle.cpu) await cdp.send("Emulation.setCPUThrottlingRate", { rate: throttle.cpu });
    if (throttle.link) {
      await cdp.send("Network.enable");
      await cdp.send("Network.emulateNetworkConditions", {
        offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8,
      });
    }
    await tab.goto(`${origin}/first.html`);
    await tab.waitForFunction(() => window.__first !== undefined, null, { timeout: 120000 });
    out.push((await tab.evaluate(() => window.__first)).ms);
    await context.close();
  }
  return out.sort((a, b) => a - b)[out.length >> 1];
}
const fresh = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run"],
});
try {
  const tab = await browser.newPage();
  await tab.goto(`${origin}/bench.html`);
  await tab.waitForFunction(() => window.__bench !== undefined, null, { timeout: 120000 });
  const r = await tab.evaluate(() => window.__bench);
  r.first_ms = await firstAnswer({});
  r.first_cpu4_ms = await firstAnswer({ cpu: 4 });
  r.first_link_ms = await firstAnswer({ link: true });
  console.log(JSON.stringify(r));
} finally {
  await fresh.close();
  await browser.close();
  server.close();
  rmSync(profile, { recursive: true, force: true });
}
