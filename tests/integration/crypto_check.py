#!/usr/bin/env python3
"""Checks what topologies/crypto.yaml wrote against values computed here,
directly from the generated input (a `stream-app generate --dump` file plus
the sentinel trades the test appended), independently of the C++ code: the
rules, candles and alert conditions are re-implemented below, the
indicators come from tests/unit/indicators_reference.py (textbook batch
formulas).

  crypto_check.py --input DUMP --sentinels FILE --outputs DIR

DIR holds one file per output topic (trades.clean, ohlcv.1m, ...; dlq), one
record per line: key TAB value. Prints a report; exit status 1 on any
mismatch."""
import argparse
import json
import math
import os
import sys
from collections import defaultdict

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "unit"))
import indicators_reference as ref  # noqa: E402

SYMBOLS = {"BTCUSDT", "ETHUSDT", "ADAUSDT", "SOLUSDT", "DOTUSDT", "XRPUSDT", "LTCUSDT", "LINKUSDT", "UNIUSDT",
           "AAVEUSDT"}
GRACE = 10_000
TIMEFRAMES = {"1m": 60_000, "5m": 300_000, "15m": 900_000, "1h": 3_600_000}
REL = 1e-9
problems = []


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= REL * max(1.0, abs(b))


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def canonical(value):
    """JSON text where numbers compare by value (64993 equals 64993.0)."""
    def norm(v):
        if isinstance(v, dict):
            return {k: norm(x) for k, x in v.items()}
        if isinstance(v, list):
            return [norm(x) for x in v]
        return float(v) if is_number(v) else v
    return json.dumps(norm(value), sort_keys=True)


def valid_trade(value):
    """The topology's checks, in its order; None when valid, else why not."""
    if not isinstance(value, dict):
        return "not JSON"
    t = value.get("event_time")
    if not is_number(t):
        return "timestamp"
    for field in ("price", "quantity"):
        x = value.get(field)
        if x is None:
            return field  # null > 0 is false
        if not is_number(x):
            return field  # comparing a string with a number is an error
        if not x > 0:
            return field
    if value.get("symbol") not in SYMBOLS:
        return "symbol"
    trade_id = value.get("trade_id")
    if trade_id is not None and (isinstance(trade_id, bool) or not isinstance(trade_id, int)):
        return "trade_id"
    if value.get("is_buyer_maker") is not None and not isinstance(value["is_buyer_maker"], bool):
        return "is_buyer_maker"
    return None


def read_lines(path):
    with open(path) as f:
        for line in f:
            yield json.loads(line)


def read_output(directory, name, parse=True):
    rows = []
    path = os.path.join(directory, name)
    with open(path) as f:
        for line in f:
            key, _, value = line.rstrip("\n").partition("\t")
            rows.append((key, json.loads(value) if parse and value else value))
    return rows


def candles_of(trades, size):
    """(symbol, window_start) -> candle, from trades in arrival order; a
    trade whose window had closed when it arrived is dropped."""
    out = {}
    for sym, price, qty, t, stream_time in trades:
        start = t - t % size
        if start + size + GRACE <= stream_time:
            continue
        c = out.get((sym, start))
        if c is None:
            out[(sym, start)] = c = {"open": price, "high": price, "low": price, "close": price, "volume": 0.0,
                                     "trade_count": 0, "notional": 0.0, "open_time": t, "close_time": t}
        if t < c["open_time"]:
            c["open"], c["open_time"] = price, t
        if t >= c["close_time"]:
            c["close"], c["close_time"] = price, t
        c["high"], c["low"] = max(c["high"], price), min(c["low"], price)
        c["volume"] += qty
        c["trade_count"] += 1
        c["notional"] += price * qty
    for c in out.values():
        c["vwap"] = c["notional"] / c["volume"] if c["volume"] > 0 else None
    return out


def macd(closes):
    """ref.macd, which needs at least one value to seed the signal EMA."""
    fast, slow = ref.ema(closes, 12), ref.ema(closes, 26)
    line = [None if s is None else f - s for f, s in zip(fast, slow)]
    signal = ref.ema(line, 9) if any(v is not None for v in line) else [None] * len(closes)
    hist = [None if g is None else v - g for v, g in zip(line, signal)]
    return line, signal, hist


