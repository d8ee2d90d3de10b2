// Bench peer: the floor. `fetch` + `Response.json()`, `JSON.parse`; nothing checked.

/** One GET of `action` with `query`, its body as `Response.json()` built it. */
async function call(baseUrl, fetchFn, action, query) {
  const url = new URL(`${baseUrl}/`);
  url.searchParams.set("action", action);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  return (await fetchFn(url.href)).json();
}

/** A client of `baseUrl` (`fetch`: the caller's, else the global one): two actions. */
export function client(baseUrl, fetch = globalThis.fetch.bind(globalThis)) {
  return {
    listProducts: (type) => call(baseUrl, fetch, "listProducts", { type }),
    ping: () => call(baseUrl, fetch, "ping", {}),
  };
}

/** `JSON.parse`, for either form of the body. */
export async function decoders() {
  return { strict: JSON.parse, php: JSON.parse };
}
