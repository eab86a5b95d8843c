"""An independent Python implementation of topologies/fraud.yaml (docs/fraud.md).

Shared by scripts/train_fraud_model.py (training features) and
tests/integration/fraud_check.py (the expected pipeline outputs). It reads a
generator dump (`stream-app generate fraud --dump FILE`) and computes, for
every transaction, what the pipeline should output: the DLQ decision, the
enriched record (features) and the prediction. Written from the definitions
in docs/fraud.md, not from the C++ code.
"""
import json
import math

# The parameters of topologies/fraud.yaml (kept in sync by the e2e test).
CURRENCIES = ["USD", "GBP", "EUR", "CAD", "JPY", "BRL"]
WINDOWS = [("2m", 2 * 60 * 1000), ("1h", 3600 * 1000), ("24h", 24 * 3600 * 1000)]
MAX_HISTORY = 1000
MAX_MERCHANTS = 100
MIN_HISTORY = 5
RULE_SCORE = 0.9


def rules(rec):
    """The fraud_score rules of the topology, in order: (name, fired)."""
    f, tx = rec["features"], rec["transaction"]
    ratio = f["amount_to_avg"]
    return [
        ("high_value", (ratio is not None and ratio >= 8) or tx["amount"] >= 3000),
        ("velocity_burst", f["count_2m"] >= 3 and f["seconds_since_previous"] <= 30 and f["new_merchant"]
                           and tx["channel"] == "online"),
        ("foreign_card_not_present", f["foreign"] and f["card_not_present"]),
        ("new_merchant_large_amount", f["new_merchant"] and ratio is not None and ratio >= 4),
    ]


def _is_str(v):
    return isinstance(v, str) and v != ""


def _is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def validate(value):
    """None when valid, else the reason the pipeline gives (first failing rule)."""
    checks = [(k, _is_str, k + " must be a non-empty string")
              for k in ("transaction_id", "customer_id", "merchant_id", "currency", "country", "channel")]
    for field, ok, reason in checks:
        if not ok(value.get(field)):
            return reason
    if not _is_num(value.get("amount")):
        return "amount must be a number"
    if not value["amount"] > 0:
        return "amount must be positive"
    if not value["timestamp"] > 0:
        return "timestamp must be positive"
    if value["currency"] not in CURRENCIES:
        return "unknown currency"
    if value["channel"] not in ("online", "pos"):
        return "unknown channel"
    cp = value.get("card_present")
    if cp is not None and not isinstance(cp, bool):
        return "card_present must be a boolean"
    return None


def read_dump(path, transactions_topic="transactions-raw-v1"):
    """Tables (customers, merchants by id) and the transaction lines in order."""
    customers, merchants, txs = {}, {}, []
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            topic = r["topic"]
            if topic.endswith("customers-v1"):
                customers[r["key"]] = r["value"]
            elif topic.endswith("merchants-v1"):
                merchants[r["key"]] = r["value"]
            elif topic.endswith(transactions_topic):
                txs.append(r)
    return customers, merchants, txs


def decode(r):
    """The transaction value, or None when the source cannot decode it or
    its timestamp field is not epoch milliseconds (both go to the DLQ)."""
    v = r["value"]
    if isinstance(v, str):
        try:
            v = json.loads(v)
        except ValueError:
            return None
    if not isinstance(v, dict):
        return None
    if not isinstance(v.get("timestamp"), int) or isinstance(v.get("timestamp"), bool):
        return None
    return v


