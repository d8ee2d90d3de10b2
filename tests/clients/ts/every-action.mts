// A typed consumer of `schema/openapi.json`: openapi-typescript generated the types in
// `generated/openapi.d.ts`, openapi-fetch is the client. It calls every action against the
// sandbox (ICS_SANDBOX_URL), checks each answer, and then asks the sandbox which request
// lines it received: they must be exactly what the upstream API expects (`/?action=NAME`),
// although the spec keys each action as the path `/NAME/..`.
//
// Run by `cargo xtask test` (step `generated-clients`), see xtask/src/clients.rs.

import createClient from "openapi-fetch";
import type { components, paths } from "./generated/openapi.js";

declare const process: { env: Record<string, string | undefined>; exitCode?: number };

type Schemas = components["schemas"];
type ErrorBody = Schemas["ErrorBody"];

const BASE = process.env["ICS_SANDBOX_URL"];
if (!BASE) throw new Error("set ICS_SANDBOX_URL (the sandbox's base URL)");

/** What schema/README.md tells TypeScript users to write: the key as a header. */
const client = createClient<paths>({
  baseUrl: BASE,
  headers: { "X-API-Key": "sk_test_verified" },
});

let failures = 0;
function check(what: string, ok: boolean, detail?: unknown): void {
  if (ok) {
    console.log(`ok    ${what}`);
  } else {
    failures++;
    console.log(`FAIL  ${what}${detail === undefined ? "" : `: ${JSON.stringify(detail)}`}`);
  }
}

/** A body with a string `error` is a failure whatever the status. */
function isError(body: object): body is ErrorBody {
  return typeof (body as { error?: unknown }).error === "string";
}

/** The success member of a 200 body, or a failed check and `undefined`. */
function success<T extends object>(what: string, body: ErrorBody | T | undefined): Exclude<T, ErrorBody> | undefined {
  if (body === undefined || isError(body)) {
    check(`${what}: success body`, false, body);
    return undefined;
  }
  return body as Exclude<T, ErrorBody>;
}

