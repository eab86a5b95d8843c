#!/usr/bin/env python3
"""Prints crypto pipeline records (key TAB json value per line on stdin) as
short tables for scripts/main-job.sh:
show-records.py candle|indicators|alert|share"""
import datetime
import json
import sys


def when(ms):
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M")


def fmt(x, digits=None):
    if x is None:
        return "-"
    if digits is None:  # prices from 0.5 to 65 000 all keep about 6 significant digits
        digits = 2 if abs(x) >= 100 else 4 if abs(x) >= 1 else 6
    return f"{x:,.{digits}f}"


def main(kind):
    rows = []
    for line in sys.stdin:
        key, _, value = line.rstrip("\n").partition("\t")
        rows.append((key, json.loads(value)))
    if kind == "candle":
        for key, c in rows:
            print(f"   {key:9} {when(c['window_start'])}  O {fmt(c['open'])}  H {fmt(c['high'])}  "
                  f"L {fmt(c['low'])}  C {fmt(c['close'])}  V {fmt(c['volume'], 4)}  "
                  f"trades {c['trade_count']}  vwap {fmt(c['vwap'])}")
    elif kind == "indicators":
        latest = {}
        for key, v in rows:
            latest[key] = v
        for key in sorted(latest):
            v = latest[key]
            i = v["indicators"]
            macd = i.get("macd") or {}
            boll = i.get("bollinger") or {}
            print(f"   {key:9} {when(v['window_start'])}  close {fmt(v['close'])}  SMA20 {fmt(i.get('sma_20'))}  "
                  f"EMA12 {fmt(i.get('ema_12'))}  RSI14 {fmt(i.get('rsi_14'))}  "
                  f"MACD {fmt(macd.get('line'), 4)}/{fmt(macd.get('signal'), 4)}  "
                  f"BB [{fmt(boll.get('lower'))}, {fmt(boll.get('upper'))}]  "
                  f"vol20 {fmt(i.get('volatility_20'), 5)}")
    elif kind == "alert":
        if not rows:
            print("   (none)")
        for key, a in rows:
            print(f"   {key:9} {when(a['time'])}  {a['type']:12}  value {fmt(a['value'])}  "
                  f"threshold {fmt(a['threshold'])}  window {a['window']}")
    elif kind == "share":
        if not rows:
            print("   (none)")
            return
        last = max(v["window_start"] for _, v in rows)
        minute = [(k, v) for k, v in rows if v["window_start"] == last]
        for key, v in sorted(minute, key=lambda kv: -kv[1]["market_cap_share"]):
            print(f"   {key:10} {when(v['window_start'])}  market cap {fmt(v['value'], 0)}  "
                  f"share {100 * v['market_cap_share']:6.2f} %  of {v['members']} coins")
    else:
        sys.exit("usage: show-records.py candle|indicators|alert|share")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "")
