// Smoke test of the `ics-reseller` npm package in Node (ESM), against the sandbox.
// Run by `cargo xtask test` (steps wasm-node and npm-package): ICS_SANDBOX_URL names the
// sandbox; ICS_GATEWAY_URL names `ics-gateway` in front of it, whose order secret is
// ICS_GATEWAY_ORDER_SECRET; ICS_GATEWAY_SHORT_URL a second gateway in front of the same
// sandbox with a 1 s upstream timeout (order secret ICS_GATEWAY_SHORT_ORDER_SECRET);
// ICS_PKG_ENTRY, when set, is the file to import instead of the package name.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const base = process.env.ICS_SANDBOX_URL;
assert.ok(base, "ICS_SANDBOX_URL is not set");
const gateway = process.env.ICS_GATEWAY_URL;
assert.ok(gateway, "ICS_GATEWAY_URL is not set");
const secret = process.env.ICS_GATEWAY_ORDER_SECRET;
assert.ok(secret, "ICS_GATEWAY_ORDER_SECRET is not set");
const short = process.env.ICS_GATEWAY_SHORT_URL;
assert.ok(short, "ICS_GATEWAY_SHORT_URL is not set");
const shortSecret = process.env.ICS_GATEWAY_SHORT_ORDER_SECRET;
assert.ok(shortSecret, "ICS_GATEWAY_SHORT_ORDER_SECRET is not set");
const entry = process.env.ICS_PKG_ENTRY
  ? pathToFileURL(process.env.ICS_PKG_ENTRY).href
  : import.meta.resolve("ics-reseller");
const pkg = await import(entry);
const { ResellerClient, ResellerError, actionNames, errorCodes, newRefId, signOrder } = pkg;

/** Orders the sandbox holds under `refid` (its control API). */
async function ordersWith(refid) {
  const state = await (await fetch(`${base}/__sandbox/state?key=sk_test_verified`)).json();
  return state.orders.filter((o) => o.refid === refid).length;
}

test("README Node quick start: key in Node, one order, wait for it", async () => {
  // --- README: Node ---
  const client = new ResellerClient({ baseUrl: base, apiKey: "sk_test_verified" });
  const { data } = await client.listProducts({ type: "xla" });
  const order = await client.createTransaction({
    kode_produk: data.ready[0].kode_produk,
    nomor_tujuan: "+62 812-3456-2222",
  });
  const final = await client.waitForTransaction(order.refid, { intervalMs: 100 });
  // --- end ---
  assert.equal(order.outcome, "accepted");
  assert.match(order.refid, /^RS[0-9A-Z]{26}$/);
  assert.equal(final.status, "success");
  assert.equal(final.nomor_tujuan, "081234562222");
});

test("one method per action of the core's table", () => {
  for (const name of actionNames()) {
    assert.equal(typeof ResellerClient.prototype[name], "function", name);
  }
  assert.equal(errorCodes().length, 11);
});

test("gateway mode: no key", async () => {
  const client = new ResellerClient({ baseUrl: `${gateway}/gateway` });
  const r = await client.listProducts({ type: "all" });
  assert.equal(r.success, true);
});

test("signOrder: an HMAC-SHA256 token node:crypto verifies, binding the normalised order", () => {
  const grant = {
    kode_produk: "XLA10",
    nomor_tujuan: "+62 812-3456-1111",
    refid: newRefId(),
    max_price: 50_000,
    expires_at: Math.floor(Date.now() / 1000) + 900,
  };
  const token = signOrder(secret, grant);
  const [version, payload, mac] = token.split(".");
  assert.equal(version, "v1");
  const expected = createHmac("sha256", secret).update(`v1.${payload}`).digest("base64url");
  assert.equal(mac, expected);
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  assert.deepEqual(claims, { ...grant, nomor_tujuan: "081234561111" });
  // Bytes work as well as a string, and give the same token.
  assert.equal(signOrder(new TextEncoder().encode(secret), grant), token);
  for (const [bad, field] of [
    [["too short", grant], "secret"],
    [[secret, { ...grant, max_price: 0 }], "max_price"],
    [[secret, { ...grant, nomor_tujuan: "12345" }], "nomor_tujuan"],
    [[secret, { ...grant, extra: 1 }], "grant"],
    [[42, grant], "secret"],
  ]) {
    assert.throws(() => signOrder(...bad), (e) => {
      assert.ok(e instanceof ResellerError, String(e));
      assert.equal(e.code, "invalid_input");
      assert.equal(e.field, field, e.message);
      assert.ok(!e.message.includes(secret));
      return true;
    });
  }
});

