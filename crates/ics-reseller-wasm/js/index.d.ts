// Hand-written declarations of the `ics-reseller` package. The package's index.d.ts is
// js/types.generated.d.ts (bodies, ErrorCode, ActionName, ResellerActions: generated from
// the core by `cargo xtask codegen`) followed by this file.

/** Options of `new ResellerClient(...)`. */
export interface ClientOptions {
  /** Base URL: the upstream API, or a gateway that adds the key server-side (e.g. `http://127.0.0.1:8080/gateway`). In a page, a relative one (`/gateway`) resolves against `location`. */
  baseUrl: string;
  /** The reseller's API key. Omit it behind a gateway. Refused in a browser page unless `allowBrowserKey`. */
  apiKey?: string;
  /** Where the key travels: the `X-API-Key` header (default) or the `apikey` query parameter. */
  auth?: "header" | "query";
  /** Time one HTTP exchange may take, in milliseconds (default 30000). */
  timeoutMs?: number;
  /** Retries of a read after a network error, timeout, 429 or 5xx (default 2, at most 10). Writes never retry. */
  retries?: number;
  /** Accept an API key in a browser page, where anyone can read it (default false). */
  allowBrowserKey?: boolean;
  /** The `fetch` to use (default: the global one). */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
}

/** Options of every call. */
export interface CallOptions {
  /** Aborts the call; it then rejects with code `aborted` (or `maybe_committed` for an order already sent). */
  signal?: AbortSignal;
  /** Time one HTTP exchange of this call may take, in milliseconds (default: the client's). */
  timeoutMs?: number;
}

/** Options of `createTransaction`: the call options plus the order's authorisation. */
export interface OrderOptions extends CallOptions {
  /**
   * The order token the shop's backend signed for this order (`signOrder`, or
   * `ics-gateway sign-order`) after taking the customer's payment. Sent as the
   * `X-Order-Token` header, also on the reconciliation's checks and when it re-sends the
   * same refid; the gateway refuses createTransaction without a valid, unexpired token
   * that names this product, number and refid, or when the live price exceeds its
   * `max_price`.
   */
  orderToken?: string;
}

/** Options of `checkTransaction`: the call options plus the order's token. */
export interface CheckOptions extends CallOptions {
  /**
   * The token of the order being checked (the one its `createTransaction` carried; an
   * expired one is fine), sent as `X-Order-Token`: `ics-gateway` answers a public
   * checkTransaction only to the token whose refid is the one checked (unless it runs
   * with `--open-orders`). Not needed against the API itself or the back-office route.
   */
  orderToken?: string;
}

/** Parameters of `createTransaction`: `refid` is generated (`newRefId()`) when absent. */
export interface CreateTransactionParams {
  /** Product code from listProducts, e.g. `XLA10`. */
  kode_produk: string;
  /** Destination phone number (`08…`, `628…`, `+62 8…`); normalised before sending. */
  nomor_tujuan: string;
  /** Your unique order id, the idempotency key (1–64 of `A-Z a-z 0-9 _ -`). */
  refid?: string;
}

/**
 * What `createTransaction` resolves with: the server's answer (`accepted`), or, when that
 * answer was lost, the order as checkTransaction found it (`found`).
 */
export type PlacedOrder =
  | { outcome: "accepted"; refid: string; response: CreateTransactionResponse }
  | { outcome: "found"; refid: string; response: CheckTransactionResponse };

/** Options of `waitForTransaction`. */
export interface WaitOptions {
  /** Time between two checks, in milliseconds (default 2000). */
  intervalMs?: number;
  /** Give up with code `timeout` after this many milliseconds (default 120000). */
  timeoutMs?: number;
  /** Stops waiting; rejects with code `aborted`. */
  signal?: AbortSignal;
  /** The order's token, sent with every check (see `CheckOptions.orderToken`). */
  orderToken?: string;
}

/** Options of `history()`: the getHistory filter plus call options. */
export interface HistoryOptions extends CallOptions {
  /** Only orders with this status. */
  status?: TxStatus;
  /** Orders per request, 1 to 100 (default 10). */
  limit?: number;
  /** First page to read (default 1). */
  page?: number;
}

/** Fields of a `ResellerError`, as passed to its constructor. */
export interface ResellerErrorInit {
  code: ErrorCode;
  message: string;
  status?: number;
  retryable?: boolean;
  refid?: string;
  body?: ErrorBody;
  field?: string;
  snippet?: string;
  path?: string;
  retryAfterMs?: number;
  cause?: ResellerError;
}

/** The one error type of the package: every rejection and every throw is one. */
export declare class ResellerError extends Error {
  constructor(fields: ResellerErrorInit);
  readonly name: "ResellerError";
  /** What went wrong, from the core's taxonomy. */
  readonly code: ErrorCode;
  /** The HTTP status, when there was an answer. */
  readonly status: number | undefined;
  /** Whether sending the same read again may succeed (network, timeout, 429, 5xx). */
  readonly retryable: boolean;
  /** The order's refid, when the error concerns one (always set for `maybe_committed`). */
  readonly refid: string | undefined;
  /** The server's parsed error body, when it sent one. */
  readonly body: ErrorBody | undefined;
  /** `invalid_input`: the field at fault (wire name, e.g. `nomor_tujuan`). */
  readonly field: string | undefined;
  /** `decode` and `http_status`: the first bytes of the body. */
  readonly snippet: string | undefined;
  /**
   * `decode`: the JSON path of the field at fault, e.g. `data.ready[3].harga_final` (for a
   * missing field, where it should have been); `undefined` when the body is not JSON or
   * not an object at all.
   */
  readonly path: string | undefined;
  /** `http_status`, or `rejected` on a 429/5xx: the server's `Retry-After`, in milliseconds. */
  readonly retryAfterMs: number | undefined;
  /** `maybe_committed`: what made the outcome unknown. */
  readonly cause?: ResellerError;
}

