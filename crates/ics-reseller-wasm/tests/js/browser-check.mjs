// Opens the Vite build (dist/index.html) and the plain ES-module page (plain.html) of the
// test app in headless Chromium and checks both talk to the sandbox through ics-gateway
// (ICS_GATEWAY_URL), which allows this server's origin (port ICS_APP_PORT) by --allow-origin.
// More pages (PAGE...: a path under APP_DIR, each a build of app/main.js) are checked as
// the Vite build is. Usage: node browser-check.mjs APP_DIR [PAGE...] (run by cargo xtask
// test, step npm-package).
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { chromium } from "playwright-core";

const root = process.argv[2];
const api = process.env.ICS_GATEWAY_URL;
const types = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm" };
const server = createServer(async (req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
  try {
    const body = await readFile(join(root, path));
    res.writeHead(200, { "Content-Type": types[extname(path)] ?? "application/octet-stream" });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((r) => server.listen(Number(process.env.ICS_APP_PORT ?? 0), "127.0.0.1", r));
const origin = `http://127.0.0.1:${server.address().port}`;
const profile = mkdtempSync(join(tmpdir(), "ics-chromium-"));
// A fresh profile (--user-data-dir) per run, passed the way Playwright wants it.
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const pages = [["dist/index.html", true], ["plain.html", false], ...process.argv.slice(3).map((p) => [p, true])];
let failed = 0;
try {
  for (const [page, expectRefusal] of pages) {
    const tab = await browser.newPage();
    const errors = [];
    tab.on("pageerror", (e) => errors.push(String(e)));
    await tab.goto(`${origin}/${page}?api=${encodeURIComponent(api)}`);
    const r = await tab
      .waitForFunction(() => window.__result !== undefined, null, { timeout: 20000 })
      .then(() => tab.evaluate(() => window.__result))
      .catch((e) => ({ error: String(e) }));
    const ok = !r.error && r.products > 0 && (!expectRefusal || r.refused === "invalid_input");
    console.log(`${ok ? "ok" : "FAILED"} ${page}: ${JSON.stringify(r)} ${errors.join("; ")}`);
    if (!ok) failed++;
    await tab.close();
  }
} finally {
  await browser.close();
  server.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(`${pages.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
