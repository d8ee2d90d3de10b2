"""Calls every operation of schema/openapi.json against the sandbox with the client that
openapi-python-client generated (package `ics_reseller_client`, on PYTHONPATH), key in the
X-API-Key header. Every answer must parse into the generated model of its operation, error
bodies (200, 401, 403, 404) into ErrorBody, and the sandbox must have received the request
lines upstream expects (`/?action=NAME`, never `/NAME/..`).

Usage: python every_action.py SANDBOX_URL OPENAPI_JSON
Run by `cargo xtask test` (step `generated-clients`), see xtask/src/clients.rs.
"""

import json
import sys
import time
from urllib.parse import parse_qsl

import httpx

from ics_reseller_client import AuthenticatedClient
from ics_reseller_client.api.account import get_balance, get_profile, get_statistik, ping
from ics_reseller_client.api.catalog import list_products
from ics_reseller_client.api.orders import (
    check_transaction,
    check_transaction_post,
    create_transaction,
    get_history,
    resubmit_webhook,
)
from ics_reseller_client.models import (
    CheckTransactionResponse,
    CreateTransactionRequest,
    CreateTransactionResponse,
    ErrorBody,
    GetBalanceResponse,
    GetHistoryResponse,
    GetProfileResponse,
    GetStatistikResponse,
    ListProductsResponse,
    PingResponse,
    ProductType,
    RefIdRequest,
    ResubmitWebhookResponse,
)

BASE, OPENAPI = sys.argv[1], sys.argv[2]
failures = 0


def check(what, ok, detail=None):
    global failures
    if ok:
        print(f"ok    {what}")
    else:
        failures += 1
        print(f"FAIL  {what}" + ("" if detail is None else f": {detail!r}"))


def client(key="sk_test_verified"):
    # The README's recipe: the generated AuthenticatedClient, with the key as X-API-Key.
    return AuthenticatedClient(
        base_url=BASE, token=key, prefix="", auth_header_name="X-API-Key", raise_on_unexpected_status=True
    )


def parsed(what, response, model, status=200):
    """The parsed answer if it has `status` and is an instance of `model`."""
    ok = response.status_code == status and isinstance(response.parsed, model)
    check(f"{what}: HTTP {status} parsed as {model.__name__}", ok, (response.status_code, response.content[:300]))
    return response.parsed if ok else None


sandbox = httpx.Client(base_url=BASE)
sandbox.post("/__sandbox/reset").raise_for_status()
sandbox.delete("/__sandbox/requests").raise_for_status()

refid = f"PYCLIENT{int(time.time() * 1000)}"
expected = []  # (method, [(key, value), ...])
called = set()
c = client()

r = ping.sync_detailed(client=c)
called.add("ping")
expected.append(("GET", [("action", "ping")]))
p = parsed("ping", r, PingResponse)
check("ping: kodereseller RS00001", p is not None and p.kodereseller == "RS00001")

r = get_profile.sync_detailed(client=c)
called.add("getProfile")
expected.append(("GET", [("action", "getProfile")]))
p = parsed("getProfile", r, GetProfileResponse)
check("getProfile: email, verified", p is not None and isinstance(p.data.email, str) and p.data.verif is True)

r = get_balance.sync_detailed(client=c)
called.add("getBalance")
expected.append(("GET", [("action", "getBalance")]))
p = parsed("getBalance", r, GetBalanceResponse)
check("getBalance: saldo 1000000", p is not None and p.data.saldo == 1_000_000)

r = list_products.sync_detailed(client=c, type_=ProductType.XLA, providers="KUBER,BEKASANL")
called.add("listProducts")
expected.append(("GET", [("action", "listProducts"), ("type", "xla"), ("providers", "KUBER,BEKASANL")]))
p = parsed("listProducts", r, ListProductsResponse)
products = [] if p is None else p.data.ready + p.data.empty
check(
    "listProducts: xla products of KUBER/BEKASANL only",
    len(products) > 0 and all(x.type_ == "xla" and x.provider in ("KUBER", "BEKASANL") for x in products),
)
check("listProducts: unknown fields kept", p is not None and isinstance(p.additional_properties, dict))

