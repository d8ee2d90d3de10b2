// `cargo xtask bench`: this package next to the clients a web developer would pick instead
// (tests/js/peers/, built by peers.mjs: fetch + JSON.parse, openapi-fetch with
// openapi-typescript types, an Ajv standalone client, a zod 4 client), in ONE headless
// Chromium run, on a realistic 200-product catalog and on 10,000 products:
// - bytes each needs (its client bundled + minified by esbuild; gzip -9 and brotli);
// - decode of a listProducts body (strict and PHP style) against JSON.parse of the same
//   text, and a whole call through a `fetch` stub against `Response.json()`;
// - per-call overhead of `ping` over loopback against bare `fetch` (same origin,
//   keep-alive, means over 500 calls);
// - import() → first decoded answer (200 products) in a new browser context per run: no
//   throttling, CPU 4× slower, and a 1.6 Mbps / 150 ms link (both via CDP); files and
//   answers are served compressed (brotli, else gzip, as the browser asks), as a
//   production server such as ics-gateway serves them.
// Every measurement is interleaved across the peers (order rotated each round), and each
// ratio is the median of per-round ratios against the baseline of the same round.
// Before timing, every peer must decode the bodies to the same value (else exit 1).
// Prints the tables; never asserts timings.
// Usage: node bench.mjs PKG_DIR SCHEMA_DIR [--smoke]
//   (run from a folder holding this file, peers.mjs, peers/ and a node_modules link to
//   tools/node/node_modules). --smoke: build, typecheck, check equal decoding; no timing.
//   ICS_BENCH_FIRST_RUNS: runs of import() → first answer per peer and link (default 5).
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { dirname, extname, join, normalize, relative } from "node:path";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { PEERS, buildPeers, typecheck } from "./peers.mjs";

const [pkg, schema] = process.argv.slice(2);
const smoke = process.argv.includes("--smoke");
const here = dirname(fileURLToPath(import.meta.url));
const RUNS = Number(process.env.ICS_BENCH_FIRST_RUNS ?? 5); // import() → first answer, per peer and link
const PING_CALLS = 500;
const SIZES = [200, 10000];

// --- the bodies: a realistic catalog (one product type, several providers and quotas) ---
function catalog(n) {
  let seed = 20260101;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  const gbs = [1, 2, 3, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 75, 100];
  const providers = ["KUBER", "BEKASANL", "DIGIPOS", "ORDERKUOTA"];
  return Array.from({ length: n }, (_, i) => {
    const gb = pick(gbs), days = pick([7, 14, 30, 30, 30, 60]), night = rand() < 0.4 ? pick([2, 5, 10]) : 0;
    return {
      kode_produk: `XLA${gb}D${days}${i < 40 ? "" : `V${i}`}`,
      nama_produk: `XL AXIS ${gb}GB ${days} Hari${night ? ` + ${night}GB Malam` : ""}`,
      deskripsi: `Details Kuota ${gb}GB utama${night ? ` + ${night}GB malam (00.00–06.00)` : ""}, ` +
        `masa aktif ${days} hari, berlaku nasional${rand() < 0.3 ? ". Tidak dapat digabung dengan promo lain" : ""}`,
      harga_final: Math.round((gb * 1300 + days * 150 + night * 400 + rand() * 3000) / 500) * 500 + 2000,
      stok: rand() < 0.15 ? 0 : 1 + Math.floor(rand() * 300),
      type: "xla",
      provider: pick(providers),
    };
  });
}
function bodies(n) {
  const all = catalog(n);
  const lists = (f) => ({ ready: all.filter((p) => p.stok > 0).map(f), empty: all.filter((p) => p.stok === 0).map(f) });
  const strict = JSON.stringify({ success: true, type: "xla", title: "Daftar Produk Bulanan",
    providers_used: ["KUBER", "BEKASANL", "DIGIPOS", "ORDERKUOTA"], data: lists((p) => p) });
  // The PHP server's forms: 1 for true, a comma list, numbers as strings.
  const php = JSON.stringify({ success: 1, type: "xla", title: "Daftar Produk Bulanan",
    providers_used: "KUBER,BEKASANL,DIGIPOS,ORDERKUOTA",
    data: lists((p) => ({ ...p, harga_final: String(p.harga_final), stok: String(p.stok) })) });
  return { strict, php };
}
const BODIES = {};
for (const n of SIZES) {
  const b = bodies(n);
  BODIES[`strict-${n}`] = b.strict;
  BODIES[`php-${n}`] = b.php;
}
const PING = JSON.stringify({ success: true, kodereseller: "RS00001" });

