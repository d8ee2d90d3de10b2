// Bench peer: this package, `ics-reseller`, as a page uses it (the browser entry, bundled).
// Every peer module exports the same two functions; tests/js/bench.mjs drives them.

import { ResellerClient, ready } from "ics-reseller";

/** A client of `baseUrl` (`fetch`: the caller's, else the global one): two actions. */
export function client(baseUrl, fetch) {
  const c = new ResellerClient(fetch ? { baseUrl, fetch } : { baseUrl });
  return { listProducts: (type) => c.listProducts({ type }), ping: () => c.ping() };
}

/** The decoders of a listProducts body text: strict documented form and PHP style. */
export async function decoders() {
  await ready();
  const c = new ResellerClient({ baseUrl: "http://bench.invalid" });
  const decode = (text) => c.decode("listProducts", 200, text);
  return { strict: decode, php: decode };
}