async function sandbox(path: string, init?: RequestInit): Promise<unknown> {
  const res = await fetch(`${BASE}${path}`, init);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

await sandbox("/__sandbox/reset", { method: "POST" });
await sandbox("/__sandbox/requests", { method: "DELETE" });

const refid = `TSFETCH${Date.now()}`;
const expected: string[] = [];

// ping
{
  const { data, response } = await client.GET("/ping/..", { params: { query: { action: "ping" } } });
  expected.push("GET /?action=ping");
  const ok = success("ping", data);
  check("ping: 200, kodereseller RS00001", response.status === 200 && ok?.kodereseller === "RS00001", data);
}

// getProfile
{
  const { data } = await client.GET("/getProfile/..", { params: { query: { action: "getProfile" } } });
  expected.push("GET /?action=getProfile");
  const ok = success("getProfile", data);
  check("getProfile: email and verified", typeof ok?.data.email === "string" && ok.data.verif === true, data);
}

// getBalance
{
  const { data } = await client.GET("/getBalance/..", { params: { query: { action: "getBalance" } } });
  expected.push("GET /?action=getBalance");
  const ok = success("getBalance", data);
  check("getBalance: saldo 1000000", ok?.data.saldo === 1_000_000, data);
}

// listProducts, with the optional providers list
{
  const { data } = await client.GET("/listProducts/..", {
    params: { query: { action: "listProducts", type: "xla", providers: "KUBER,BEKASANL" } },
  });
  expected.push("GET /?action=listProducts&type=xla&providers=KUBER,BEKASANL");
  const ok = success("listProducts", data);
  const products: Schemas["Product"][] = ok ? [...ok.data.ready, ...ok.data.empty] : [];
  check(
    "listProducts: xla products of KUBER/BEKASANL only",
    ok?.type === "xla" &&
      products.length > 0 &&
      products.every((p) => p.type === "xla" && ["KUBER", "BEKASANL"].includes(p.provider)),
    data,
  );
}

// listProducts without providers
{
  const { data } = await client.GET("/listProducts/..", { params: { query: { action: "listProducts", type: "all" } } });
  expected.push("GET /?action=listProducts&type=all");
  const ok = success("listProducts all", data);
  check("listProducts all: some ready products", (ok?.data.ready.length ?? 0) > 0, data);
}

// createTransaction: …1111 succeeds at once
{
  const { data } = await client.POST("/createTransaction/..", {
    params: { query: { action: "createTransaction" } },
    body: { kode_produk: "XLA10", nomor_tujuan: "081234561111", refid },
  });
  expected.push("POST /?action=createTransaction");
  const ok = success("createTransaction", data);
  check(
    "createTransaction: accepted, balance debited",
    ok?.refid === refid && ok.pending === false && ok.saldo_akhir < ok.saldo_awal,
    data,
  );
}

// createTransaction: …4444 is rejected with an error body on HTTP 200
{
  const { data, response } = await client.POST("/createTransaction/..", {
    params: { query: { action: "createTransaction" } },
    body: { kode_produk: "XLA10", nomor_tujuan: "081234564444", refid: `${refid}X` },
  });
  expected.push("POST /?action=createTransaction");
  check(
    "createTransaction rejected: ErrorBody on 200 with the balance untouched",
    response.status === 200 && data !== undefined && isError(data) && data.saldo_awal === data.saldo_akhir,
    data,
  );
}

// checkTransaction
{
  const { data } = await client.GET("/checkTransaction/..", {
    params: { query: { action: "checkTransaction", refid } },
  });
  expected.push(`GET /?action=checkTransaction&refid=${refid}`);
  const ok = success("checkTransaction", data);
  const status: Schemas["TxStatus"] | undefined = ok?.status;
  check("checkTransaction: success", status === "success" && ok?.refid === refid, data);
}

// checkTransaction by POST with a JSON body (upstream documents GET/POST)
{
  const { data } = await client.POST("/checkTransaction/..", {
    params: { query: { action: "checkTransaction" } },
    body: { refid },
  });
  expected.push("POST /?action=checkTransaction");
  const ok = success("checkTransaction by POST", data);
  check("checkTransaction by POST: the same order", ok?.refid === refid, data);
}

// checkTransaction of an unknown refid: 404 with ErrorBody (openapi-fetch puts it in `error`)
{
  const { data, error, response } = await client.GET("/checkTransaction/..", {
    params: { query: { action: "checkTransaction", refid: `${refid}NOPE` } },
  });
  expected.push(`GET /?action=checkTransaction&refid=${refid}NOPE`);
  const body: ErrorBody | undefined = error;
  check("checkTransaction unknown: 404 ErrorBody", response.status === 404 && !data && typeof body?.error === "string", error);
}

// getHistory
{
  const { data } = await client.GET("/getHistory/..", {
    params: { query: { action: "getHistory", page: 1, limit: 10 } },
  });
  expected.push("GET /?action=getHistory&page=1&limit=10");
  const ok = success("getHistory", data);
  check(
    "getHistory: the order is listed (kodeproduk, nomor, time)",
    ok?.data?.some((e) => e.refid === refid && e.kodeproduk === "XLA10" && typeof e.time === "string") === true,
    data,
  );
}

// getHistory filtered by status
{
  const { data } = await client.GET("/getHistory/..", {
    params: { query: { action: "getHistory", page: 1, limit: 5, status: "pending" } },
  });
  expected.push("GET /?action=getHistory&page=1&limit=5&status=pending");
  const ok = success("getHistory pending", data);
  check("getHistory pending: no success order", ok?.data?.every((e) => e.status === "pending") === true, data);
}

// getStatistik
{
  const { data } = await client.GET("/getStatistik/..", { params: { query: { action: "getStatistik" } } });
  expected.push("GET /?action=getStatistik");
  const ok = success("getStatistik", data);
  check("getStatistik: one success", ok?.summary.success.count === 1, data);
}

// resubmitWebhook
{
  const { data } = await client.POST("/resubmitWebhook/..", {
    params: { query: { action: "resubmitWebhook" } },
    body: { refid },
  });
  expected.push("POST /?action=resubmitWebhook");
  const ok = success("resubmitWebhook", data);
  check("resubmitWebhook: sent", typeof ok?.webhook_url === "string" && typeof ok.response === "string", data);
}

// A wrong key: 401 with ErrorBody
{
  const { error, response } = await client.GET("/ping/..", {
    params: { query: { action: "ping" } },
    headers: { "X-API-Key": "sk_test_wrong" },
  });
  expected.push("GET /?action=ping");
  check("ping with a wrong key: 401 ErrorBody", response.status === 401 && typeof error?.error === "string", error);
}

// An inactive account: 403 with ErrorBody
{
  const { error, response } = await client.GET("/getBalance/..", {
    params: { query: { action: "getBalance" } },
    headers: { "X-API-Key": "sk_test_inactive" },
  });
  expected.push("GET /?action=getBalance");
  check("getBalance inactive: 403 ErrorBody", response.status === 403 && typeof error?.error === "string", error);
}

// Every path of the spec is called above (and both methods of /checkTransaction/..): adding
// an action to the spec fails `tsc` here until this consumer calls it too.
const called: Record<keyof paths, true> = {
  "/ping/..": true,
  "/getProfile/..": true,
  "/getBalance/..": true,
  "/listProducts/..": true,
  "/createTransaction/..": true,
  "/checkTransaction/..": true,
  "/getHistory/..": true,
  "/getStatistik/..": true,
  "/resubmitWebhook/..": true,
};
check(`all ${Object.keys(called).length} actions called`, Object.keys(called).length === 9);

// What the sandbox received, in order, before it normalised anything. The path must be
// exactly `/` (the `/NAME/..` key never reaches the wire: fetch resolves dot segments), and
// the query the same parameters in the same order once form-decoded: openapi-fetch sends
// `providers=KUBER%2CBEKASANL`, which PHP (and every form decoder) reads as `KUBER,BEKASANL`.
function decoded(line: string): string {
  const [method, target = ""] = line.split(" ");
  const q = target.indexOf("?");
  const path = q < 0 ? target : target.slice(0, q);
  const pairs = [...new URLSearchParams(q < 0 ? "" : target.slice(q + 1))].map(([k, v]) => `${k}=${v}`);
  return `${method} ${path}?${pairs.join("&")}`;
}
const seen = (await sandbox("/__sandbox/requests")) as { requests: { method: string; target: string }[] };
const lines = seen.requests.map((r) => `${r.method} ${r.target}`);
check(
  `the sandbox received the ${expected.length} upstream request lines`,
  JSON.stringify(lines.map(decoded)) === JSON.stringify(expected),
  { expected, received: lines },
);
check(
  "every request line's path is exactly /",
  seen.requests.length > 0 && seen.requests.every((r) => r.target.startsWith("/?action=")),
  lines,
);
for (const line of lines) console.log(`      ${line}`);

if (failures > 0) {
  console.log(`\n${failures} check(s) failed`);
  process.exitCode = 1;
} else {
  console.log("\nopenapi-fetch: every action answered as typed; request lines as upstream expects");
}