// --- the pages ---
const peerNames = PEERS.map(([name]) => name);
const page = `<!doctype html><meta charset="utf-8"><script type="module">
const PEERS = ${JSON.stringify(peerNames)}, SIZES = ${JSON.stringify(SIZES)};
const SMOKE = ${smoke}, PING_CALLS = ${PING_CALLS};
async function run() {
const mods = {}, dec = {};
for (const p of PEERS) { mods[p] = await import("/peers/" + p + ".js"); dec[p] = await mods[p].decoders(); }
const text = {};
for (const n of SIZES) for (const k of ["strict", "php"]) text[k + n] = await (await fetch("/bodies/" + k + "-" + n + ".json")).text();
const stub = (body) => async () => new Response(body, { status: 200, headers: { "Content-Type": "application/json" } });
const canon = (v) => JSON.stringify(v, (k, x) => x && typeof x === "object" && !Array.isArray(x)
  ? Object.fromEntries(Object.keys(x).sort().map((key) => [key, x[key]])) : x);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const rotate = (xs, i) => xs.map((_, j) => xs[(i + j) % xs.length]);
const errors = [];
// 1. Every peer decodes each body to the same value as JSON.parse of the strict text.
for (const n of SIZES) {
  const want = canon(JSON.parse(text["strict" + n]));
  for (const p of PEERS) {
    const check = async (what, f) => {
      try { const got = canon(await f()); if (got !== want) errors.push(p + ": " + what + " of " + n + " products differs"); }
      catch (e) { errors.push(p + ": " + what + " of " + n + " products threw " + String(e).slice(0, 300)); }
    };
    if (p !== "bare" && dec[p].strict) await check("decode (strict)", () => dec[p].strict(text["strict" + n]));
    if (p !== "bare" && dec[p].php) await check("decode (PHP style)", () => dec[p].php(text["php" + n]));
    if (p !== "bare" && dec[p].strict && dec[p].strict !== dec[p].php) {
      // A strict validator must refuse the PHP-style body (else its ratio would be wrong).
      let refused = false;
      try { dec[p].strict(text["php" + n]); } catch { refused = true; }
      if (!refused) errors.push(p + ": the strict decoder accepted the PHP-style body");
    }
    await check("listProducts through fetch", () => mods[p].client("http://bench.invalid", stub(text["strict" + n])).listProducts("xla"));
  }
}
const api = location.origin + "/api";
const clients = Object.fromEntries(PEERS.map((p) => [p, mods[p].client(api)]));
for (const p of PEERS) {
  try { const r = await clients[p].ping(); if (r.kodereseller !== "RS00001") errors.push(p + ": ping answered " + JSON.stringify(r)); }
  catch (e) { errors.push(p + ": ping threw " + String(e).slice(0, 300)); }
}
if (errors.length || SMOKE) return { errors, ua: navigator.userAgent };
// 2. Decode: per round, each task once (rotated order); small bodies repeated per sample.
async function rounds(tasks, n, base) {
  const reps = Math.max(1, Math.round(8000 / n)), R = n >= 10000 ? 15 : 21;
  const ms = Object.fromEntries(Object.keys(tasks).map((k) => [k, []]));
  const ratio = Object.fromEntries(Object.keys(tasks).map((k) => [k, []]));
  for (let r = 0; r < R + 2; r++) {
    const got = {};
    for (const k of rotate(Object.keys(tasks), r)) {
      const t = performance.now();
      for (let i = 0; i < reps; i++) await tasks[k]();
      got[k] = (performance.now() - t) / reps;
    }
    if (r < 2) continue; // warm-up rounds
    for (const k in tasks) { ms[k].push(got[k]); ratio[k].push(got[k] / got[base(k)]); }
  }
  return Object.fromEntries(Object.keys(tasks).map((k) => [k, { ms: median(ms[k]), ratio: median(ratio[k]) }]));
}
const decode = {}, through = {};
for (const n of SIZES) {
  const s = text["strict" + n], php = text["php" + n];
  const tasks = { "parse/strict": () => JSON.parse(s), "parse/php": () => JSON.parse(php) };
  for (const p of PEERS) if (p !== "bare") {
    if (dec[p].strict) tasks[p + "/strict"] = () => dec[p].strict(s);
    if (dec[p].php) tasks[p + "/php"] = () => dec[p].php(php);
  }
  console.log("decode: " + n + " products");
  decode[n] = await rounds(tasks, n, (k) => k.endsWith("/php") ? "parse/php" : "parse/strict");
  const calls = {};
  for (const p of PEERS) {
    const c = mods[p].client("http://bench.invalid", stub(s));
    calls[p] = () => c.listProducts("xla");
  }
  console.log("through fetch: " + n + " products");
  const r = await rounds({ json: () => stub(s)().then((res) => res.json()), ...calls }, n, () => "json");
  through[n] = r;
}
// 3. ping over loopback: bare fetch vs each client, interleaved, means of PING_CALLS.
const url = api + "/?action=ping";
const pings = { fetch: () => fetch(url).then((r) => r.json()) };
for (const p of PEERS) if (p !== "bare") pings[p] = () => clients[p].ping();
console.log("ping over loopback: " + PING_CALLS + " calls each");
const pingMs = Object.fromEntries(Object.keys(pings).map((k) => [k, []]));
for (let i = 0; i < 30 + PING_CALLS; i++) {
  for (const k of rotate(Object.keys(pings), i)) {
    const t = performance.now(); await pings[k](); if (i >= 30) pingMs[k].push(performance.now() - t);
  }
}
const ping = Object.fromEntries(Object.keys(pings).map((k) => [k, mean(pingMs[k])]));
return { errors, ua: navigator.userAgent, decode, through, ping };
}
run().then((r) => { window.__bench = r; }, (e) => { window.__bench = { errors: [String(e && e.stack || e)] }; });
</script>`;
// import() → first decoded answer: a fresh context, the peer's bundle fetched, a
// 200-product body from this server.
const first = `<!doctype html><meta charset="utf-8"><script type="module">
const peer = new URLSearchParams(location.search).get("peer");
const t0 = performance.now();
const m = await import("/peers/" + peer + ".js");
const r = await m.client(location.origin + "/api").listProducts("xla");
window.__first = { ms: performance.now() - t0, products: r.data.ready.length + r.data.empty.length };
</script>`;

