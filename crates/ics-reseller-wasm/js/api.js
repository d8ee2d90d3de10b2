// The JavaScript half of the `ics-reseller` package, an ES module shared by every entry
// point: `cargo xtask build-wasm` bundles it with `load.js` for browsers and bundlers
// (js/load-web.js: the wasm instantiates on the first call or `ready()`, compiled
// streaming; no top-level await) and for Node (js/load-node.js: loaded synchronously at
// `import`/`require`). It holds the package's one export list, the error class,
// `decode()` and the `history()` iterator; every decision is made in the Rust core
// (decode.js only short-cuts a success in the documented or a common PHP form).

import { fastDecode, fastParsed } from "./decode.js";
import { load, loaded } from "./load.js";
import { METHODS } from "./methods.js";

/** The one error type of the package; `code` is one of `errorCodes()`. */
class ResellerError extends Error {
  constructor(fields) {
    super(fields.message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.name = "ResellerError";
    this.code = fields.code;
    this.status = fields.status;
    this.retryable = fields.retryable === true;
    this.refid = fields.refid;
    this.body = fields.body;
    this.field = fields.field;
    this.snippet = fields.snippet;
    this.path = fields.path;
    this.retryAfterMs = fields.retryAfterMs;
  }
}

/** The wasm-bindgen bindings once the module is instantiated, else `undefined`. */
let wasm;
/** The pending instantiation (`ready()`), `undefined` before the first or after a failure. */
let pending;

function attach(bindings) {
  if (wasm === undefined) {
    bindings.__registerErrorClass(ResellerError);
    bindings.__registerFastDecode(fastParsed);
    wasm = bindings;
  }
  return wasm;
}

/**
 * Loads and instantiates the WebAssembly module (once; every call and `ready()` share it).
 * `source` (optional) says where the `.wasm` file is, for a bundler that did not copy it:
 * a URL, a `Response`, its bytes or a compiled `WebAssembly.Module`.
 */
function ready(source) {
  if (wasm !== undefined) return Promise.resolve();
  if (pending === undefined) {
    pending = load(source).then(attach, (e) => {
      pending = undefined; // a later call may try again (e.g. after the network is back)
      throw new ResellerError({
        code: "network",
        retryable: true,
        message: `ics-reseller: could not load its WebAssembly module (${e && e.message ? e.message : e})`,
        cause: e,
      });
    });
  }
  return pending.then(() => undefined);
}

if (loaded !== undefined) attach(loaded);

/** The bindings for a synchronous function; before `ready()` has resolved, a clear error. */
function bindings() {
  if (wasm !== undefined) return wasm;
  ready().catch(() => {}); // start loading, so that a retry after `await ready()` is quick
  throw new ResellerError({
    code: "invalid_input",
    message: "ics-reseller: the WebAssembly module is not loaded yet: `await ready()` before calling this synchronously",
  });
}

/** The wasm client behind each `ResellerClient`, created once the module is loaded. */
const inner = new WeakMap();
const optionsOf = new WeakMap();

function innerOf(client) {
  let c = inner.get(client);
  if (c === undefined) {
    c = new (bindings().ResellerClient)(optionsOf.get(client));
    inner.set(client, c);
  }
  return c;
}

/**
 * Resolves in a later task (`scheduler.yield()` where there is one), so the browser can
 * paint and handle input in between. A first call compiles every wasm function it runs
 * (V8 compiles them lazily): at 4× CPU, instantiating, creating the client and the first
 * call were each 50–160 ms, and awaited back to back they were one long task of the page.
 */
const nextTask = () =>
  typeof globalThis.scheduler?.yield === "function"
    ? globalThis.scheduler.yield()
    : new Promise((resolve) => setTimeout(resolve, 0));

/** The client: one method per action, each loading the wasm first if it is not yet (its
 * first call also creates the wasm client, each step in a task of its own). */
class ResellerClient {
  constructor(options) {
    optionsOf.set(this, options);
    // Once the module is loaded, bad options throw here; before, on the first call.
    if (wasm !== undefined) innerOf(this);
  }

  /**
   * Decodes an answer of `action` (status and body text) as the client's methods do: a 2xx
   * success in the documented form or a common PHP form as JSON.parse built it (normalised
   * in place), anything else through the core.
   * Returns the typed body or throws a `ResellerError`.
   */
  decode(action, status, body) {
    const v = fastDecode(action, status, body);
    return v !== undefined ? v : innerOf(this).__decode(action, status, body);
  }

  /** Every order, page after page, newest first (`getHistory` until the last page). */
  async *history(options = {}) {
    const { signal, timeoutMs, page: first, ...filter } = options;
    let page = first ?? 1;
    for (;;) {
      const resp = await this.getHistory({ ...filter, page }, { signal, timeoutMs });
      yield* resp.data;
      const next = wasm.__nextHistoryPage(resp.page, resp.limit, resp.data.length);
      if (next === undefined) return;
      page = next;
    }
  }

  /** Frees the client's memory now instead of at garbage collection. */
  free() {
    const c = inner.get(this);
    inner.delete(this);
    if (c !== undefined) c.free();
  }
}

for (const name of METHODS) {
  Object.defineProperty(ResellerClient.prototype, name, {
    configurable: true,
    writable: true,
    value: {
      async [name](...args) {
        if (wasm === undefined) {
          await ready();
          await nextTask();
        }
        if (!inner.has(this)) {
          innerOf(this);
          await nextTask();
        }
        return innerOf(this)[name](...args);
      },
    }[name],
  });
}

const newRefId = () => bindings().newRefId();
const normalizePhone = (number) => bindings().normalizePhone(number);
const productTypeFits = (productType, operator) => bindings().productTypeFits(productType, operator);
const parseWebhook = (body) => bindings().parseWebhook(body);
const signOrder = (secret, grant) => bindings().signOrder(secret, grant);
const actionNames = () => bindings().actionNames();
const errorCodes = () => bindings().errorCodes();

export {
  ResellerClient,
  ResellerError,
  ready,
  newRefId,
  normalizePhone,
  productTypeFits,
  parseWebhook,
  signOrder,
  actionNames,
  errorCodes,
};
