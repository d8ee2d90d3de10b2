// Lighthouse 12 (tools/node) on the running demo's shop page, mobile (its default: a
// Moto G Power–sized screen, 4× CPU slowdown, slow 4G, simulated): prints the four category
// scores with CLS and total blocking time, saves the report, and fails unless
// accessibility, best practices and SEO are 100. Performance is recorded, not asserted
// (timings vary with the machine). Run by `cargo xtask test --only e2e-demo` after the
// browser tests; by hand:
//
//   ICS_DEMO_URL=http://127.0.0.1:8080 node www/e2e/lighthouse.mjs

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const BASE = (process.env.ICS_DEMO_URL ?? "").replace(/\/+$/, "");
assert.ok(BASE, "ICS_DEMO_URL is not set (run `cargo xtask test --only e2e-demo`)");
const OUT = process.env.ICS_TEST_OUTPUT ?? fileURLToPath(new URL("../../test-output/e2e", import.meta.url));
const CLI = fileURLToPath(new URL("../../tools/node/node_modules/lighthouse/cli/index.js", import.meta.url));
mkdirSync(OUT, { recursive: true });

const report = join(OUT, "lighthouse-mobile.json");
execFileSync(
  process.execPath,
  [
    CLI,
    `${BASE}/`,
    "--output=json",
    `--output-path=${report}`,
    "--quiet",
    "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --no-first-run",
  ],
  { stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, CHROME_PATH: process.env.CHROME_PATH ?? "/usr/bin/chromium" } },
);
const lhr = JSON.parse(readFileSync(report, "utf8"));
assert.ok(!lhr.runtimeError, `lighthouse failed: ${JSON.stringify(lhr.runtimeError)}`);
const score = (id) => Math.round((lhr.categories[id]?.score ?? 0) * 100);
const scores = {
  performance: score("performance"),
  accessibility: score("accessibility"),
  "best-practices": score("best-practices"),
  seo: score("seo"),
};
const audit = (id) => lhr.audits[id]?.numericValue;
console.log(
  `lighthouse ${lhr.lighthouseVersion} (mobile) ${BASE}/: performance ${scores.performance}, ` +
    `accessibility ${scores.accessibility}, best practices ${scores["best-practices"]}, SEO ${scores.seo}; ` +
    `CLS ${audit("cumulative-layout-shift")?.toFixed(3)}, TBT ${Math.round(audit("total-blocking-time"))} ms, ` +
    `LCP ${Math.round(audit("largest-contentful-paint"))} ms (report: ${report})`,
);
const failing = [];
for (const id of ["accessibility", "best-practices", "seo"]) {
  if (scores[id] === 100) continue;
  const audits = lhr.categories[id].auditRefs
    .map((r) => lhr.audits[r.id])
    .filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode !== "informative")
    .map((a) => `${a.id} (${a.title})`);
  failing.push(`${id} ${scores[id]}: ${audits.join(", ")}`);
}
assert.deepEqual(failing, [], `Lighthouse categories below 100:\n${failing.join("\n")}`);