r = create_transaction.sync_detailed(
    client=c, body=CreateTransactionRequest(kode_produk="XLA10", nomor_tujuan="081234561111", refid=refid)
)
called.add("createTransaction")
expected.append(("POST", [("action", "createTransaction")]))
p = parsed("createTransaction", r, CreateTransactionResponse)
check("createTransaction: accepted at once", p is not None and p.refid == refid and p.pending is False)

r = create_transaction.sync_detailed(
    client=c, body=CreateTransactionRequest(kode_produk="XLA10", nomor_tujuan="081234564444", refid=refid + "X")
)
expected.append(("POST", [("action", "createTransaction")]))
e = parsed("createTransaction rejected by the supplier", r, ErrorBody)
check("  ... ErrorBody keeps refid and balances", e is not None and e.refid == refid + "X" and e.saldo_awal == e.saldo_akhir)

r = check_transaction.sync_detailed(client=c, refid=refid)
called.add("checkTransaction")
expected.append(("GET", [("action", "checkTransaction"), ("refid", refid)]))
p = parsed("checkTransaction", r, CheckTransactionResponse)
status = None if p is None else getattr(p.status, "value", p.status)
check("checkTransaction: success", status == "success", status)

r = check_transaction_post.sync_detailed(client=c, body=RefIdRequest(refid=refid))
called.add("checkTransactionPost")
expected.append(("POST", [("action", "checkTransaction")]))
p = parsed("checkTransaction by POST", r, CheckTransactionResponse)
check("checkTransaction by POST: same order", p is not None and p.refid == refid)

r = check_transaction.sync_detailed(client=c, refid=refid + "NOPE")
expected.append(("GET", [("action", "checkTransaction"), ("refid", refid + "NOPE")]))
e = parsed("checkTransaction of an unknown refid", r, ErrorBody, status=404)
check("  ... ErrorBody with the refid", e is not None and e.refid == refid + "NOPE")

r = get_history.sync_detailed(client=c, page=1, limit=10)
called.add("getHistory")
expected.append(("GET", [("action", "getHistory"), ("page", "1"), ("limit", "10")]))
p = parsed("getHistory", r, GetHistoryResponse)
check(
    "getHistory: the order listed (kodeproduk, nomor, time)",
    p is not None and any(x.refid == refid and x.kodeproduk == "XLA10" and x.time for x in p.data),
)

r = get_statistik.sync_detailed(client=c)
called.add("getStatistik")
expected.append(("GET", [("action", "getStatistik")]))
p = parsed("getStatistik", r, GetStatistikResponse)
check("getStatistik: one success", p is not None and p.summary.success.count == 1)

r = resubmit_webhook.sync_detailed(client=c, body=RefIdRequest(refid=refid))
called.add("resubmitWebhook")
expected.append(("POST", [("action", "resubmitWebhook")]))
p = parsed("resubmitWebhook", r, ResubmitWebhookResponse)
check("resubmitWebhook: sent", p is not None and p.webhook_url.startswith("http"))

r = ping.sync_detailed(client=client("sk_test_wrong"))
expected.append(("GET", [("action", "ping")]))
parsed("ping with a wrong key", r, ErrorBody, status=401)

r = get_balance.sync_detailed(client=client("sk_test_inactive"))
expected.append(("GET", [("action", "getBalance")]))
parsed("getBalance of an inactive account", r, ErrorBody, status=403)

# Every operation of the spec was called.
spec = json.load(open(OPENAPI))
operations = {op["operationId"] for item in spec["paths"].values() for op in item.values()}
check(f"all {len(operations)} operations called", called == operations, sorted(operations ^ called))

# What the sandbox received: path exactly `/`, the same parameters in the same order.
seen = sandbox.get("/__sandbox/requests").json()["requests"]
received = []
for line in seen:
    path, _, query = line["target"].partition("?")
    received.append((line["method"], path, parse_qsl(query, keep_blank_values=True)))
want = [(m, "/", q) for m, q in expected]
check(f"the sandbox received the {len(want)} upstream request lines", received == want, {"want": want, "got": received})
for line in seen:
    print(f"      {line['method']} {line['target']}")

if failures:
    print(f"\n{failures} check(s) failed")
    sys.exit(1)
print("\nopenapi-python-client: every operation answered and parsed into the generated models")
