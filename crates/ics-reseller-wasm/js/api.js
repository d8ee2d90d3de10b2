// The JavaScript half of the `ics-reseller` package, shared by every entry point.
// `cargo xtask build-wasm` wraps this file: the ESM entry (browsers, bundlers) puts the
// wasm-bindgen `web` bindings in `wasm` and `export`s; the CommonJS entry (Node) puts the
// `nodejs` bindings in `wasm` and assigns `module.exports`. It only defines the error
// class and the `history()` iterator; every decision is made in the Rust core.

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
    this.retryAfterMs = fields.retryAfterMs;
  }
}
wasm.__registerErrorClass(ResellerError);

const ResellerClient = wasm.ResellerClient;

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
const parseWebhook = wasm.parseWebhook;
const actionNames = wasm.actionNames;
const errorCodes = wasm.errorCodes;
