// The bench's peers, built as a page would ship them: each module of peers/ bundled and
// minified by esbuild (ESM, es2020, browser) into `OUT/dist/`, in a folder beside a `node_modules` link
// to tools/node/node_modules. Generated first: `openapi.d.ts` by openapi-typescript from
// schema/openapi.json (types only, 0 bytes in the bundle) and `ajv-validators.js`, Ajv's
// standalone code for the nine answers and ErrorBody of schema/json.
// Used by bench.mjs; `typecheck()` runs `tsc` on the openapi-fetch peer.

import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

/** The peers in table order: bench name, source module in peers/, column title. */
export const PEERS = [
  ["bare", "bare.js", "fetch + JSON.parse"],
  ["package", "package.js", "this package"],
  ["openapi-fetch", "openapi-fetch.ts", "openapi-fetch"],
  ["ajv", "ajv.js", "Ajv standalone"],
  ["zod", "zod.js", "zod 4 client"],
];

/** Export name in ajv-validators.js → schema file in schema/json. */
const ANSWERS = {
  ping: "PingResponse", getProfile: "GetProfileResponse", getBalance: "GetBalanceResponse",
  listProducts: "ListProductsResponse", createTransaction: "CreateTransactionResponse",
  checkTransaction: "CheckTransactionResponse", getHistory: "GetHistoryResponse",
  getStatistik: "GetStatistikResponse", resubmitWebhook: "ResubmitWebhookResponse",
  error: "ErrorBody",
};

/**
 * Builds every peer into `out/dist/NAME.js` (the package's wasm into `out/dist/wasm/`).
 * `src`: this folder's peers/; `pkg`: the built package; `schema`: the repo's schema/.
 * Returns { NAME: [files a page downloads] }.
 */
export async function buildPeers({ out, src, pkg, schema }) {
  const gen = join(out, "src");
  mkdirSync(gen, { recursive: true });
  for (const f of readdirSync(src)) copyFileSync(join(src, f), join(gen, f));
  const req = createRequire(join(out, "peers.cjs")); // resolves from out/node_modules

  const { default: openapiTS, astToString } = req("openapi-typescript");
  const ast = await openapiTS(pathToFileURL(join(schema, "openapi.json")));
  writeFileSync(join(gen, "openapi.d.ts"), astToString(ast));

  const { default: Ajv2020 } = req("ajv/dist/2020");
  const { default: standaloneCode } = req("ajv/dist/standalone");
  const ajv = new Ajv2020({ code: { source: true, esm: true }, strict: false });
  for (const [name, file] of Object.entries(ANSWERS)) {
    const s = JSON.parse(readFileSync(join(schema, "json", `${file}.schema.json`), "utf8"));
    ajv.addSchema(s, name);
  }
  const names = Object.fromEntries(Object.keys(ANSWERS).map((n) => [n, n]));
  writeFileSync(join(gen, "ajv-validators.js"), standaloneCode(ajv, names));

  const esbuild = req("esbuild");
  const dist = join(out, "dist");
  const files = {};
  for (const [name, source] of PEERS) {
    const outfile = join(dist, `${name}.js`);
    await esbuild.build({
      entryPoints: [join(gen, source)], outfile, bundle: true, minify: true, format: "esm",
      target: "es2020", platform: "browser", logLevel: "warning", legalComments: "none",
      alias: { "ics-reseller": join(pkg, "index.js") },
    });
    files[name] = [outfile];
  }
  // Only the module a page loads: `index.js` asks for `wasm/ics_reseller_bg.wasm`; the Node
  // module beside it (`ics_reseller_node_bg.wasm`, with signing) never reaches a browser.
  mkdirSync(join(dist, "wasm"), { recursive: true });
  const wasm = "ics_reseller_bg.wasm";
  if (!readdirSync(join(pkg, "wasm")).includes(wasm)) throw new Error(`${pkg}/wasm/${wasm} is missing`);
  copyFileSync(join(pkg, "wasm", wasm), join(dist, "wasm", wasm));
  files.package.push(join(dist, "wasm", wasm));
  return files;
}

/** `tsc --noEmit` (strict) on the openapi-fetch peer against the generated types. */
export function typecheck(out) {
  const gen = join(out, "src");
  writeFileSync(join(gen, "tsconfig.json"), JSON.stringify({
    compilerOptions: { target: "ES2022", module: "ESNext", moduleResolution: "Bundler", lib: ["ES2022", "DOM"],
      strict: true, noEmit: true, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true,
      skipLibCheck: true, types: [] },
    files: ["openapi-fetch.ts"],
  }));
  execFileSync(process.execPath, [join(out, "node_modules/typescript/bin/tsc"), "-p", join(gen, "tsconfig.json")],
    { stdio: "inherit" });
}
