// Declarations of `ics-reseller/widgets`: custom elements for a shop on the ICS-Store
// Reseller API. Importing the module defines <ics-catalog>, <ics-checkout>, <ics-account>,
// <ics-history> and <ics-stats>.

import type {
  CheckTransactionResponse,
  ErrorCode,
  GetStatistikResponse,
  Balance,
  HistoryEntry,
  Product,
  ResellerClient,
  ResellerError,
} from "../index.js";

/** Attributes every widget reads: `base-url` (a gateway path or URL). */
declare class IcsElement extends HTMLElement {
  /** The client the widget calls: by default a gateway-mode client on `base-url`. */
  client: ResellerClient;
  /** `id` or `en`, from the nearest `lang` attribute. */
  readonly uiLang: "id" | "en";
}

/** Product catalog: type tabs, provider filter, search; fires `ics-select`. */
export declare class IcsCatalog extends IcsElement {
  type: "all" | "xla" | "bpa" | "fmax" | "xda";
  selected: string;
  readonly products: Product[];
  refresh(): Promise<void>;
}

/** What `ics-order` events carry. */
export interface OrderDetail {
  phase: "pay" | "paying" | "sending" | "pending" | "success" | "failed" | "still-pending" | "not-found" | "error";
  refid: string;
  status?: string;
  product: Product;
  number: string;
  /** A `ResellerError`, or the payment step's error (`code: "payment"`, `status`). */
  error?: ResellerError | (Error & { code: "payment" | "network"; status?: number });
}

/** What the shop's backend at `token-url` answers after taking the payment. */
export interface OrderTokenGrant {
  /** The order token (`signOrder`), sent to the gateway as `X-Order-Token`. */
  token: string;
  /** The highest price the token accepts, in rupiah. */
  max_price: number;
  /** Unix time in seconds after which the token is refused. */
  expires_at: number;
}

/**
 * POSTs `{kode_produk, nomor_tujuan, refid}` as JSON to the shop's `url` (credentials
 * same-origin) and resolves its `{token, max_price, expires_at}`; rejects with
 * `code: "payment"` when it refuses.
 */
export declare function fetchOrderToken(
  url: string,
  order: { kode_produk: string; nomor_tujuan: string; refid: string },
  signal?: AbortSignal,
): Promise<OrderTokenGrant>;

/**
 * Checkout: phone field, operator check, order button, payment step (attribute
 * `token-url`: the shop's backend that takes the payment and signs the order token), live
 * status; after a final status the order button reads "Beli lagi" and starts a new order
 * (a new refid) instead of placing one. Fires `ics-order`.
 */
export declare class IcsCheckout extends IcsElement {
  product: Product | null;
  phone: string;
  readonly order: (OrderDetail & { note?: string; price?: number }) | null;
}

/** Balance and verification (getBalance). */
export declare class IcsAccount extends IcsElement {
  readonly balance: Balance | undefined;
  refresh(): Promise<void>;
}

/** Order history: paged, status filter, webhook re-send per row. */
export declare class IcsHistory extends IcsElement {
  readonly page: number;
  readonly status: string;
  readonly entries: HistoryEntry[];
  refresh(): Promise<void>;
}

/** Count and total per status as an SVG bar chart (getStatistik). */
export declare class IcsStats extends IcsElement {
  readonly summary: GetStatistikResponse | undefined;
  refresh(): Promise<void>;
}

/** Whether `product` can be used on a number of `operator`. */
export declare function productFitsOperator(product: Pick<Product, "type">, operator: string): boolean;
/** Every text the widgets show, per language. */
export declare const TEXTS: Record<"id" | "en", Record<string, string>>;
/** A text in `lang` with `{name}` placeholders filled. */
export declare function text(lang: "id" | "en", key: string, vars?: Record<string, unknown>): string;
/** The message a widget shows for an error (every `ErrorCode` has one). */
export declare function errorMessage(lang: "id" | "en", error: { code?: ErrorCode | string; message?: string; status?: number; field?: string; body?: unknown }): string;
/** Whole rupiah as `Rp20.000`. */
export declare function formatRupiah(amount: number): string;
/** `081712345678` → `0817-1234-5678`. */
export declare function formatPhone(number: string): string;

declare global {
  interface HTMLElementTagNameMap {
    "ics-catalog": IcsCatalog;
    "ics-checkout": IcsCheckout;
    "ics-account": IcsAccount;
    "ics-history": IcsHistory;
    "ics-stats": IcsStats;
  }
  interface DocumentEventMap {
    "ics-select": CustomEvent<{ product: Product }>;
    "ics-order": CustomEvent<OrderDetail>;
  }
}

export type { CheckTransactionResponse };
