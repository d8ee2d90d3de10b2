// The packed `ics-reseller` by `require` in Node (CommonJS), against the sandbox.
const { test } = require("node:test");
const assert = require("node:assert/strict");
const { ResellerClient, ResellerError, normalizePhone } = require("ics-reseller");

test("require(): a call, an error, a helper", async () => {
  const client = new ResellerClient({ baseUrl: process.env.ICS_SANDBOX_URL, apiKey: "sk_test_verified" });
  const { kodereseller } = await client.ping();
  assert.equal(kodereseller, "RS00001");
  assert.throws(() => normalizePhone("12"), (e) => e instanceof ResellerError && e.code === "invalid_input");
});

test("import() and require() share one instance", async () => {
  const esm = await import("ics-reseller");
  assert.equal(esm.ResellerError, ResellerError);
});
