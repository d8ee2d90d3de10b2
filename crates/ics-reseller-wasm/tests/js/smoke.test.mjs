// Smoke test of the `ics-reseller` npm package in Node (ESM), against the sandbox.
// Run by `cargo xtask test` (steps wasm-node and npm-package): ICS_SANDBOX_URL names the
// sandbox; ICS_PKG_ENTRY, when set, is the file to import instead of the package name.
import { test } from "node:test";
import assert from "node:assert/strict";

const base = process.env.ICS_SANDBOX_URL;
assert.ok(base, "ICS_SANDBOX_URL is not set");
const pkg = await import(process.env.ICS_PKG_ENTRY ?? "ics-reseller");
const { ResellerClient, ResellerError, actionNames, errorCodes } = pkg;

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
  const client = new ResellerClient({ baseUrl: `${base}/gateway` });
  const r = await client.listProducts({ type: "all" });
  assert.equal(r.success, true);
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
