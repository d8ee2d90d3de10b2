// Compile-time proofs that the generated types are per action: every `@ts-expect-error`
// line below must be an error, or `tsc --noEmit` fails ("Unused '@ts-expect-error'
// directive"). Type-checked by `cargo xtask test` (step `generated-clients`); never run.

import createClient from "openapi-fetch";
import type { components, paths } from "./generated/openapi.js";

type Schemas = components["schemas"];

function isError(body: object): body is Schemas["ErrorBody"] {
  return typeof (body as { error?: unknown }).error === "string";
}

export async function typingProofs(client: ReturnType<typeof createClient<paths>>): Promise<void> {
  // The correct calls compile.
  await client.GET("/listProducts/..", { params: { query: { action: "listProducts", type: "xla" } } });
  await client.POST("/createTransaction/..", {
    params: { query: { action: "createTransaction" } },
    body: { kode_produk: "XLA10", nomor_tujuan: "081234561111", refid: "R1" },
  });

  // listProducts without `type` does not compile.
  // @ts-expect-error: `type` is required
  await client.GET("/listProducts/..", { params: { query: { action: "listProducts" } } });

  // listProducts with a type that does not exist.
  // @ts-expect-error: "pulsa" is not a ProductType
  await client.GET("/listProducts/..", { params: { query: { action: "listProducts", type: "pulsa" } } });

  // `providers` is one comma-separated string, as it goes on the wire.
  await client.GET("/listProducts/..", {
    // @ts-expect-error: providers is a string ("KUBER,BEKASANL"), not a list
    params: { query: { action: "listProducts", type: "xla", providers: ["KUBER", "BEKASANL"] } },
  });

  // The `action` value is fixed per path.
  // @ts-expect-error: this path's action is listProducts
  await client.GET("/listProducts/..", { params: { query: { action: "ping", type: "xla" } } });

  // `action` cannot be left out.
  // @ts-expect-error: action is required
  await client.GET("/ping/..", { params: { query: {} } });

  // checkTransaction needs a refid.
  // @ts-expect-error: refid is required
  await client.GET("/checkTransaction/..", { params: { query: { action: "checkTransaction" } } });

  // getHistory's page is a number.
  // @ts-expect-error: page is an integer
  await client.GET("/getHistory/..", { params: { query: { action: "getHistory", page: "1" } } });

  // createTransaction is a POST only.
  // @ts-expect-error: no GET on /createTransaction/..
  await client.GET("/createTransaction/..", { params: { query: { action: "createTransaction" } } });

  // createTransaction's body needs all three fields.
  await client.POST("/createTransaction/..", {
    params: { query: { action: "createTransaction" } },
    // @ts-expect-error: refid is missing
    body: { kode_produk: "XLA10", nomor_tujuan: "081234561111" },
  });

  // resubmitWebhook's body is a refid (a RefIdRequest), not an order.
  await client.POST("/resubmitWebhook/..", {
    params: { query: { action: "resubmitWebhook" } },
    // @ts-expect-error: refid is missing
    body: { kode_produk: "XLA10" },
  });

  // There is no such action.
  // @ts-expect-error: unknown path
  await client.GET("/topUp/..", { params: { query: { action: "topUp" } } });

  // Answers are typed per action too.
  const { data } = await client.GET("/ping/..", { params: { query: { action: "ping" } } });
  if (data && !isError(data)) {
    const code: string = data.kodereseller;
    void code;
    // @ts-expect-error: a ping answer has no `data`
    void data.data.ready;
  }

  // The 200 answer may be an ErrorBody: reading a success field needs narrowing first.
  const products = await client.GET("/listProducts/..", { params: { query: { action: "listProducts", type: "all" } } });
  if (products.data) {
    // @ts-expect-error: `data` may be an ErrorBody, which has no `data.ready`
    void products.data.data.ready;
  }

  // A status is one of the four, or another string (kept, not rejected).
  const status: Schemas["TxStatus"] = "refunded";
  void status;
  // @ts-expect-error: an ErrorBody needs `error`
  const err: Schemas["ErrorBody"] = { refid: "R1" };
  void err;
}
