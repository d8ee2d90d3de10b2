// A typed consumer of the `ics-reseller` package: `tsc --noEmit` must accept it
// (cargo xtask test, step npm-package). Each `@ts-expect-error` proves a wrong call does
// not compile; tsc fails if the line below one of them compiles after all.
import {
  ResellerClient,
  ResellerError,
  ready,
  newRefId,
  normalizePhone,
  parseWebhook,
  signOrder,
  actionNames,
  errorCodes,
  type ActionName,
  type CheckOptions,
  type CheckTransactionResponse,
  type CreateTransactionResponse,
  type ErrorCode,
  type HistoryEntry,
  type OrderGrant,
  type OrderOptions,
  type PlacedOrder,
  type Product,
  type ResellerActions,
} from "ics-reseller";

export async function typed(): Promise<void> {
  const client = new ResellerClient({ baseUrl: "http://127.0.0.1:8080/gateway" });
  const keyed = new ResellerClient({
    baseUrl: "https://reseller.ics-store.my.id",
    apiKey: "sk_live_x",
    auth: "header",
    timeoutMs: 10_000,
    retries: 2,
  });
  const ctl = new AbortController();

  const ping = await keyed.ping({ signal: ctl.signal });
  const code: string = ping.kodereseller;
  const products = await client.listProducts({ type: "xla", providers: ["KUBER"] });
  const first: Product | undefined = products.data.ready[0];
  const price: number = first?.harga_final ?? 0;

  const order: PlacedOrder = await client.createTransaction({
    kode_produk: "XLA10",
    nomor_tujuan: "081234567890",
  });
  if (order.outcome === "accepted") {
    const saldo: number = order.response.saldo_akhir;
  } else {
    const status: CheckTransactionResponse["status"] = order.response.status;
  }
  const grant: OrderGrant = {
    kode_produk: "XLA10",
    nomor_tujuan: "081234567890",
    refid: newRefId(),
    max_price: 12_000,
    expires_at: Math.floor(Date.now() / 1000) + 900,
  };
  const orderToken: string = signOrder("a secret of at least 32 bytes....", grant);
  const opts: OrderOptions = { orderToken, timeoutMs: 10_000 };
  const paid: PlacedOrder = await client.createTransaction(
    { kode_produk: grant.kode_produk, nomor_tujuan: grant.nomor_tujuan, refid: grant.refid },
    opts,
  );
  // Behind ics-gateway, checks carry the order's token.
  const checkOpts: CheckOptions = { orderToken, signal: ctl.signal };
  const checked: CheckTransactionResponse = await client.checkTransaction({ refid: grant.refid }, checkOpts);
  const done = await client.waitForTransaction(order.refid, { intervalMs: 500, timeoutMs: 60_000, orderToken });
  const final: "success" | "failed" | "pending" | "unpaid" | (string & {}) = done.status;
  for await (const entry of client.history({ status: "success", limit: 50 })) {
    const e: HistoryEntry = entry;
    const k: string = e.kodeproduk;
  }
  const page = await client.getHistory({ page: 2, limit: 10, status: "pending" });
  const stats = await client.getStatistik();
  const n: number = stats.summary.success.count;

  try {
    await client.getBalance();
  } catch (e) {
    if (e instanceof ResellerError) {
      const c: ErrorCode = e.code;
      const s: number | undefined = e.status;
      const r: boolean = e.retryable;
      const refid: string | undefined = e.refid;
      const body: string | undefined = e.body?.error;
      const path: string | undefined = e.path;
      if (e.code === "maybe_committed") {
        const cause: ResellerError | undefined = e.cause;
      }
    }
  }

  const phone = normalizePhone("+62 812 3456 7890");
  const op: "telkomsel" | "indosat" | "xl" | "axis" | "tri" | "smartfren" | "unknown" = phone.operator;
  const hook: CheckTransactionResponse = parseWebhook('{"status":"success"}');
  const id: string = newRefId();
  const names: ActionName[] = actionNames();
  const codes: ErrorCode[] = errorCodes();
  const methods: ResellerActions = client;
  const decoded = client.decode("listProducts", 200, '{"success":true}');
  const decodedPrice: number | undefined = decoded.data.ready[0]?.harga_final;
  const created: CreateTransactionResponse = client.decode("createTransaction", 200, "{}");

  // @ts-expect-error: baseUrl is required
  new ResellerClient({ apiKey: "k" });
  // @ts-expect-error: auth is "header" or "query"
  new ResellerClient({ baseUrl: "x", auth: "cookie" });
  // @ts-expect-error: listProducts needs its parameters
  await client.listProducts();
  // @ts-expect-error: not a product type
  await client.listProducts({ type: "pulsa" });
  // @ts-expect-error: wire names: the product code is kode_produk
  await client.createTransaction({ kodeProduk: "XLA10", nomor_tujuan: "0812" });
  // @ts-expect-error: nomor_tujuan is required
  await client.createTransaction({ kode_produk: "XLA10" });
  // @ts-expect-error: checkTransaction takes { refid }
  await client.checkTransaction("RS123");
  // @ts-expect-error: the order token is a string
  await client.checkTransaction({ refid: "RS123" }, { orderToken: 1 });
  // @ts-expect-error: getBalance takes no order token
  await client.getBalance({ orderToken });
  // @ts-expect-error: limit is a number
  await client.getHistory({ limit: "10" });
  // @ts-expect-error: the signal is an AbortSignal
  await client.ping({ signal: "stop" });
  // @ts-expect-error: no such action
  await client.topUp();
  // @ts-expect-error: saldo is a number
  const wrong: string = (await client.getBalance()).data.saldo;
  // @ts-expect-error: not an error code
  const notACode: ErrorCode = "teapot";
  // @ts-expect-error: decode knows each action's body: getBalance's saldo is a number
  const wrongSaldo: string = client.decode("getBalance", 200, "{}").data.saldo;
  // @ts-expect-error: decode takes a wire name
  client.decode("topUp", 200, "{}");
  // @ts-expect-error: the order token is a string
  await client.createTransaction({ kode_produk: "XLA10", nomor_tujuan: "0812" }, { orderToken: 1 });
  // @ts-expect-error: orderToken is an option of createTransaction only
  await client.getBalance({ orderToken: "v1.x.y" });
  // @ts-expect-error: a grant needs its price bound
  signOrder("s", { kode_produk: "XLA10", nomor_tujuan: "0812", refid: "R1", expires_at: 1 });
  // @ts-expect-error: the secret is a string or bytes
  signOrder(42, grant);
  // @ts-expect-error: normalizePhone takes a string
  normalizePhone(81234567890);
}

/** `ready()`: optional source of the wasm, resolves with nothing. */
export async function loadFirst(): Promise<void> {
  await ready();
  await ready("/assets/ics_reseller_bg.wasm");
  const none: void = await ready(new URL("https://shop.example/ics_reseller_bg.wasm"));
  // @ts-expect-error: ready() resolves with nothing
  const n: number = await ready();
  void n;
  return none;
}
