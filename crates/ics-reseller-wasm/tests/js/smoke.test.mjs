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