class Customer:
    """One customer's history: recent (ts, amount) sorted by ts, merchants in
    least-recently-used order, Welford count/mean/m2, latest timestamp."""

    def __init__(self):
        self.recent = []
        self.merchants = []
        self.n = 0
        self.mean = 0.0
        self.m2 = 0.0
        self.latest = None

    def features(self, ts, amount, merchant, country, home, avg):
        pos = len(self.recent)
        while pos > 0 and self.recent[pos - 1][0] > ts:
            pos -= 1
        self.recent.insert(pos, (ts, amount))
        out = {}
        for name, length in WINDOWS:
            inside = [a for (t, a) in self.recent if ts - length < t <= ts]
            total = 0.0
            for a in inside:
                total += a
            out["count_" + name] = len(inside)
            out["sum_" + name] = total
        out["seconds_since_previous"] = None if self.latest is None else (ts - self.latest) / 1000.0
        out["history_count"] = self.n
        z = None
        if self.n >= MIN_HISTORY and self.n >= 2:
            sd = math.sqrt(self.m2 / (self.n - 1))
            if sd > 0:
                z = (amount - self.mean) / sd
        out["amount_zscore"] = z
        out["amount_to_avg"] = amount / avg if _is_num(avg) and avg > 0 else None
        out["new_merchant"] = merchant not in self.merchants
        out["foreign"] = home is not None and country != home
        # Fold in.
        self.n += 1
        d = amount - self.mean
        self.mean += d / self.n
        self.m2 += d * (amount - self.mean)
        if merchant in self.merchants:
            self.merchants.remove(merchant)
        self.merchants.append(merchant)
        if len(self.merchants) > MAX_MERCHANTS:
            self.merchants.pop(0)
        self.latest = ts if self.latest is None else max(self.latest, ts)
        horizon = self.latest - max(length for _, length in WINDOWS)
        self.recent = [e for e in self.recent if e[0] > horizon][-MAX_HISTORY:]
        return out


def enrich_all(customers, merchants, txs):
    """[(line, None, reason)] for DLQ'd lines and [(line, enriched, None)] for
    valid ones, in input order; per-customer state in input order."""
    state = {}
    out = []
    for r in txs:
        v = decode(r)
        if v is None:
            out.append((r, None, "undecodable or bad timestamp"))
            continue
        reason = validate(v)
        if reason is not None:
            out.append((r, None, reason))
            continue
        cust = customers.get(r["key"])
        merch = merchants.get(v["merchant_id"])
        hist = state.setdefault(r["key"], Customer())
        f = hist.features(v["timestamp"], float(v["amount"]), v["merchant_id"], v["country"],
                          cust.get("home_country") if cust else None, cust.get("avg_amount") if cust else None)
        f["card_not_present"] = v.get("card_present") is not True
        f["merchant_risk"] = merch.get("risk_score") if merch else None
        f["account_age_days"] = cust.get("account_age_days") if cust else None
        out.append((r, {"transaction": v, "customer": cust, "merchant": merch, "features": f}, None))
    return out


def transform(feature, x):
    return math.log1p(max(x, 0.0)) if feature.get("transform", "identity") == "log1p" else x


def model_score(model, features):
    z = model["bias"]
    for feat in model["features"]:
        x = features[feat["name"]]
        if x is None:
            x = feat["missing"]
        elif isinstance(x, bool):
            x = 1.0 if x else 0.0
        z += feat["weight"] * ((transform(feat, x) - feat["mean"]) / feat["scale"])
    return 1.0 / (1.0 + math.exp(-z))


def predict(model, rec, threshold=None):
    """The prediction record the pipeline writes for an enriched record."""
    th = model["threshold"] if threshold is None else threshold
    m = model_score(model, rec["features"])
    score, reasons = m, []
    for name, fired in rules(rec):
        if fired:
            score = max(score, RULE_SCORE)
            reasons.append(name)
    if m >= th:
        reasons.append("model")
    tx = rec["transaction"]
    return {"transaction_id": tx["transaction_id"], "customer_id": tx["customer_id"],
            "merchant_id": tx["merchant_id"], "amount": tx["amount"], "timestamp": tx["timestamp"],
            "score": score, "model_score": m, "decision": "alert" if score >= th else "pass",
            "reasons": reasons, "model_version": model["version"]}
