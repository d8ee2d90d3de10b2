// Bench peer: a fetch client that validates every answer with Ajv's standalone code,
// compiled at bench time from schema/json (all nine answers and ErrorBody, draft 2020-12)
// into `ajv-validators.js`: no Ajv compiler in the page, only the generated functions.

import * as validate from "./ajv-validators.js";

const POST = new Set(["createTransaction", "resubmitWebhook"]);

/** The failure of a call: the server's error body, or the validator's first complaint. */
class CallError extends Error {
  constructor(message, body) {
    super(message);
    this.body = body;
  }
}

/** One call of `action`: query parameters for a GET, a JSON body for a POST. */
async function call(baseUrl, fetchFn, action, params = {}) {
  const url = new URL(`${baseUrl}/`);
  url.searchParams.set("action", action);
  const init = { headers: { accept: "application/json" } };
  if (POST.has(action)) {
    init.method = "POST";
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(params);
  } else {
    for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, String(v));
  }
  const res = await fetchFn(url.href, init);
  const body = await res.json();
  if (validate.error(body)) throw new CallError(body.error, body);
  if (!res.ok) throw new CallError(`HTTP ${res.status}`, body);
  const check = validate[action];
  if (!check(body)) throw new CallError(`invalid ${action} answer: ${JSON.stringify(check.errors)}`, body);
  return body;
}

const ACTIONS = ["ping", "getProfile", "getBalance", "listProducts", "createTransaction",
  "checkTransaction", "getHistory", "getStatistik", "resubmitWebhook"];

/** A client of `baseUrl` (`fetch`: the caller's, else the global one): all nine actions. */
export function client(baseUrl, fetch = globalThis.fetch.bind(globalThis)) {
  const c = Object.fromEntries(ACTIONS.map((a) => [a, (params) => call(baseUrl, fetch, a, params)]));
  return { ...c, listProducts: (type) => c.listProducts({ type }) };
}

/** The decoder of a listProducts body: `JSON.parse` + the standalone validator (strict only). */
export async function decoders() {
  return {
    strict(text) {
      const body = JSON.parse(text);
      if (validate.error(body) || !validate.listProducts(body)) throw new CallError("invalid listProducts answer", body);
      return body;
    },
  };
}
