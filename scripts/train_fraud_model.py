#!/usr/bin/env python3
"""Trains models/fraud_model.json (docs/fraud.md, "How the model was trained").

    python3 scripts/train_fraud_model.py --stream-app build/release/framework/stream-app \
        --out models/fraud_model.json

Generates labelled data with the fraud generator (seed 101 by default: not the
e2e test's seed), computes the pipeline's features with the independent
implementation in scripts/fraud_features.py, fits a logistic regression by
Newton's method (L2-regularised, standard library only) and picks the decision
threshold that maximises F1 on the training data. Deterministic for a seed.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fraud_features as ff  # noqa: E402

# (name, transform, value used when the feature is null)
FEATURES = [
    ("amount_to_avg", "log1p", 1.0),
    ("amount_zscore", "log1p", 0.0),
    ("count_2m", "log1p", 1.0),
    ("count_1h", "log1p", 1.0),
    ("seconds_since_previous", "log1p", 86400.0),
    ("new_merchant", "identity", 0.0),
    ("foreign", "identity", 0.0),
    ("card_not_present", "identity", 0.0),
    ("merchant_risk", "identity", 0.5),
]


def raw(f, name, missing):
    x = f[name]
    if x is None:
        return missing
    if isinstance(x, bool):
        return 1.0 if x else 0.0
    return float(x)


def solve(a, b):
    """Gaussian elimination with partial pivoting (a is small and well conditioned)."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[p] = m[p], m[c]
        for r in range(n):
            if r != c and m[r][c] != 0:
                k = m[r][c] / m[c][c]
                for j in range(c, n + 1):
                    m[r][j] -= k * m[c][j]
    return [m[i][n] / m[i][i] for i in range(n)]


def fit(xs, ys, l2=1.0, iterations=25):
    """Newton / IRLS for logistic regression; the bias (index 0) is not penalised."""
    d = len(xs[0])
    w = [0.0] * d
    for _ in range(iterations):
        g = [0.0] * d
        h = [[0.0] * d for _ in range(d)]
        for x, y in zip(xs, ys):
            z = sum(wi * xi for wi, xi in zip(w, x))
            p = 1.0 / (1.0 + math.exp(-max(min(z, 35.0), -35.0)))
            s = p * (1 - p)
            for i in range(d):
                g[i] += (p - y) * x[i]
                si = s * x[i]
                row = h[i]
                for j in range(i, d):
                    row[j] += si * x[j]
        for i in range(d):
            for j in range(i):
                h[i][j] = h[j][i]
            if i > 0:
                g[i] += l2 * w[i]
                h[i][i] += l2
        step = solve(h, g)
        w = [wi - si for wi, si in zip(w, step)]
        if max(abs(s) for s in step) < 1e-9:
            break
    return w


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stream-app", required=True, help="the stream-app binary")
    ap.add_argument("--out", default="models/fraud_model.json")
    ap.add_argument("--seed", type=int, default=101)
    ap.add_argument("--count", type=int, default=20000)
    ap.add_argument("--version", default="fraud-lr-1")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        dump, truth = os.path.join(tmp, "dump.jsonl"), os.path.join(tmp, "truth.jsonl")
        subprocess.run([args.stream_app, "generate", "fraud", "--count", str(args.count), "--seed", str(args.seed),
                        "--start-time", "2026-01-01T00:00:00Z", "--dump", dump, "--truth-file", truth],
                       check=True, stdout=subprocess.DEVNULL)
        customers, merchants, txs = ff.read_dump(dump)
        labels = {}
        with open(truth) as f:
            for line in f:
                t = json.loads(line)
                labels[t["transaction_id"]] = 1.0 if t["fraud"] else 0.0
    rows = [rec for (_, rec, _) in ff.enrich_all(customers, merchants, txs) if rec is not None]
    ys = [labels[rec["transaction"]["transaction_id"]] for rec in rows]
    # Transformed features, then standardised (mean, sd stored in the model).
    cols = []
    for name, transform, missing in FEATURES:
        feat = {"transform": transform}
        cols.append([ff.transform(feat, raw(rec["features"], name, missing)) for rec in rows])
    stats = []
    for c in cols:
        mean = sum(c) / len(c)
        sd = math.sqrt(sum((v - mean) ** 2 for v in c) / len(c)) or 1.0
        stats.append((mean, sd))
    xs = [[1.0] + [(cols[j][i] - stats[j][0]) / stats[j][1] for j in range(len(cols))] for i in range(len(rows))]
    w = fit(xs, ys)
    model = {
        "format": "streamapp-fraud-logistic-regression",
        "version": args.version,
        "trained_on": "stream-app generate fraud --count %d --seed %d --start-time 2026-01-01T00:00:00Z"
                      % (args.count, args.seed),
        "bias": w[0],
        "threshold": 0.5,
        "features": [{"name": n, "transform": t, "missing": m, "mean": s[0], "scale": s[1], "weight": wi}
                     for (n, t, m), s, wi in zip(FEATURES, stats, w[1:])],
    }
    # The threshold maximising F1 of the model alone on the training data.
    probs = [ff.model_score(model, rec["features"]) for rec in rows]
    best = (0.0, 0.5)
    for k in range(5, 96):
        th = k / 100
        tp = sum(1 for p, y in zip(probs, ys) if p >= th and y)
        fp = sum(1 for p, y in zip(probs, ys) if p >= th and not y)
        fn = sum(1 for p, y in zip(probs, ys) if p < th and y)
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f1 > best[0]:
            best = (f1, th)
    model["threshold"] = best[1]
    # The whole decision (model + the topology's rules) on the training data.
    tp = fp = fn = 0
    for rec, y in zip(rows, ys):
        alert = ff.predict(model, rec)["decision"] == "alert"
        tp += alert and y == 1
        fp += alert and y == 0
        fn += (not alert) and y == 1
    print("trained on %d valid transactions (%d fraud); model F1 %.3f at threshold %.2f; "
          "with the rules: precision %.3f recall %.3f"
          % (len(rows), int(sum(ys)), best[0], best[1], tp / max(1, tp + fp), tp / max(1, tp + fn)))
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(model, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