/**
 * The success body of an action, as `decode()` returns it (for createTransaction the
 * server's answer itself, not the `PlacedOrder` its method resolves with).
 */
export type ResponseOf<K extends ActionName> = K extends "createTransaction"
  ? CreateTransactionResponse
  : Awaited<ReturnType<ResellerActions[K]>>;

/** The client. One method per action (see `ResellerActions`), plus helpers. */
export interface ResellerClient extends ResellerActions {}
export declare class ResellerClient {
  /**
   * Throws a `ResellerError` (`invalid_input`) for bad options or a key in a browser page;
   * before the module is loaded (`ready()`), the first method call rejects with it instead.
   */
  constructor(options: ClientOptions);
  /**
   * Decodes an answer of `action` as the methods do, for callers that did the HTTP
   * themselves: the status and the body text in, the typed body out. A 2xx success in the
   * documented form is returned as `JSON.parse` built it (after a strict check generated
   * from the core's schemas); anything else goes through the core. Throws a
   * `ResellerError` (`rejected`, `unauthorized`, `http_status`, `decode`, …).
   */
  decode<K extends ActionName>(action: K, status: number, body: string): ResponseOf<K>;
  /** Polls checkTransaction until the order is `success` or `failed`, and resolves with it. */
  waitForTransaction(refid: string, options?: WaitOptions): Promise<CheckTransactionResponse>;
  /** Every order, page after page, until the last page. */
  history(options?: HistoryOptions): AsyncGenerator<HistoryEntry, void, undefined>;
  /**
   * Places an order (refid generated when absent), reconciling an unknown outcome with
   * checkTransaction; behind `ics-gateway`, pass the order's `orderToken`.
   */
  createTransaction(params: CreateTransactionParams, options?: OrderOptions): Promise<PlacedOrder>;
  /** Frees the client's memory now instead of at garbage collection. */
  free(): void;
}

/**
 * Loads and instantiates the WebAssembly module, once. Not needed before the client's
 * methods (the first call loads it); needed before the synchronous functions (`decode`,
 * `newRefId`, `normalizePhone`, `productTypeFits`, `parseWebhook`, `signOrder`,
 * `actionNames`, `errorCodes`) in a browser, which throw `ResellerError` (`invalid_input`)
 * until it has resolved. In Node the module loads at import and this resolves at once.
 * `wasm` tells where the `.wasm` file is when a bundler did not copy it (esbuild, Rollup):
 * its URL, a `Response`, its bytes or a compiled module. Rejects with `ResellerError`
 * (`network`, retryable) when it cannot be loaded.
 */
export declare function ready(
  wasm?: string | URL | Request | Response | BufferSource | WebAssembly.Module,
): Promise<void>;

/** A normalised phone number. */
export interface Phone {
  /** The number as sent: `08…`, digits only. */
  number: string;
  /** The operator, from the prefix. */
  operator: "telkomsel" | "indosat" | "xl" | "axis" | "tri" | "smartfren" | "unknown";
}

/** A new unique, time-sortable refid (`RS` + 26 characters). */
export declare function newRefId(): string;
/** Normalises an Indonesian mobile number; throws `ResellerError` (`invalid_input`). */
export declare function normalizePhone(number: string): Phone;
/** Whether a product of this type (`xla`, `xda`: XL AXIS packages) is sold for numbers of `operator`. */
export declare function productTypeFits(productType: string, operator: Phone["operator"]): boolean;
/** What one order token authorises (`signOrder`): one order, one refid, a price bound, an expiry. */
export interface OrderGrant {
  /** The product the customer paid for, e.g. `XLA10`. */
  kode_produk: string;
  /** The destination number; normalised to `08…` in the token. */
  nomor_tujuan: string;
  /** The refid the order must be placed under: the token authorises this one only. */
  refid: string;
  /** The highest price (`harga_final`, rupiah) the shop accepts for this order. */
  max_price: number;
  /** Unix time in seconds after which the gateway refuses the token. */
  expires_at: number;
}
/**
 * Signs an order token for `ics-gateway` (HMAC-SHA256, `v1.<payload>.<mac>`), on the
 * shop's server (Node) after it has taken the customer's payment. `secret` is the
 * gateway's `ICS_GATEWAY_ORDER_SECRET` (at least 32 bytes). Throws `ResellerError`
 * (`invalid_input`, `field` naming the fault) for a weak secret or a bad grant, and in a
 * browser page: a secret there lets anyone authorise any order. Only the Node entry
 * (`import`/`require` under Node's `node` export condition) signs; the browser module
 * (`index.js`, what bundlers, workers and edge runtimes get) leaves the signing out to
 * stay small and throws the same `invalid_input`, naming the Node entry.
 */
export declare function signOrder(secret: string | Uint8Array, grant: OrderGrant): string;
/** Reads a webhook body; throws `ResellerError` (`decode`). */
export declare function parseWebhook(body: string | Uint8Array): CheckTransactionResponse;
/** The wire name of every action; `ResellerClient` has one method per name. */
export declare function actionNames(): ActionName[];
/** Every `code` a `ResellerError` can carry. */
export declare function errorCodes(): ErrorCode[];
