// A consumer of the types and runtime converters quicktype generated from schema/json: it
// calls every action against the sandbox (ICS_SANDBOX_URL) with plain fetch, the key in
// the `X-API-Key` header as schema/README.md says, and reads each answer with
// `Convert.to<Type>` (which throws on a body that does not fit the strict schema). A body
// the sandbox sends PHP-style (fault `php_values`) is refused by the strict converter, as
// schema/README.md warns (schema/wire describes it). Last, the request log: no request
// line carries the key. Run by `cargo xtask test` (step `generated-clients`).

import { Convert } from "./generated/ics.js";

declare const process: { env: Record<string, string | undefined>; exitCode?: number };

const BASE = process.env["ICS_SANDBOX_URL"];
if (!BASE) throw new Error("set ICS_SANDBOX_URL (the sandbox's base URL)");
const KEY = "sk_test_verified";

let failures = 0;
function check(what: string, ok: boolean, detail?: unknown): void {
  if (ok) console.log(`ok    ${what}`);
  else {
    failures++;
    console.log(`FAIL  ${what}${detail === undefined ? "" : `: ${String(detail)}`}`);
  }
}

async function call(query: string, body?: object): Promise<{ status: number; text: string }> {
  const init: RequestInit = { headers: { "X-API-Key": KEY, Accept: "application/json" } };
  if (body !== undefined) {
    init.method = "POST";
    init.body = JSON.stringify(body);
    init.headers = { ...init.headers, "Content-Type": "application/json" };
  }
  const res = await fetch(`${BASE}/?${query}`, init);
  return { status: res.status, text: await res.text() };
}

function reads(what: string, convert: (json: string) => unknown, a: { status: number; text: string }): void {
  try {
    convert(a.text);
    check(`${what}: HTTP ${a.status}, read by the quicktype converter`, a.status === 200);
  } catch (e) {
    check(`${what}: read by the quicktype converter`, false, `${String(e)} ${a.text}`);
  }
}

async function sandbox(path: string, init?: RequestInit): Promise<unknown> {
  const res = await fetch(`${BASE}${path}`, init);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

await sandbox("/__sandbox/reset", { method: "POST" });
await sandbox("/__sandbox/requests", { method: "DELETE" });

const refid = `QUICKTYPE${Date.now()}`;
reads("ping", Convert.toPingResponse, await call("action=ping"));
reads("getProfile", Convert.toGetProfileResponse, await call("action=getProfile"));
reads("getBalance", Convert.toGetBalanceResponse, await call("action=getBalance"));
reads("listProducts", Convert.toListProductsResponse, await call("action=listProducts&type=all"));
reads(
  "createTransaction",
  Convert.toCreateTransactionResponse,
  await call("action=createTransaction", { kode_produk: "XLA10", nomor_tujuan: "081234567890", refid }),
);
reads("checkTransaction", Convert.toCheckTransactionResponse, await call(`action=checkTransaction&refid=${refid}`));
reads("getHistory", Convert.toGetHistoryResponse, await call("action=getHistory&limit=5"));
reads("getStatistik", Convert.toGetStatistikResponse, await call("action=getStatistik"));
reads("resubmitWebhook", Convert.toResubmitWebhookResponse, await call("action=resubmitWebhook", { refid }));
reads("an error body", Convert.toErrorBody, { ...(await call("action=checkTransaction&refid=NOPE")), status: 200 });

// The strict converter refuses the PHP forms the server may send (schema/README.md).
await sandbox("/__sandbox/faults", { method: "POST", body: JSON.stringify({ mode: "php_values", action: "getBalance" }) });
const php = await call("action=getBalance");
let refused = false;
try {
  Convert.toGetBalanceResponse(php.text);
} catch {
  refused = true;
}
check("a PHP-style body does not fit the strict schema", refused, php.text);

const log = (await sandbox("/__sandbox/requests")) as { requests: { method: string; target: string }[] };
check("the sandbox logged every call", log.requests.length === 11, JSON.stringify(log.requests));
for (const r of log.requests) {
  check(`${r.method} ${r.target}: no key in the URL`, !/apikey|sk_test/i.test(r.target), JSON.stringify(r));
}

console.log(failures === 0 ? "quicktype client: every action ok" : `quicktype client: ${failures} failure(s)`);
if (failures > 0) process.exitCode = 1;
