// The JavaScript half of the `ics-reseller` package, shared by every entry point.
// `cargo xtask build-wasm` wraps this file (after js/check.generated.js and js/decode.js):
// the ESM entry (browsers, bundlers) puts the wasm-bindgen `web` bindings in `wasm` and
// `export`s; the CommonJS entry (Node) puts the `nodejs` bindings in `wasm` and assigns
// `module.exports`. It defines the error class, `decode()` and the `history()` iterator;
// every decision is made in the Rust core (decode.js only short-cuts a strict success).

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
wasm.__registerErrorClass(ResellerError);
wasm.__registerStrictDecode(strictDecodeBytes);

const ResellerClient = wasm.ResellerClient;

/**
 * Decodes an answer of `action` (status and body text) as the client's methods do: a 2xx
 * success in the documented form as JSON.parse built it, anything else through the core.
 * Returns the typed body or throws a `ResellerError`.
 */
ResellerClient.prototype.decode = function decode(action, status, body) {
  const v = strictDecode(action, status, body);
  return v !== undefined ? v : this.__decode(action, status, body);
};

/** Every order, page after page, newest first (`getHistory` until the last page). */
ResellerClient.prototype.history = async function* history(options = {}) {
  const { signal, timeoutMs, page: first, ...filter } = options;
  let page = first ?? 1;
  for (;;) {
    const resp = await this.getHistory({ ...filter, page }, { signal, timeoutMs });
    yield* resp.data;
    const next = wasm.__nextHistoryPage(resp.page, resp.limit, resp.data.length);
    if (next === undefined) return;
    page = next;
  }
};

const newRefId = wasm.newRefId;
const normalizePhone = wasm.normalizePhone;
const productTypeFits = wasm.productTypeFits;
const parseWebhook = wasm.parseWebhook;
const signOrder = wasm.signOrder;
const actionNames = wasm.actionNames;
const errorCodes = wasm.errorCodes;
