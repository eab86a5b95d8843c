#!/usr/bin/env python3
"""Checks what topologies/iot.yaml wrote against values computed here,
directly from the generated input (a `stream-app generate --dump` file plus
the sentinel reading the test appended), independently of the C++ code.
The parameters (windows, thresholds, range, timeout) are written again here
on purpose.

  iot_check.py --input DUMP --sentinels FILE --outputs DIR

DIR holds one file per output topic (device_stats.1m, site_stats.1m,
alerts, dlq), one record per line: key TAB value TAB error (the dead-letter
topic's streamapp.error header). The input topic has one partition, so
there is one task per subtopology and each sees the readings in dump order:
the silence check mirrors the engine's stream-time punctuation exactly (a
punctuator runs after each record once stream time reached its next due
time, then is due an interval later, missed intervals skipped). Prints a
report; exit status 1 on any mismatch or an empty output."""
import argparse
import json
import sys
from collections import defaultdict

MINUTE = 60_000
GRACE = 30_000
LOW_BATTERY = 15
TEMP_RANGE = [5, 35]
WEAK_SIGNAL = -95
SILENCE_TIMEOUT = 5 * MINUTE
SILENCE_INTERVAL = 30_000
REL = 1e-9
problems = []


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def close(a, b):
    return is_number(a) and is_number(b) and abs(a - b) <= REL * max(1.0, abs(b))


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
    if not isinstance(value, dict):
        return "not JSON"
    ts = value.get("ts")
    if ts is None or not is_number(ts) or ts < 0:
        return "timestamp"
    return None


def in_range(v, lo, hi):
    return is_number(v) and lo <= v <= hi


def validation_error(v):
    """The topology's rules, in its order: the reason of the first that fails."""
    for field in ("device_id", "site"):
        if not isinstance(v.get(field), str) or v[field] == "":
            return f"{field} missing or not a string"
    if not is_number(v.get("temp_c")):
        return "temp_c missing or not a number"
    if not in_range(v.get("humidity"), 0, 100):
        return "humidity must be 0..100"
    if not in_range(v.get("battery"), 0, 100):
        return "battery must be 0..100"
    if v.get("signal_strength") is not None and not is_number(v["signal_strength"]):
        return "signal_strength not a number"
    if not v["ts"] > 0:
        return "ts must be positive"
    return None


def compare(name, expected, got, approx=()):
    if len(got) == 0:
        problems.append(f"{name}: no records")
    missing, unexpected = sorted(set(expected) - set(got)), sorted(set(got) - set(expected))
    if missing or unexpected:
        problems.append(f"{name}: {len(missing)} missing (e.g. {missing[:3]}), "
                        f"{len(unexpected)} unexpected (e.g. {unexpected[:3]})")
    for k in sorted(set(expected) & set(got)):
        e, g = expected[k], got[k]
        if set(e) != set(g):
            problems.append(f"{name} {k}: fields {sorted(g)} expected {sorted(e)}")
            continue
        for f in e:
            ok = close(g[f], e[f]) if f in approx else g[f] == e[f]
            if not ok:
                problems.append(f"{name} {k}: {f} {g[f]!r} expected {e[f]!r}")
    return len(got)


class Silence:
    """The silence operator's contract: per device, one alert per gap longer
    than the timeout, by the punctuator while the device is silent, else by
    the reading that ends the gap."""

    def __init__(self):
        self.devices = {}  # device -> [last_seen, alerted, site]
        self.next = -1
        self.alerts = []

    def alert(self, device, state, now, still_silent):
        self.alerts.append({"type": "device_silent", "device_id": device, "site": state[2], "ts": now,
                            "value": now - state[0], "threshold": SILENCE_TIMEOUT, "last_seen": state[0],
                            "still_silent": still_silent})

    def process(self, v):
        s = self.devices.get(v["device_id"])
        if s is not None:
            if v["ts"] <= s[0]:
                return
            if not s[1] and v["ts"] - s[0] > SILENCE_TIMEOUT:
                self.alert(v["device_id"], s, v["ts"], False)
        self.devices[v["device_id"]] = [v["ts"], False, v["site"]]

    def punctuate(self, now):
        if now < 0:
            return
        if self.next < 0:
            self.next = now + SILENCE_INTERVAL
        if now < self.next:
            return
        for device in sorted(self.devices):
            s = self.devices[device]
            if not s[1] and now - s[0] > SILENCE_TIMEOUT:
                self.alert(device, s, now, True)
                s[1] = True
        self.next = now + SILENCE_INTERVAL - (now - self.next) % SILENCE_INTERVAL


