#!/usr/bin/env python3
"""Checks what topologies/clickstream.yaml wrote against values computed
here, directly from the generated input (a `stream-app generate --dump` file
plus the sentinel click the test appended), independently of the C++ code.
The parameters are those of pipelines.md, written again here on purpose.

  clickstream_check.py --input DUMP --sentinels FILE --outputs DIR

DIR holds one file per output topic (pageviews.1m, sessions,
unique_users.1m, dlq), one record per line: key TAB value TAB error (the
dead-letter topic's streamapp.error header). The input topic has one
partition, so every task sees the clicks in dump order. Prints a report;
exit status 1 on any mismatch or an empty output."""
import argparse
import json
import sys
from collections import defaultdict

MINUTE = 60_000
GRACE = 30_000            # page views and unique users
SESSION_GAP = 30 * MINUTE
SESSION_GRACE = MINUTE
problems = []


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def read_lines(path):
    with open(path) as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def read_output(directory, name):
    rows = []
    with open(f"{directory}/{name}") as f:
        for line in f:
            key, value, error = line.rstrip("\n").split("\t", 2)
            rows.append((key, value, error))
    return rows


def source_error(value):
    """Why the source rejects the click (not JSON, bad ts), else None."""
    if not isinstance(value, dict):
        return "not JSON"
    ts = value.get("ts")
    if ts is None:
        return "timestamp field 'ts' is missing"
    if not is_number(ts):
        return "timestamp"  # "n/a" is no ISO-8601 time either
    if ts < 0:
        return "no valid timestamp"
    return None


def validation_error(value):
    """The topology's rules, in its order: the reason text of the first that fails."""
    for field in ("event_id", "user_id", "url"):
        if not isinstance(value.get(field), str) or value[field] == "":
            return f"{field} missing or not a string"
    if value["url"].strip().lower().startswith("javascript:"):
        return "javascript: url"
    if not value["ts"] > 0:
        return "ts must be positive"
    return None


def windows(clicks, key_of, size, grace):
    """(key, window start) -> list of clicks, for the clicks that were not
    late in a task whose stream time moves with these clicks only."""
    out, stream_time = defaultdict(list), -1
    for c in clicks:
        stream_time = max(stream_time, c["ts"])
        start = c["ts"] - c["ts"] % size
        if start + size + grace <= stream_time:
            continue  # late: its window had closed
        out[(key_of(c), start)].append(c)
    return out, stream_time


def sessions_of(clicks):
    """Per user, clicks at most SESSION_GAP apart form a session. The
    generator never puts a user's sessions closer, and data arrive in order,
    so no merge or lateness subtleties arise; landing/exit: the url of the
    earliest / latest click (latest arrival on a tie)."""
    by_user = defaultdict(list)
    for c in clicks:
        by_user[c["user_id"]].append(c)
    out = {}
    for user, cs in by_user.items():
        cs = sorted(cs, key=lambda c: c["ts"])  # stable: ties keep arrival order
        groups = [[cs[0]]]
        for c in cs[1:]:
            if c["ts"] - groups[-1][-1]["ts"] <= SESSION_GAP:
                groups[-1].append(c)
            else:
                groups.append([c])
        for g in groups:
            start, end = g[0]["ts"], g[-1]["ts"]
            out[(user, start)] = {"user_id": user, "session_start": start, "session_end": end, "pages": len(g),
                                  "landing_page": g[0]["url"], "exit_page": g[-1]["url"], "duration_ms": end - start}
    return out