test("the browser module (index.js) has no signing: outside a page signOrder names the Node entry", async () => {
  // index.js and its wasm sit beside the Node entry; Node is not a page, so this is the
  // refusal a worker or an edge runtime gets (a page gets the page's, tests/browser.rs).
  const web = await import(new URL("./index.js", entry).href);
  await web.ready(readFileSync(new URL("./wasm/ics_reseller_bg.wasm", entry)));
  assert.equal(web.normalizePhone("+62 812-3456-1111").number, "081234561111");
  const grant = { kode_produk: "XLA10", nomor_tujuan: "081234561111", refid: "R1", max_price: 1, expires_at: 9999999999 };
  assert.throws(() => web.signOrder(secret, grant), (e) => {
    assert.ok(e instanceof web.ResellerError, String(e));
    assert.equal(e.code, "invalid_input");
    assert.equal(e.field, "secret");
    assert.match(e.message, /Node entry/);
    assert.ok(!e.message.includes(secret));
    return true;
  });
});

test("through ics-gateway: an order needs its token, and the token places it once", async () => {
  const client = new ResellerClient({ baseUrl: `${gateway}/gateway`, retries: 0 });
  const { data } = await client.listProducts({ type: "xla" });
  const product = data.ready[0];
  const order = { kode_produk: product.kode_produk, nomor_tujuan: "081234561111", refid: newRefId() };
  await assert.rejects(client.createTransaction(order), ResellerError, "no token: refused");
  const grant = { ...order, max_price: product.harga_final, expires_at: Math.floor(Date.now() / 1000) + 60 };
  const forged = signOrder("another secret that is 32 bytes long", grant);
  await assert.rejects(client.createTransaction(order, { orderToken: forged }), ResellerError);
  assert.equal(await ordersWith(order.refid), 0, "nothing ordered without a genuine token");
  const orderToken = signOrder(secret, grant);
  const placed = await client.createTransaction(order, { orderToken });
  assert.equal(placed.outcome, "accepted");
  assert.equal(placed.refid, order.refid);
  // The same token again, and the same token for another refid: no second order.
  await client.createTransaction(order, { orderToken }).catch(() => {});
  await assert.rejects(
    client.createTransaction({ ...order, refid: newRefId() }, { orderToken }),
    ResellerError,
  );
  assert.equal(await ordersWith(order.refid), 1, "exactly one order");
  await assert.rejects(client.createTransaction(order, { orderToken: "not a token" }), (e) => {
    assert.equal(e.field, "orderToken");
    return true;
  });
});

test("errors are ResellerError with the core's codes, never showing the key", async () => {
  const client = new ResellerClient({ baseUrl: base, apiKey: "sk_test_wrong_key_123" });
  await assert.rejects(client.ping(), (e) => {
    assert.ok(e instanceof ResellerError);
    assert.ok(e instanceof Error);
    assert.equal(e.code, "unauthorized");
    assert.equal(e.status, 401);
    assert.equal(e.retryable, false);
    assert.ok(!e.message.includes("sk_test_wrong_key_123"));
    return true;
  });
});

test("history() iterates over every page", async () => {
  const client = new ResellerClient({ baseUrl: base, apiKey: "sk_test_verified" });
  const seen = [];
  for await (const entry of client.history({ limit: 1 })) seen.push(entry.refid);
  assert.ok(seen.length >= 1);
  assert.equal(new Set(seen).size, seen.length);
});

test("decode(): strict successes as JSON.parse built them, the rest through the core", () => {
  const client = new ResellerClient({ baseUrl: base });
  // Documented form, with a field this version does not know: kept.
  const strict = client.decode("getHistory", 200, '{"success":true,"page":1,"limit":10,"next":"x"}');
  assert.deepEqual(strict, { success: true, page: 1, limit: 10, data: [], next: "x" });
  // PHP style: the core reads it leniently, to the same documented form.
  const php = client.decode("getBalance", 200,
    '{"success":"1","data":{"kodereseller":"RS1","nama":"A","nomor":"62","saldo":"30000.00","verif":1}}');
  assert.deepEqual(php, { success: true, data: { kodereseller: "RS1", nama: "A", nomor: "62", saldo: 30000, verif: true } });
  const rejected = (status, body, code) =>
    assert.throws(() => client.decode("ping", status, body), (e) => {
      assert.ok(e instanceof ResellerError);
      assert.equal(e.code, code);
      assert.equal(e.status, status);
      return true;
    });
  rejected(200, '{"error":"Saldo tidak cukup","saldo_awal":"1000"}', "rejected");
  rejected(200, '{"success":true,"kodereseller":"RS1","error":1}', "rejected");
  rejected(404, '{"success":true,"kodereseller":"RS1"}', "not_found");
  rejected(503, '{"success":true,"kodereseller":"RS1"}', "http_status");
  rejected(200, "<html>", "decode");
  rejected(200, '{"success":true,"kodereseller":"RS1","x":"\\ud800"}', "decode"); // a lone surrogate: JSON.parse takes it, the core does not
  assert.throws(() => client.decode("topUp", 200, "{}"), (e) => e.code === "invalid_input");
});

