"""Parses every sandbox answer of every action, in every scenario the sandbox simulates,
into the pydantic models datamodel-code-generator made from schema/json (package `models`,
on PYTHONPATH): success bodies into the action's response model, failures into ErrorBody.
Parsing is strict (no "20000" -> 20000 coercion): the sandbox must answer in the
documented form, as the schemas describe it.

Usage: python json_schema_models.py SANDBOX_URL
Run by `cargo xtask test` (step `generated-clients`), see xtask/src/clients.rs.
"""

import importlib
import sys
import time

import httpx
from pydantic import ValidationError

BASE = sys.argv[1]
KEYS = ["sk_test_verified", "sk_test_unverified", "sk_test_inactive", "sk_test_lowbalance"]
RESPONSE_MODEL = {
    "ping": "PingResponse",
    "getProfile": "GetProfileResponse",
    "getBalance": "GetBalanceResponse",
    "listProducts": "ListProductsResponse",
    "createTransaction": "CreateTransactionResponse",
    "checkTransaction": "CheckTransactionResponse",
    "getHistory": "GetHistoryResponse",
    "getStatistik": "GetStatistikResponse",
    "resubmitWebhook": "ResubmitWebhookResponse",
}


def model(name):
    return getattr(importlib.import_module(f"models.{name}_schema"), name)


http = httpx.Client(base_url=BASE, timeout=20)
failures = []
counts = {}  # (action, model) -> answers parsed


def call(action, key="sk_test_verified", method="GET", body=None, **query):
    """One API call; its body must parse into the action's model or ErrorBody."""
    headers = {"X-API-Key": key} if key else {}
    r = http.request(method, "/", params={"action": action, **query}, json=body, headers=headers)
    data = r.json()
    name = "ErrorBody" if isinstance(data, dict) and isinstance(data.get("error"), str) else RESPONSE_MODEL[action]
    try:
        parsed = model(name).model_validate_json(r.content, strict=True)
    except ValidationError as e:
        failures.append(f"{method} {r.request.url.raw_path.decode()} -> {r.status_code} {name}: {e}")
        return data
    if name == "ErrorBody" and r.status_code == 200 and action != "createTransaction":
        failures.append(f"{action}: error body on 200: {r.text[:200]}")
    counts[(action, name)] = counts.get((action, name), 0) + 1
    assert parsed is not None
    return data


http.post("/__sandbox/reset").raise_for_status()
stamp = int(time.time() * 1000)

for key in KEYS + ["sk_test_wrong", None]:
    for action in ["ping", "getProfile", "getBalance", "getStatistik"]:
        call(action, key)
for t in ["xla", "bpa", "fmax", "xda", "all"]:
    call("listProducts", type=t)
    call("listProducts", type=t, providers="KUBER,BEKASANL")
    call("listProducts", type=t, providers="NOSUCH")
call("listProducts")  # type missing: 400

# Orders in every scenario: the test numbers' last four digits, then each kind of refusal.
refids = []
for suffix in ["1111", "2222", "3333", "4444", "5555", "6666", "7777"]:
    refid = f"PYDM{stamp}{suffix}"
    answer = call("createTransaction", method="POST", body={"kode_produk": "XLA10", "nomor_tujuan": f"08123456{suffix}", "refid": refid})
    if "error" not in answer:
        refids.append(refid)
for code, number, refid, key in [
    ("NOPE99", "081234561111", f"PYDM{stamp}A", "sk_test_verified"),  # unknown product
    ("XLA15", "081234561111", f"PYDM{stamp}B", "sk_test_verified"),  # out of stock
    ("XLA10", "0812", f"PYDM{stamp}C", "sk_test_verified"),  # invalid number
    ("XLA10", "081234561111", refids[0], "sk_test_verified"),  # refid used
    ("XLA10", "081234561111", f"PYDM{stamp}D", "sk_test_lowbalance"),  # balance too low
    ("XLA10", "081234561111", "bad refid!", "sk_test_verified"),  # malformed refid: 400
]:
    call("createTransaction", key, method="POST", body={"kode_produk": code, "nomor_tujuan": number, "refid": refid})
call("createTransaction", method="POST", body={"refid": f"PYDM{stamp}E"})  # fields missing: 400
call("createTransaction", method="GET")  # wrong method: 405

# Each order before and after the settle delay, by GET and by POST; then history and statistics.
for phase in ["at once", "settled"]:
    for refid in refids:
        call("checkTransaction", refid=refid)
        call("checkTransaction", method="POST", body={"refid": refid})
    if phase == "at once":
        time.sleep(0.6)
call("checkTransaction", refid="NOSUCH")  # 404
for status in [None, "success", "pending", "failed", "unpaid", "refunded"]:
    q = {} if status is None else {"status": status}
    call("getHistory", page=1, limit=3, **q)
    call("getHistory", page=2, limit=3, **q)
call("getHistory", page=0)  # 400
for key in KEYS:
    call("getStatistik", key)
    call("getBalance", key)
call("resubmitWebhook", method="POST", body={"refid": refids[0]})
call("resubmitWebhook", method="POST", body={"refid": "NOSUCH"})  # 404
unverified = f"PYDM{stamp}U"
call("createTransaction", "sk_test_unverified", method="POST", body={"kode_produk": "XDA1", "nomor_tujuan": "081234561111", "refid": unverified})
call("resubmitWebhook", "sk_test_unverified", method="POST", body={"refid": unverified})  # no webhook: 400

for (action, name), n in sorted(counts.items()):
    print(f"ok    {action:<18} {n:>3} answer(s) parsed as {name}")
missing = [a for a, m in RESPONSE_MODEL.items() if (a, m) not in counts] + [a for a in RESPONSE_MODEL if (a, "ErrorBody") not in counts]
if missing:
    failures.append(f"no answer seen for: {missing}")
if failures:
    for f in failures:
        print(f"FAIL  {f}")
    sys.exit(1)
total = sum(counts.values())
print(f"\ndatamodel-code-generator: all {total} sandbox answers of the {len(RESPONSE_MODEL)} actions parse into the pydantic models")