console.error("bench: building the peers (esbuild, openapi-typescript, Ajv standalone)");
const files = await buildPeers({ out: here, src: join(here, "peers"), pkg, schema });
if (smoke) typecheck(here);
const TYPES = { ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };
/** Compressed bodies, by encoding and content (each file and answer is compressed once). */
const compressed = new Map();
function encode(encoding, body) {
  const key = encoding + "\0" + (typeof body === "string" ? body : body.toString("latin1"));
  let out = compressed.get(key);
  if (out === undefined) {
    out = encoding === "br"
      ? brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } })
      : gzipSync(body, { level: 9 });
    compressed.set(key, out);
  }
  return out;
}
const server = createServer(async (req, res) => {
  const u = new URL(req.url, "http://x");
  const path = normalize(decodeURIComponent(u.pathname));
  // As a production server would: brotli or gzip when the browser takes it.
  const accepts = String(req.headers["accept-encoding"] ?? "");
  const encoding = /\bbr\b/.test(accepts) ? "br" : /\bgzip\b/.test(accepts) ? "gzip" : undefined;
  const send = (type, body) =>
    encoding === undefined
      ? res.writeHead(200, { "Content-Type": type }).end(body)
      : res.writeHead(200, { "Content-Type": type, "Content-Encoding": encoding, Vary: "Accept-Encoding" })
        .end(encode(encoding, body));
  if (path === "/bench.html") return send("text/html", page);
  if (path === "/favicon.ico") return res.writeHead(204).end();
  if (path === "/first.html") return send("text/html", first);
  if (path.startsWith("/api")) {
    const action = u.searchParams.get("action");
    if (action === "ping") return send("application/json", PING);
    if (action === "listProducts") return send("application/json", BODIES["strict-200"]);
    return res.writeHead(404).end();
  }
  const body = path.match(/^\/bodies\/([a-z]+-\d+)\.json$/);
  if (body && BODIES[body[1]]) return send("application/json", BODIES[body[1]]);
  if (path.startsWith("/peers/")) {
    try {
      return send(TYPES[extname(path)] ?? "application/octet-stream", await readFile(join(here, "dist", path.slice(7))));
    } catch { /* 404 below */ }
  }
  res.writeHead(404).end();
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const origin = `http://127.0.0.1:${server.address().port}`;
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run"];
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ARGS });
const LINKS = {
  none: {},
  cpu4: { cpu: 4 },
  link: { link: { offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8 } },
};
/** import() → first answer of `peer` in a new context under `throttle`, in ms. */
async function firstAnswer(peer, throttle) {
  const context = await browser.newContext();
  try {
    const tab = await context.newPage();
    const cdp = await context.newCDPSession(tab);
    if (throttle.cpu) await cdp.send("Emulation.setCPUThrottlingRate", { rate: throttle.cpu });
    if (throttle.link) {
      await cdp.send("Network.enable");
      await cdp.send("Network.emulateNetworkConditions", throttle.link);
    }
    await tab.goto(`${origin}/first.html?peer=${peer}`);
    await tab.waitForFunction(() => window.__first !== undefined, null, { timeout: 120000 });
    const r = await tab.evaluate(() => window.__first);
    if (r.products !== 200) throw new Error(`${peer}: first answer had ${r.products} products`);
    return r.ms;
  } finally {
    await context.close();
  }
}
let r;
try {
  const context = await browser.newContext();
  const tab = await context.newPage();
  tab.on("pageerror", (e) => console.error(`page error: ${e.message}`));
  tab.on("console", (m) => console.error(`bench: ${m.text()}`));
  await tab.goto(`${origin}/bench.html`);
  await tab.waitForFunction(() => window.__bench !== undefined, null, { timeout: 600000 });
  r = await tab.evaluate(() => window.__bench);
  await context.close();
  if (r.errors.length) {
    console.error(`bench: the peers disagree:\n  ${r.errors.join("\n  ")}`);
    process.exitCode = 1;
  } else if (smoke) {
    console.log(`peers smoke: ${peerNames.join(", ")} built; each decodes ${SIZES.join(" and ")} products ` +
      `(strict${", PHP style"} where it can) and pings equally`);
  } else {
    // Interleaved: run i of every link and every peer before run i + 1 of any.
    r.first = Object.fromEntries(Object.keys(LINKS).map((l) => [l, Object.fromEntries(peerNames.map((p) => [p, []]))]));
    let k = 0;
    for (let i = 0; i < RUNS; i++) {
      console.error(`bench: import() → first answer, run ${i + 1} of ${RUNS} (${peerNames.length} peers × 3 links)`);
      for (const l of Object.keys(LINKS)) {
        for (const p of peerNames.map((_, j) => peerNames[(j + k) % peerNames.length])) {
          r.first[l][p].push(await firstAnswer(p, LINKS[l]));
        }
        k++;
      }
    }
  }
} finally {
  await browser.close();
  server.close();
}
if (!smoke && !process.exitCode) report(r, files);