def minute_windows(readings, key_of, stream_times):
    """(key, window start) -> readings not late: stream_times[i] is the
    task's stream time after reading i arrived."""
    out = defaultdict(list)
    for v, st in zip(readings, stream_times):
        start = v["ts"] - v["ts"] % MINUTE
        if start + MINUTE + GRACE <= st:
            continue
        out[(key_of(v), start)].append(v)
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--input", required=True)
    p.add_argument("--sentinels", required=True)
    p.add_argument("--outputs")
    p.add_argument("--count-processed", action="store_true",
                   help="print how many records the worker processes: the input plus what the repartitions read back")
    args = p.parse_args()
    out = args.outputs

    # ---- the source task: stream time moves with every reading whose ts
    # reads (invalid ones too); the silence punctuator runs after each record.
    valid, source_times, bad = [], [], []
    silence = Silence()
    stream_time = -1
    for rec in list(read_lines(args.input)) + list(read_lines(args.sentinels)):
        value = rec["value"]
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                value = None
        why = source_error(value)
        if why is None:
            stream_time = max(stream_time, value["ts"])
            why = validation_error(value)
            if why is None:
                valid.append(value)
                source_times.append(stream_time)
                silence.process(value)
            else:
                bad.append(f"validate: {why}")
        else:
            bad.append(why)
        silence.punctuate(stream_time)
    final_source_time = stream_time
    if args.count_processed:  # the input, plus the valid records repartitioned (site statistics by site)
        print(len(valid) + len(bad) + len(valid))
        return
    if not args.outputs:
        p.error("--outputs is required")

    # ---- DLQ
    dlq = read_output(out, "dlq")
    if len(dlq) != len(bad):
        problems.append(f"dlq: {len(dlq)} records, expected {len(bad)}")
    expected_reasons = defaultdict(int)
    for why in bad:
        if why.startswith("validate: "):
            expected_reasons[why] += 1
    got_reasons = defaultdict(int)
    for _, _, error in dlq:
        if error.startswith("validate: "):
            got_reasons[error.split(" (")[0]] += 1
    if got_reasons != expected_reasons:
        problems.append(f"dlq reasons: got {dict(got_reasons)} expected {dict(expected_reasons)}")

    # ---- 4a. device statistics (source task)
    expected_dev = {}
    for (device, start), rs in minute_windows(valid, lambda v: v["device_id"], source_times).items():
        if start + MINUTE + GRACE > final_source_time:
            continue  # still open (the sentinel's)
        temps, hums = [r["temp_c"] for r in rs], [r["humidity"] for r in rs]
        latest = max(range(len(rs)), key=lambda i: (rs[i]["ts"], i))  # ties: the later arrival
        expected_dev[(device, start)] = {
            "device_id": device, "site": rs[-1]["site"], "minute_start": start, "minute_end": start + MINUTE,
            "readings": len(rs), "temp_avg": sum(temps) / len(rs), "temp_min": min(temps), "temp_max": max(temps),
            "humidity_avg": sum(hums) / len(rs), "humidity_min": min(hums), "humidity_max": max(hums),
            "battery_last": rs[latest]["battery"]}
    got_dev = {}
    for key, value, _ in read_output(out, "device_stats.1m"):
        v = json.loads(value)
        if key != v["device_id"]:
            problems.append(f"device_stats.1m: key {key} for {v['device_id']}")
        got_dev[(v["device_id"], v["minute_start"])] = v
    n_dev = compare("device_stats.1m", expected_dev, got_dev, approx={"temp_avg", "humidity_avg"})

    # ---- 4b. site statistics (repartitioned by site: one task whose stream
    # time moves with valid readings only)
    site_times, st = [], -1
    for v in valid:
        st = max(st, v["ts"])
        site_times.append(st)
    expected_site = {}
    for (site, start), rs in minute_windows(valid, lambda v: v["site"], site_times).items():
        if start + MINUTE + GRACE > st:
            continue
        n = len(rs)
        expected_site[(site, start)] = {
            "site": site, "minute_start": start, "minute_end": start + MINUTE, "readings": n,
            "temp_avg": sum(r["temp_c"] for r in rs) / n, "humidity_avg": sum(r["humidity"] for r in rs) / n,
            "battery_avg": sum(r["battery"] for r in rs) / n}
    got_site = {}
    for key, value, _ in read_output(out, "site_stats.1m"):
        v = json.loads(value)
        if key != v["site"]:
            problems.append(f"site_stats.1m: key {key} for {v['site']}")
        got_site[(v["site"], v["minute_start"])] = v
    n_site = compare("site_stats.1m", expected_site, got_site, approx={"temp_avg", "humidity_avg", "battery_avg"})

    # ---- 5. alerts: a condition's start per device (arrival order), and silences
    expected_alerts = {}
    active = defaultdict(dict)
    for v in valid:
        conditions = {
            "low_battery": (v["battery"] < LOW_BATTERY, "battery", LOW_BATTERY),
            "temperature_out_of_range": (not TEMP_RANGE[0] <= v["temp_c"] <= TEMP_RANGE[1], "temp_c",
                                         TEMP_RANGE[0] if v["temp_c"] < TEMP_RANGE[0] else TEMP_RANGE[1]),
            "weak_signal": (is_number(v.get("signal_strength")) and v["signal_strength"] < WEAK_SIGNAL,
                            "signal_strength", WEAK_SIGNAL),
        }
        for kind, (now, field, threshold) in conditions.items():
            if now and not active[v["device_id"]].get(kind):
                expected_alerts[(kind, v["device_id"], v["ts"])] = {
                    "type": kind, "device_id": v["device_id"], "site": v["site"], "ts": v["ts"], "value": v[field],
                    "threshold": threshold}
            active[v["device_id"]][kind] = now
    for a in silence.alerts:
        expected_alerts[(a["type"], a["device_id"], a["ts"])] = a
    got_alerts = {}
    for key, value, _ in read_output(out, "alerts"):
        v = json.loads(value)
        if key != v["device_id"]:
            problems.append(f"alerts: key {key} for {v['device_id']}")
        got_alerts[(v["type"], v["device_id"], v["ts"])] = v
    n_alerts = compare("alerts", expected_alerts, got_alerts)
    kinds = defaultdict(int)
    for kind, _, _ in got_alerts:
        kinds[kind] += 1
    for kind in ("low_battery", "temperature_out_of_range", "weak_signal", "device_silent"):
        if kinds[kind] == 0:
            problems.append(f"alerts: no {kind} alert: the test data should provoke every kind")

    print(f"input: {len(valid)} valid readings (sentinel included), {len(bad)} bad; "
          f"checked: {n_dev} device minutes, {n_site} site minutes, {n_alerts} alerts {dict(kinds)}, "
          f"{len(dlq)} dead letters")
    for line in problems[:40]:
        print("MISMATCH", line)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
