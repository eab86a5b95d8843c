#!/usr/bin/env python3
"""Checks what topologies/fraud.yaml wrote against values computed here from
the generator's dump, independently of the C++ code (the features, rules and
model scoring are re-implemented in scripts/fraud_features.py from
docs/fraud.md), and measures the alerts against the generator's truth file.

  fraud_check.py --input DUMP --truth TRUTH --model MODEL --outputs DIR

DIR holds one file per output (validated, enriched, predictions, alerts,
dlq), one record per line: key TAB value. Prints a report, including
`alerts: precision P recall R`; exit status 1 on any mismatch."""
import argparse
import json
import os
import sys
from collections import defaultdict

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
import fraud_features as ff  # noqa: E402

REL = 1e-9
problems = []


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def same(a, b, path=""):
    """Numbers to REL relative (ints and doubles by value; no absolute
    slack, as scores near 0 matter too), the rest exactly."""
    if is_number(a) and is_number(b):
        if abs(a - b) > REL * max(abs(a), abs(b)):
            return "%s: %r != %r" % (path, a, b)
        return None
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            return "%s: fields %s != %s" % (path, sorted(a), sorted(b))
        for k in a:
            d = same(a[k], b[k], path + "." + k)
            if d:
                return d
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return "%s: %r != %r" % (path, a, b)
        for i, (x, y) in enumerate(zip(a, b)):
            d = same(x, y, "%s[%d]" % (path, i))
            if d:
                return d
        return None
    if a != b or type(a) is not type(b):
        return "%s: %r != %r" % (path, a, b)
    return None


def read_output(path):
    """Per key, the values in the order written (a partition keeps a key's order)."""
    out = defaultdict(list)
    count = 0
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            key, value = line.split("\t", 1)
            out[key].append(value)
            count += 1
    return out, count


def compare(name, path, expected):
    """expected: [(key, value)] in input order."""
    actual, count = read_output(path)
    want = defaultdict(list)
    for key, value in expected:
        want[key].append(value)
    if count != len(expected):
        problems.append("%s: %d records, expected %d" % (name, count, len(expected)))
    shown = 0
    for key in sorted(set(want) | set(actual)):
        got = [json.loads(v) for v in actual.get(key, [])]
        exp = want.get(key, [])
        for i, (g, e) in enumerate(zip(got, exp)):
            d = same(g, e)
            if d and shown < 5:
                problems.append("%s: key %s record %d%s" % (name, key, i, d))
                shown += 1
        if len(got) != len(exp) and shown < 5:
            problems.append("%s: key %s has %d records, expected %d" % (name, key, len(got), len(exp)))
            shown += 1
    return count


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--input", required=True)
    ap.add_argument("--truth", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--outputs", required=True)
    args = ap.parse_args()
    with open(args.model) as f:
        model = json.load(f)
    customers, merchants, txs = ff.read_dump(args.input)
    results = ff.enrich_all(customers, merchants, txs)
    valid = [(r["key"], rec) for (r, rec, _) in results if rec is not None]
    dlq = [r["key"] for (r, rec, _) in results if rec is None]
    preds = [(key, ff.predict(model, rec)) for key, rec in valid]
    alerts = [(key, p) for key, p in preds if p["decision"] == "alert"]

    n = {}
    n["validated"] = compare("validated", os.path.join(args.outputs, "validated"),
                             [(k, rec["transaction"]) for k, rec in valid])
    n["enriched"] = compare("enriched", os.path.join(args.outputs, "enriched"), valid)
    n["predictions"] = compare("predictions", os.path.join(args.outputs, "predictions"), preds)
    n["alerts"] = compare("alerts", os.path.join(args.outputs, "alerts"), alerts)
    got_dlq, n["dlq"] = read_output(os.path.join(args.outputs, "dlq"))
    want_dlq = defaultdict(int)
    for k in dlq:
        want_dlq[k] += 1
    if {k: len(v) for k, v in got_dlq.items()} != dict(want_dlq):
        problems.append("dlq: %d records, expected %d (per key counts differ)" % (n["dlq"], len(dlq)))

    # Quality of the actual alerts against the ground truth.
    truth = {}
    with open(args.truth) as f:
        for line in f:
            t = json.loads(line)
            truth[t["transaction_id"]] = t
    actual_alerts, _ = read_output(os.path.join(args.outputs, "alerts"))
    alerted = {json.loads(v)["transaction_id"] for vs in actual_alerts.values() for v in vs}
    fraud_valid = {rec["transaction"]["transaction_id"] for _, rec in valid
                   if truth[rec["transaction"]["transaction_id"]]["fraud"]}
    tp = len(alerted & fraud_valid)
    precision = tp / len(alerted) if alerted else 0.0
    recall = tp / len(fraud_valid) if fraud_valid else 0.0
    by_pattern = defaultdict(lambda: [0, 0])
    for tid in fraud_valid:
        by_pattern[truth[tid]["pattern"]][0] += tid in alerted
        by_pattern[truth[tid]["pattern"]][1] += 1
    print("fraud_check: %d transactions: validated %d, dlq %d, enriched %d, predictions %d, alerts %d (expected %d)"
          % (len(txs), n["validated"], n["dlq"], n["enriched"], n["predictions"], n["alerts"], len(alerts)))
    print("fraud in the valid transactions: %d; alerted: %d, of which fraud %d" % (len(fraud_valid), len(alerted), tp))
    print("recall by pattern: " + ", ".join("%s %d/%d" % (p, c[0], c[1]) for p, c in sorted(by_pattern.items())))
    print("alerts: precision %.4f recall %.4f" % (precision, recall))
    if not valid or not alerts:
        problems.append("vacuous run: no valid transactions or no alerts expected")
    for p in problems:
        print("MISMATCH " + p)
    print("fraud_check: " + ("FAILED" if problems else "OK"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