def compare(name, expected, got):
    """expected, got: key -> value dicts; reports the differences."""
    if len(got) == 0:
        problems.append(f"{name}: no records")
    missing, unexpected = sorted(set(expected) - set(got)), sorted(set(got) - set(expected))
    if missing or unexpected:
        problems.append(f"{name}: {len(missing)} missing (e.g. {missing[:3]}), "
                        f"{len(unexpected)} unexpected (e.g. {unexpected[:3]})")
    for k in sorted(set(expected) & set(got)):
        if expected[k] != got[k]:
            problems.append(f"{name} {k}: got {got[k]} expected {expected[k]}")
    return len(got)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--input", required=True)
    p.add_argument("--sentinels", required=True)
    p.add_argument("--outputs")
    p.add_argument("--count-processed", action="store_true",
                   help="print how many records the worker processes: the input plus what the repartitions read back")
    args = p.parse_args()
    out = args.outputs

    valid, bad = [], []
    for rec in list(read_lines(args.input)) + list(read_lines(args.sentinels)):
        value = rec["value"]
        if isinstance(value, str):  # a malformed record, dumped as text
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                bad.append("not JSON")
                continue
        why = source_error(value) or validation_error(value)
        if why:
            bad.append(why)
        else:
            valid.append(value)
    sentinel_ts = max(c["ts"] for c in valid)
    if args.count_processed:  # the input, plus the valid records repartitioned (page views by url, unique users under one key)
        print(len(valid) + len(bad) + 2 * len(valid))
        return
    if not args.outputs:
        p.error("--outputs is required")

    # ---- DLQ: as many records as bad clicks, reason by reason.
    dlq = read_output(out, "dlq")
    if len(dlq) != len(bad):
        problems.append(f"dlq: {len(dlq)} records, expected {len(bad)}")
    expected_reasons = defaultdict(int)
    for why in bad:
        if why != "not JSON" and not why.startswith("timestamp") and why != "no valid timestamp":
            expected_reasons[f"validate: {why}"] += 1
    got_reasons = defaultdict(int)
    for _, _, error in dlq:
        if error.startswith("validate: "):
            got_reasons[error.split(" (")[0]] += 1
    if got_reasons != expected_reasons:
        problems.append(f"dlq reasons: got {dict(got_reasons)} expected {dict(expected_reasons)}")
    if not any("javascript" in e for _, _, e in dlq):
        problems.append("dlq: no javascript: url rejected")

    # ---- 1. page views per url per minute (repartitioned by url: one task,
    # whose stream time moves with valid clicks only). The sentinel's window
    # stays open; every other one closed.
    pv, st = windows(valid, lambda c: c["url"], MINUTE, GRACE)
    expected_pv = {(u, s): {"minute_start": s, "minute_end": s + MINUTE, "url": u, "pv": len(cs)}
                   for (u, s), cs in pv.items() if s + MINUTE + GRACE <= st}
    got_pv = {}
    for key, value, _ in read_output(out, "pageviews.1m"):
        v = json.loads(value)
        if key != v["url"]:
            problems.append(f"pageviews.1m: key {key} for url {v['url']}")
        if (v["url"], v["minute_start"]) in got_pv:
            problems.append(f"pageviews.1m: {v['url']} {v['minute_start']} emitted twice")
        got_pv[(v["url"], v["minute_start"])] = v
    n_pv = compare("pageviews.1m", expected_pv, got_pv)

    # ---- 2. sessions (the sentinel's stays open)
    expected_sessions = {k: s for k, s in sessions_of(valid).items()
                         if s["session_end"] + SESSION_GAP + SESSION_GRACE <= sentinel_ts}
    got_sessions = {}
    for key, value, _ in read_output(out, "sessions"):
        v = json.loads(value)
        if key != v["user_id"]:
            problems.append(f"sessions: key {key} for user {v['user_id']}")
        got_sessions[(v["user_id"], v["session_start"])] = v
    n_sessions = compare("sessions", expected_sessions, got_sessions)

    # ---- 3. unique users per minute (one key, one task)
    uu, st = windows(valid, lambda c: "all", MINUTE, GRACE)
    expected_uu = {s: {"minute_start": s, "minute_end": s + MINUTE, "unique_users": len({c["user_id"] for c in cs})}
                   for (_, s), cs in uu.items() if s + MINUTE + GRACE <= st}
    got_uu = {}
    for key, value, _ in read_output(out, "unique_users.1m"):
        v = json.loads(value)
        if key != str(v["minute_start"]):
            problems.append(f"unique_users.1m: key {key} for minute {v['minute_start']}")
        got_uu[v["minute_start"]] = v
    n_uu = compare("unique_users.1m", expected_uu, got_uu)

    print(f"input: {len(valid)} valid clicks (sentinel included), {len(bad)} bad; "
          f"checked: {n_pv} page view windows, {n_sessions} sessions, {n_uu} unique-user minutes, "
          f"{len(dlq)} dead letters")
    for line in problems[:40]:
        print("MISMATCH", line)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