const arm = (spec) =>
  fetch(`${base}/__sandbox/faults`, { method: "POST", body: JSON.stringify(spec) }).then((r) => {
    assert.equal(r.status, 200, `arming ${JSON.stringify(spec)}`);
  });

test("PHP quirks on the wire read as the plain answer; a bad field is named by its path", async () => {
  const client = new ResellerClient({ baseUrl: base, apiKey: "sk_test_verified" });
  for (const mode of ["php_group_by", "php_empty_arrays", "php_nulls", "php_holes", "php_decimals", "php_bool_words", "php_empty_strings", "bom"]) {
    for (const [action, call] of [
      ["getStatistik", () => client.getStatistik()],
      ["listProducts", () => client.listProducts({ type: "xla" })],
      ["getHistory", () => client.getHistory({})],
    ]) {
      const plain = await call();
      await arm({ mode, action });
      assert.deepEqual(await call(), plain, `${action} under ${mode}`);
    }
  }
  const bom = client.decode("ping", 200, '\ufeff{"success":true,"kodereseller":"RS1"}');
  assert.deepEqual(bom, { success: true, kodereseller: "RS1" });
  assert.throws(
    () => client.decode("getProfile", 200, '{"success":true,"data":{"kodereseller":"R","nama":"N","nomor":"1","email":"e","saldo":"20000.50","verif":true}}'),
    (e) => {
      assert.ok(e instanceof ResellerError);
      assert.equal(e.code, "decode");
      assert.equal(e.path, "data.saldo");
      assert.match(e.message, /data\.saldo/);
      return true;
    },
  );
});

