// Builds the test app (app/main.js, the README's quick start) from the packed package with
// each bundler's default settings: webpack 5, esbuild `--bundle` (esm, and iife with
// target es2020), Rollup (with @rollup/plugin-node-resolve). Each build goes to
// dist-<name>/ beside an index.html; browser-check.mjs then loads each in headless
// Chromium against the gateway. esbuild and Rollup do not copy
// `new URL("./wasm/…", import.meta.url)` assets: the README's one-liner
// (`cp node_modules/ics-reseller/wasm/ics_reseller_bg.wasm dist/wasm/`) does it here.
// Usage: node bundlers.mjs APP_DIR TOOLS_NODE_MODULES (run by cargo xtask test, npm-package).
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const root = resolve(process.argv[2]);
const tools = resolve(process.argv[3]);
const tool = (name) => import(pathToFileURL(createRequire(join(tools, "x.js")).resolve(name)).href);
const entry = join(root, "app/main.js");
const wasm = join(root, "node_modules/ics-reseller/wasm/ics_reseller_bg.wasm");

function page(dir, script, module) {
  writeFileSync(
    join(dir, "index.html"),
    `<!doctype html>\n<meta charset="utf-8"><title>ics-reseller test app</title>\n` +
      `<pre id="out"></pre>\n<script ${module ? 'type="module" ' : ""}src="./${script}"></script>\n`,
  );
}

/** The documented one-liner for bundlers that do not copy the wasm. */
function copyWasm(dir) {
  mkdirSync(join(dir, "wasm"), { recursive: true });
  copyFileSync(wasm, join(dir, "wasm/ics_reseller_bg.wasm"));
}

function fresh(name) {
  const dir = join(root, `dist-${name}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

const builds = {
  async webpack() {
    const dir = fresh("webpack");
    const { default: webpack } = await tool("webpack");
    const stats = await new Promise((ok, fail) =>
      webpack({ mode: "production", context: root, entry, output: { path: dir, filename: "main.js" } }, (e, s) =>
        e ? fail(e) : ok(s),
      ),
    );
    if (stats.hasErrors()) throw new Error(stats.toString("errors-only"));
    if (!readdirSync(dir).some((f) => f.endsWith(".wasm"))) throw new Error("webpack emitted no .wasm asset");
    page(dir, "main.js", false);
  },
  async "esbuild-esm"() {
    const dir = fresh("esbuild-esm");
    const esbuild = await tool("esbuild");
    await esbuild.build({ entryPoints: [entry], bundle: true, format: "esm", outfile: join(dir, "main.js"), logLevel: "warning" });
    copyWasm(dir);
    page(dir, "main.js", true);
  },
  async "esbuild-iife"() {
    const dir = fresh("esbuild-iife");
    const esbuild = await tool("esbuild");
    await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      format: "iife",
      target: "es2020",
      outfile: join(dir, "main.js"),
      logLevel: "error", // esbuild warns that import.meta is empty in an iife: expected
    });
    copyWasm(dir);
    page(dir, "main.js", false);
  },
  async rollup() {
    const dir = fresh("rollup");
    const { rollup } = await tool("rollup");
    const { nodeResolve } = await tool("@rollup/plugin-node-resolve");
    const bundle = await rollup({ input: entry, plugins: [nodeResolve({ browser: true })] });
    await bundle.write({ file: join(dir, "main.js"), format: "es" });
    await bundle.close();
    copyWasm(dir);
    page(dir, "main.js", true);
  },
};

for (const [name, build] of Object.entries(builds)) {
  await build();
  if (!existsSync(join(root, `dist-${name}/main.js`))) throw new Error(`${name}: no main.js`);
  console.log(`built dist-${name}/`);
}