/** Prints the measured tables. */
function report(r, files) {
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const gzip9 = (f) => execFileSync("gzip", ["-9", "-c", f], { maxBuffer: 1 << 28 }).length;
  const brotli = (f) => brotliCompressSync(readFileSync(f), { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  const kb = (b) => `${(b / 1000).toFixed(1)} KB`;
  const chrome = (r.ua.split(" ").find((w) => /^(Headless)?Chrome\//.test(w)) ?? "Chromium");
  const size = {};
  console.log("\n== bytes a page downloads for each client (esbuild --bundle --minify, ESM, es2020)");
  console.log(`  ${"file".padEnd(44)} ${"raw".padStart(9)} ${"gzip -9".padStart(9)} ${"brotli".padStart(9)}`);
  for (const [p] of PEERS) {
    size[p] = { raw: 0, gz: 0, br: 0 };
    for (const f of files[p]) {
      const s = { raw: statSync(f).size, gz: gzip9(f), br: brotli(f) };
      for (const k in s) size[p][k] += s[k];
      console.log(`  ${relative(here, f).padEnd(44)} ${String(s.raw).padStart(9)} ${String(s.gz).padStart(9)} ${String(s.br).padStart(9)}`);
    }
  }
  const cols = PEERS.map(([, , title]) => title);
  const W = 17;
  const row = (label, cells) => console.log(`  ${label.padEnd(52)}${cells.map((c) => String(c).padStart(W)).join("")}`);
  const each = (f) => PEERS.map(([p]) => f(p) ?? "–");
  const x = (v) => (v === undefined ? undefined : `${v.toFixed(2)}`);
  const ms = (v) => (v === undefined ? undefined : `${v.toFixed(v < 10 ? 2 : 0)} ms`);
  console.log(`\n== the peers, one interleaved run in ${chrome} (ratios: medians of per-round ratios)`);
  row("", cols);
  row("bytes, gzip -9", each((p) => kb(size[p].gz)));
  row("bytes, brotli 11", each((p) => kb(size[p].br)));
  for (const [l, label] of [["none", "import → first answer (200 products), no throttling"],
    ["cpu4", "same, CPU 4× slower (CDP)"], ["link", "same, 1.6 Mbps / 150 ms link (CDP)"]]) {
    row(label, each((p) => `${median(r.first[l][p]).toFixed(0)} ms`));
  }
  for (const n of SIZES) {
    const d = r.decode[n];
    row(`strict ${n}-product decode, × JSON.parse`, each((p) => (p === "bare" ? "1.00" : x(d[`${p}/strict`]?.ratio))));
  }
  for (const n of SIZES) {
    row(`${n} products through fetch, × Response.json()`, each((p) => x(r.through[n][p].ratio)));
  }
  for (const n of SIZES) {
    const d = r.decode[n];
    row(`PHP-style ${n} products, × JSON.parse of that text`, each((p) => (p === "bare" ? "1.00" : x(d[`${p}/php`]?.ratio))));
  }
  row(`added per ping over loopback (mean of ${PING_CALLS})`, each((p) => (p === "bare" || r.ping[p] === undefined
    ? undefined : `${r.ping[p] - r.ping.fetch >= 0 ? "+" : ""}${(r.ping[p] - r.ping.fetch).toFixed(3)} ms`)));
  console.log("  (Ajv: standalone validators of all nine answers + ErrorBody; zod 4: hand-written schemas of");
  console.log("   listProducts, ping and ErrorBody mirroring schema/json, PHP style with z.coerce + unions; Ajv");
  console.log("   refuses PHP-style bodies (checked), openapi-fetch validates nothing. import → first answer:");
  console.log(`   median of ${RUNS}, new context each; ping: bare fetch ${r.ping.fetch.toFixed(3)} ms per call, same origin, keep-alive)`);
  console.log("\n== the same in milliseconds (medians)");
  row("", ["JSON.parse", ...cols.slice(1)]);
  for (const n of SIZES) {
    const d = r.decode[n];
    row(`strict ${n} products (${kb(BODIES[`strict-${n}`].length)}): decode`, [ms(d["parse/strict"].ms),
      ...PEERS.slice(1).map(([p]) => ms(d[`${p}/strict`]?.ms) ?? "–")]);
    row(`PHP style ${n} products (${kb(BODIES[`php-${n}`].length)}): decode`, [ms(d["parse/php"].ms),
      ...PEERS.slice(1).map(([p]) => ms(d[`${p}/php`]?.ms) ?? "–")]);
    row(`  through fetch (first column: Response.json())`, [ms(r.through[n].json.ms),
      ...PEERS.slice(1).map(([p]) => ms(r.through[n][p].ms))]);
  }
  console.log("  (targets for this package: <= 45 KB gzipped; strict <= 1.5x JSON.parse, through fetch <= 1.05x");
  console.log("   Response.json(); PHP style <= 1.5x; first answer <= 50 ms at 4x CPU, <= 300 ms on the link;");
  console.log("   <= +0.1 ms per call)");
}