/** Undoes \uXXXX, \/, \", \\ and %XX, three times (escapes of escapes). */
function unescape(s) {
  for (let i = 0; i < 3; i++) {
    s = s
      .replace(/\\u([0-9a-fA-F]{4})/g, (_, h) => String.fromCharCode(parseInt(h, 16)))
      .replace(/\\([\/"\\])/g, "$1")
      .replace(/%([0-9a-fA-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
  }
  return s;
}

/** Every text of a ResellerError, its cause's included. */
function texts(e) {
  const out = [e.message, e.stack, e.snippet, e.refid, e.path, JSON.stringify(e.body), String(e)];
  if (e.cause) out.push(...texts(e.cause));
  return out.filter((t) => typeof t === "string");
}

function assertNoKey(e, key, n, body) {
  for (const t of texts(e)) {
    const u = unescape(t);
    for (let i = 0; i + n <= key.length; i++) {
      const w = key.slice(i, i + n);
      assert.ok(!t.includes(w) && !u.includes(w), `key fragment ${w} in ${JSON.stringify(t)} (body ${JSON.stringify(body)})`);
    }
  }
}

test("an echoed key never survives in a ResellerError, at any offset, in any spelling", async () => {
  // on the wire: the sandbox echoes the key raw, \u-escaped and straddling byte 300
  const onWire = new ResellerClient({ baseUrl: base, apiKey: "sk_test_verified" });
  await arm({ mode: "echo_key", action: "ping" });
  await assert.rejects(onWire.ping(), (e) => {
    assert.equal(e.code, "rejected");
    assert.equal(e.refid, "***");
    assert.equal(e.body.refid, "***");
    assertNoKey(e, "sk_test_verified", 6, "echo_key");
    return true;
  });
  // planted: every offset across the 300-byte cut, every escape form, mixed
  const key = "QZX_J/K-VWQ_Z";
  const client = new ResellerClient({ baseUrl: base, apiKey: key });
  const forms = [
    (c) => c,
    (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"),
    (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0").toUpperCase(),
    (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0"),
    (c) => (c === "/" ? "\\/" : c),
  ];
  const spellings = forms.map((f) => [...key].map(f).join(""));
  spellings.push([...key].map((c, i) => forms[i % forms.length](c)).join(""));
  for (const spelled of spellings) {
    for (let filler = 0; filler <= 320; filler++) {
      const pad = ".".repeat(filler);
      for (const [status, body] of [
        [502, `<html>${pad}${spelled}</html>`],
        [200, `<html>${pad}${spelled}</html>`],
        [400, `{"error":"${pad}${spelled}","refid":"${spelled}","x":{"${spelled}":["${spelled}"]}}`],
        [200, `{"success":true,"data":{"kodereseller":"R","nama":"${pad}","nomor":"1","email":"e","saldo":"${spelled}","verif":true}}`],
      ]) {
        let thrown;
        try {
          client.decode(status === 200 && body.startsWith("{") ? "getProfile" : "ping", status, body);
        } catch (e) {
          thrown = e;
        }
        assert.ok(thrown instanceof ResellerError, body);
        assertNoKey(thrown, key, 3, body);
      }
    }
  }
});

/** The sandbox's state of the verified account (balance, orders). */
const sandboxState = async () => (await fetch(`${base}/__sandbox/state?key=sk_test_verified`)).json();

test("through ics-gateway: order_in_flight is an unknown outcome, only checked after, never a refusal", async () => {
  // The short gateway times out after 1 s; the order's createTransaction takes 3 s upstream.
  // So: the send is answered 504 (outcome unknown); the reconciliation's check reads 404
  // (the order has not landed) and it re-sends; the gateway, inside its forward grace,
  // answers that re-send 409 `order_in_flight` and forwards nothing; from then on the
  // package may only check (crates/ics-gateway/tests/it/orders.rs has the Rust client's twin).
  const exchanges = []; // { action, status, code } of every request the package sent
  const recording = async (url, init) => {
    const action = new URL(url).searchParams.get("action");
    const r = await fetch(url, init);
    const code = r.ok ? undefined : (await r.clone().json().catch(() => ({}))).code;
    exchanges.push({ action, status: r.status, code });
    return r;
  };
  const client = new ResellerClient({ baseUrl: `${short}/gateway`, retries: 0, fetch: recording });
  const { data } = await new ResellerClient({ baseUrl: `${short}/gateway` }).listProducts({ type: "xla" });
  const product = data.ready[0];
  const order = { kode_produk: product.kode_produk, nomor_tujuan: "081234579999", refid: newRefId() };
  const orderToken = signOrder(shortSecret, {
    ...order,
    max_price: product.harga_final,
    expires_at: Math.floor(Date.now() / 1000) + 600,
  });
  const balanceBefore = (await sandboxState()).balance;
  // The request log from here on (nothing else orders while this file's tests run in turn).
  assert.equal((await fetch(`${base}/__sandbox/requests`, { method: "DELETE" })).status, 200);
  await arm({ mode: "latency", action: "createTransaction", latency_ms: 3000 });
  let placed, error;
  try {
    placed = await client.createTransaction(order, { orderToken });
  } catch (e) {
    error = e;
  }
  if (error !== undefined) {
    assert.ok(error instanceof ResellerError, String(error));
    assert.equal(error.code, "maybe_committed", `never a refusal: ${error.code}: ${error.message}`);
    assert.equal(error.refid, order.refid);
    assert.ok(error.cause instanceof ResellerError, String(error.cause));
    assert.equal(error.cause.status, 409);
    assert.equal(error.cause.body.code, "order_in_flight", JSON.stringify(error.cause.body));
  } else {
    assert.equal(placed.outcome, "found", "the first send timed out: only a check can find it");
    assert.equal(placed.refid, order.refid);
  }
  // What the package sent: the order, its re-send after the 404 (answered order_in_flight),
  // then checks only.
  const creates = exchanges.filter((x) => x.action === "createTransaction");
  assert.deepEqual(
    creates.map((x) => [x.status, x.code]),
    [[504, "upstream_timeout"], [409, "order_in_flight"]],
    JSON.stringify(exchanges),
  );
  const after = exchanges.slice(exchanges.findIndex((x) => x.code === "order_in_flight") + 1);
  assert.ok(after.length >= 1, JSON.stringify(exchanges));
  assert.ok(after.every((x) => x.action === "checkTransaction"), JSON.stringify(exchanges));
  // Upstream: one createTransaction, one order, settled success, paid once.
  let mine;
  for (let i = 0; i < 200; i++) {
    mine = (await sandboxState()).orders.filter((o) => o.refid === order.refid);
    if (mine.length > 0 && mine[0].status !== "pending") break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.equal(mine.length, 1, "exactly one order");
  assert.equal(mine[0].status, "success");
  const log = (await (await fetch(`${base}/__sandbox/requests`)).json()).requests;
  assert.equal(log.filter((r) => r.target.includes("createTransaction")).length, 1, "sent upstream once");
  assert.equal(balanceBefore - (await sandboxState()).balance, mine[0].harga, "paid once");
  // And the package reads it settled through the gateway, with the order's token.
  const final = await client.waitForTransaction(order.refid, { orderToken, intervalMs: 100 });
  assert.equal(final.status, "success");
  assert.equal((await fetch(`${base}/__sandbox/faults`, { method: "DELETE" })).status, 200);
});