def check_candles(name, expected, actual_rows, size):
    actual = {(k, v["window_start"]): v for k, v in actual_rows}
    if len(actual) != len(actual_rows):
        problems.append(f"{name}: a window was emitted twice")
    if set(actual) != set(expected):
        problems.append(f"{name}: {len(set(expected) - set(actual))} expected windows missing, "
                        f"{len(set(actual) - set(expected))} unexpected")
    for key in set(actual) & set(expected):
        a, e = actual[key], expected[key]
        if a["window_end"] != key[1] + size:
            problems.append(f"{name} {key}: window_end {a['window_end']}")
        for f in ("open", "high", "low", "close", "volume", "vwap"):
            if not close(a[f], e[f]):
                problems.append(f"{name} {key}: {f} {a[f]!r} != {e[f]!r}")
        if a["trade_count"] != e["trade_count"]:
            problems.append(f"{name} {key}: trade_count {a['trade_count']} != {e['trade_count']}")
    return len(actual)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--input", required=True)
    p.add_argument("--sentinels", required=True)
    p.add_argument("--outputs", required=True)
    args = p.parse_args()
    out = args.outputs

    # ---- input: trades in arrival order, tickers, bad records. Stream time
    # moves at the source, before validation, with every record whose
    # timestamp reads; the generator writes event time in order, so the only
    # late trades are the bad-record kind whose event_time is a wrong but
    # numeric value. `seen` (stream time before each trade) decides lateness.
    trades, clean, bad, tickers, seen = [], [], 0, defaultdict(list), -1
    for rec in list(read_lines(args.input)) + list(read_lines(args.sentinels)):
        value = rec["value"]
        if rec["topic"].endswith(".tickers"):
            tickers[rec["key"]].append(value)
            continue
        if isinstance(value, str):  # a malformed record, dumped as text
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                bad += 1
                continue
        before = seen
        if isinstance(value, dict) and is_number(value.get("event_time")):
            seen = max(seen, int(value["event_time"]))
        if valid_trade(value) is not None:
            bad += 1
            continue
        q = 1.0 - (0.25 if value.get("trade_id") is None else 0) - (0.25 if value.get("is_buyer_maker") is None else 0)
        clean.append(canonical(dict(value, quality=q)))
        trades.append((value["symbol"], float(value["price"]), float(value["quantity"]), int(value["event_time"]),
                       before))

    # ---- 1. clean trades and the dead-letter topic
    got_clean = sorted(canonical(v) for _, v in read_output(out, "trades.clean"))
    if got_clean != sorted(clean):
        problems.append(f"trades.clean: {len(got_clean)} records, expected {len(clean)} (or contents differ)")
    got_dlq = len(read_output(out, "dlq", parse=False))  # the original bytes, malformed ones too
    if got_dlq != bad:
        problems.append(f"dlq: {got_dlq} records, expected {bad}")

    # ---- 2. candles: the sentinels (2 h after the last trade, one per
    # symbol) close every window up to 1 h; their own windows stay open.
    last = max(t for _, _, _, t, _ in trades)
    counts = {}
    for name, size in TIMEFRAMES.items():
        expected = {k: c for k, c in candles_of(trades, size).items() if k[1] + size + GRACE <= last}
        counts[name] = check_candles(f"ohlcv.{name}", expected, read_output(out, f"ohlcv.{name}"), size)

    # ---- 3. indicators on each symbol's 1m candles, in window order
    minute = {k: c for k, c in candles_of(trades, 60_000).items() if k[1] + 60_000 + GRACE <= last}
    expected_ind, closes_of, volumes_of = {}, {}, {}
    for sym in sorted({k[0] for k in minute}):
        starts = sorted(s for (k, s) in minute if k == sym)
        closes = [minute[(sym, s)]["close"] for s in starts]
        volumes = [minute[(sym, s)]["volume"] for s in starts]
        closes_of[sym], volumes_of[sym] = list(zip(starts, closes)), list(zip(starts, volumes))
        line, signal, hist = macd(closes)
        mid, up, low = ref.bollinger(closes, 20, 2)
        series = {"sma_20": ref.sma(closes, 20), "ema_12": ref.ema(closes, 12), "ema_26": ref.ema(closes, 26),
                  "rsi_14": ref.rsi(closes, 14), "volatility_20": ref.volatility(closes, 20)}
        for i, s in enumerate(starts):
            e = {name: values[i] for name, values in series.items()}
            e["macd"] = None if line[i] is None else {"line": line[i], "signal": signal[i], "histogram": hist[i]}
            e["bollinger"] = None if mid[i] is None else {"middle": mid[i], "upper": up[i], "lower": low[i]}
            expected_ind[(sym, s)] = e
    got_ind = {(k, v["window_start"]): v["indicators"] for k, v in read_output(out, "indicators.1m")}
    if set(got_ind) != set(expected_ind):
        problems.append(f"indicators.1m: {len(got_ind)} records for {len(expected_ind)} candles")
    compared = 0
    for key in set(got_ind) & set(expected_ind):
        a, e = got_ind[key], expected_ind[key]
        for name in ("sma_20", "ema_12", "ema_26", "rsi_14", "volatility_20"):
            compared += e[name] is not None
            if not close(a.get(name), e[name]):
                problems.append(f"indicators {key}: {name} {a.get(name)!r} != {e[name]!r}")
        for group in ("macd", "bollinger"):
            if (a.get(group) is None) != (e[group] is None):
                problems.append(f"indicators {key}: {group} {a.get(group)!r} != {e[group]!r}")
            elif e[group] is not None:
                for f, v in e[group].items():
                    compared += 1
                    if not close(a[group][f], v):
                        problems.append(f"indicators {key}: {group}.{f} {a[group][f]!r} != {v!r}")

    # ---- 4. alerts: |z| > 3 over the previous 20 closes; volume > 3 x the
    # mean of the previous 20 volumes
    expected_alerts = {}
    for sym in closes_of:
        starts = [s for s, _ in closes_of[sym]]
        z = ref.zscore([c for _, c in closes_of[sym]], 20)
        vols = [v for _, v in volumes_of[sym]]
        for i, s in enumerate(starts):
            t = s + 59_999  # a final candle's timestamp
            if z[i] is not None and abs(z[i]) > 3:
                expected_alerts[(sym, "zscore", t)] = (z[i], 3.0)
            if i >= 20:
                mean = math.fsum(vols[i - 20:i]) / 20
                if vols[i] > 3 * mean:
                    expected_alerts[(sym, "volume_spike", t)] = (vols[i], 3 * mean)
    got_alerts = {(v["symbol"], v["type"], v["time"]): (v["value"], v["threshold"]) for _, v in read_output(out, "alerts")}
    if set(got_alerts) != set(expected_alerts):
        problems.append(f"alerts: got {sorted(set(got_alerts) - set(expected_alerts))[:5]} unexpected, "
                        f"{sorted(set(expected_alerts) - set(got_alerts))[:5]} missing")
    for key in set(got_alerts) & set(expected_alerts):
        for a, e in zip(got_alerts[key], expected_alerts[key]):
            if not close(a, e):
                problems.append(f"alert {key}: {a!r} != {e!r}")

    # ---- 5. ticker price averages
    got_tickers = read_output(out, "tickers.averages")
    expected_tickers = sum(len(v) for v in tickers.values())
    if len(got_tickers) != expected_tickers:
        problems.append(f"tickers.averages: {len(got_tickers)} records, expected {expected_tickers}")
    by_coin = defaultdict(list)
    for k, v in got_tickers:
        by_coin[k].append(v)
    for coin, values in tickers.items():
        sma5 = ref.sma([v["price"] for v in values], 5)
        got = [v["price_averages"]["sma_5"] for v in by_coin.get(coin, [])]
        if len(got) == len(sma5) and not all(close(a, e) for a, e in zip(got, sma5)):
            problems.append(f"tickers {coin}: price sma_5 differs")

    # ---- 5. the 24h volume's change since the coin's previous ticker. The
    # aggregate's store is cached, so a commit may carry only a coin's latest
    # update: every record written must be right, and each coin's last one
    # must be there.
    expected_change = {}
    for coin, values in tickers.items():
        previous = None
        for v in values:
            vol = v["volume_24h"]
            change = None if previous is None else vol - previous
            pct = None if not previous else (vol - previous) / previous * 100
            expected_change[(coin, v["last_updated"])] = (vol, change, pct)
            previous = vol
    got_change = read_output(out, "tickers.volume_change")
    for k, v in got_change:
        want = expected_change.get((k, v["last_updated"]))
        got = (v["volume_24h"], v["volume_24h_change"], v["volume_24h_change_pct"])
        if want is None or not all(close(a, e) for a, e in zip(got, want)):
            problems.append(f"tickers.volume_change {k} {v}: expected {want}")
    last_written = {k: v["last_updated"] for k, v in got_change}
    for coin, values in tickers.items():
        if last_written.get(coin) != values[-1]["last_updated"]:
            problems.append(f"tickers.volume_change {coin}: the last ticker's change is missing")

    # ---- 5. market-cap share per minute: a window is emitted once stream
    # time (the latest ticker) passes its end plus the 10 s grace.
    latest = max(v["last_updated"] for values in tickers.values() for v in values)
    minutes = defaultdict(dict)
    for coin, values in tickers.items():
        for v in values:
            start = v["last_updated"] - v["last_updated"] % 60_000
            if start + 60_000 + GRACE <= latest:
                minutes[start][coin] = v["market_cap"]
    expected_share = {}
    for start, caps in minutes.items():
        total = math.fsum(caps.values())
        for coin, cap in caps.items():
            expected_share[(coin, start)] = (cap, cap / total, total, len(caps))
    got_share = {(k, v["window_start"]): (v["value"], v["market_cap_share"], v["total"], v["members"])
                 for k, v in read_output(out, "market_cap_share")}
    if set(got_share) != set(expected_share) or not expected_share:
        problems.append(f"market_cap_share: {len(got_share)} records, expected {len(expected_share)}")
    for key in set(got_share) & set(expected_share):
        if not all(close(a, e) for a, e in zip(got_share[key], expected_share[key])):
            problems.append(f"market_cap_share {key}: {got_share[key]} != {expected_share[key]}")

    if compared == 0:
        problems.append("no indicator had a value: too few candles to check anything")
    print(f"input: {len(trades)} valid trades, {bad} bad, {expected_tickers} tickers; "
          f"candles {counts}; {len(got_ind)} indicator records ({compared} values compared); "
          f"{len(got_alerts)} alerts; {len(got_change)} volume changes, {len(got_share)} market-cap shares")
    for line in problems[:40]:
        print("MISMATCH", line)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
