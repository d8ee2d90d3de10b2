// A consumer of the code @hey-api/openapi-ts (client-fetch, sdk, zod plugins) generated
// from schema/openapi.json: it calls every action against the sandbox (ICS_SANDBOX_URL)
// with the key given only as the SDK's `auth` (the spec's one security scheme, the
// header), checks every answer with the generated zod schemas, then reads the sandbox's
// request log: every request line is `/?action=NAME…` and none carries `apikey`.
// Run by `cargo xtask test` (step `generated-clients`), see xtask/src/clients.rs.

import { client } from "./generated/client/client.gen.js";
import * as sdk from "./generated/client/sdk.gen.js";
import * as z from "./generated/client/zod.gen.js";

declare const process: { env: Record<string, string | undefined>; exitCode?: number };

const BASE = process.env["ICS_SANDBOX_URL"];
if (!BASE) throw new Error("set ICS_SANDBOX_URL (the sandbox's base URL)");
const KEY = "sk_test_verified";
client.setConfig({ baseUrl: BASE, auth: () => KEY });

let failures = 0;
function check(what: string, ok: boolean, detail?: unknown): void {
  if (ok) console.log(`ok    ${what}`);
  else {
    failures++;
    console.log(`FAIL  ${what}${detail === undefined ? "" : `: ${JSON.stringify(detail)}`}`);
  }
}

/** The answer parsed with the generated zod schema of its success body. */
function parsed(what: string, schema: { safeParse(v: unknown): { success: boolean; error?: unknown } }, r: { data?: unknown; response: Response }): void {
  const result = schema.safeParse(r.data);
  check(`${what}: HTTP ${r.response.status}, body matches the zod schema`, r.response.status === 200 && result.success, result.error ?? r.data);
}

async function sandbox(path: string, init?: RequestInit): Promise<unknown> {
  const res = await fetch(`${BASE}${path}`, init);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

await sandbox("/__sandbox/reset", { method: "POST" });
await sandbox("/__sandbox/requests", { method: "DELETE" });

const refid = `HEYAPI${Date.now()}`;
parsed("ping", z.zPingResponse, await sdk.ping({ query: { action: "ping" } }));
parsed("getProfile", z.zGetProfileResponse, await sdk.getProfile({ query: { action: "getProfile" } }));
parsed("getBalance", z.zGetBalanceResponse, await sdk.getBalance({ query: { action: "getBalance" } }));
parsed(
  "listProducts",
  z.zListProductsResponse,
  await sdk.listProducts({ query: { action: "listProducts", type: "xla", providers: "KUBER,BEKASANL" } }),
);
parsed(
  "createTransaction",
  z.zCreateTransactionResponse,
  await sdk.createTransaction({
    query: { action: "createTransaction" },
    body: { kode_produk: "XLA10", nomor_tujuan: "081234567890", refid },
  }),
);
parsed("checkTransaction", z.zCheckTransactionResponse, await sdk.checkTransaction({ query: { action: "checkTransaction", refid } }));
parsed(
  "checkTransactionPost",
  z.zCheckTransactionResponse,
  await sdk.checkTransactionPost({ query: { action: "checkTransaction" }, body: { refid } }),
);
parsed("getHistory", z.zGetHistoryResponse, await sdk.getHistory({ query: { action: "getHistory", page: 1, limit: 5 } }));
parsed("getStatistik", z.zGetStatistikResponse, await sdk.getStatistik({ query: { action: "getStatistik" } }));
parsed(
  "resubmitWebhook",
  z.zResubmitWebhookResponse,
  await sdk.resubmitWebhook({ query: { action: "resubmitWebhook" }, body: { refid } }),
);

// The key went in the header only: no request line carries it.
const log = (await sandbox("/__sandbox/requests")) as { requests: { method: string; target: string }[] };
check("the sandbox logged every call", log.requests.length === 10, log.requests);
for (const r of log.requests) {
  check(`${r.method} ${r.target}: upstream form, no key in the URL`, r.target.startsWith("/?action=") && !/apikey|sk_test/i.test(r.target), r);
}

console.log(failures === 0 ? "hey-api client: every action ok" : `hey-api client: ${failures} failure(s)`);
if (failures > 0) process.exitCode = 1;
