#!/usr/bin/env python3
"""Checks what topologies/sales.yaml wrote against values computed here,
directly from the generated input (a `stream-app generate --dump` file plus
the sentinel orders the test appended), independently of the C++ code.

  sales_check.py --input DUMP --sentinels FILE --outputs DIR [--late-dropped N]
  sales_check.py --input DUMP --sentinels FILE --print-processed

The input topic has one partition, so every task of the topology sees the
orders in dump order and everything is determined: stream time of the
windowed steps is the largest timestamp of the valid orders so far, and a
late order is dropped by a window step when every window it belongs to has
closed (end + grace <= stream time), as the engine's rule says.

DIR holds one file per output topic (orders.bronze, client_stats, ...; dlq),
one record per line: key TAB value (TAB streamapp.error for the dlq). Prints
a report; exit status 1 on any mismatch. --print-processed prints how many
records the worker processes in all (inputs plus repartitioned records), so
the test knows when it is done."""
import argparse
import calendar
import json
import sys
import time
from collections import defaultdict

HOUR, DAY = 3_600_000, 86_400_000
GRACE = 10 * 60_000
SEGMENTS = [(2000, "gold"), (500, "silver")]  # else bronze
LOYAL_ORDERS, LOYAL_SIZE, LOYAL_ADVANCE = 3, 7 * DAY, DAY
TOP_N = 5
REL = 1e-9
TEXT_FIELDS = ("order_id", "client_id", "country", "category", "product")
problems = []


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def close(a, b):
    if not (is_number(a) and is_number(b)):
        return a == b
    return abs(a - b) <= REL * max(1.0, abs(b))


def same(a, b):
    """JSON values equal, numbers by value within REL."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return close(a, b)


def timestamp_of(value):
    """The source's `timestamp: {field: event_time}`: epoch ms or an ISO-8601 string; None: error."""
    t = value.get("event_time")
    if isinstance(t, bool):
        return None
    if isinstance(t, int):
        return t
    if isinstance(t, float):
        return int(t)
    if isinstance(t, str):
        try:
            return calendar.timegm(time.strptime(t[:19], "%Y-%m-%dT%H:%M:%S")) * 1000
        except ValueError:
            return None
    return None


RULES = [
    "order_id, client_id, country, category and product are required strings (length(order_id) > 0 and "
    "length(client_id) > 0 and length(country) > 0 and length(category) > 0 and length(product) > 0)",
    "quantity must be a positive integer (type_of(quantity) == 'int' and quantity > 0)",
    "unit_price must be positive (unit_price > 0)",
    "amount must be quantity x unit_price within a cent (abs(amount - quantity * unit_price) <= 0.01)",
    "event_time is required (event_time > 0)",
]


def failed_rule(v):
    """(index of the first validate rule the order fails, whether it failed
    by an evaluation error), or None. A null compares false (and `and`
    stops there); a string where a number is needed, or length() of a
    number, is an error: both fail the rule, an error adds its message."""
    for f in TEXT_FIELDS:
        x = v.get(f)
        if not isinstance(x, str) or len(x) == 0:
            return 0, x is not None and not isinstance(x, str)
    q = v.get("quantity")
    if not (isinstance(q, int) and not isinstance(q, bool) and q > 0):
        return 1, False  # type_of() is checked first: no error
    p = v.get("unit_price")
    if not (is_number(p) and p > 0):
        return 2, p is not None and not is_number(p)
    a = v.get("amount")
    if not (is_number(a) and abs(a - q * p) <= 0.01):
        return 3, a is not None and not is_number(a)
    if not v["event_time"] > 0:
        return 4, False
    return None


def read_input(path):
    """(key, text of the value, timestamp) per line of a dump."""
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            v = r.get("value")
            yield r.get("key"), v if isinstance(v, str) else json.dumps(v), r.get("timestamp")


def read_output(directory, name, parse=True):
    rows = []
    with open(f"{directory}/{name}") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            rows.append((parts[0], json.loads(parts[1]) if parse and parts[1] else parts[1], *parts[2:]))
    return rows


def by_key(rows):
    out = defaultdict(list)
    for key, value, *_ in rows:
        out[key].append(value)
    return out


def subsequence(actual, expected):
    it = iter(expected)
    return all(any(same(a, e) for e in it) for a in actual)


def compare_sequences(name, expected, actual, compacted=False):
    """Per key, the exact sequence of values; from a compacted topic, whose
    log cleaner may already have removed older values of a key, a
    subsequence of it that ends with the key's latest value."""
    if set(expected) != set(actual):
        problems.append(f"{name}: keys differ: {len(set(expected) - set(actual))} missing, "
                        f"{len(set(actual) - set(expected))} unexpected")
    bad = 0
    for key in set(expected) & set(actual):
        e, a = expected[key], actual[key]
        if compacted:
            wrong = not a or not same(a[-1], e[-1]) or not subsequence(a, e)
        else:
            wrong = len(e) != len(a) or not all(same(x, y) for x, y in zip(a, e))
        if wrong:
            bad += 1
            if bad <= 3:
                problems.append(f"{name} {key}: expected {e[:4]}... ({len(e)}), got {a[:4]}... ({len(a)})")
    if bad:
        problems.append(f"{name}: {bad} keys differ")
    return sum(len(v) for v in actual.values())


class Windows:
    """Tumbling/hopping windows of one grouping under the engine's rules."""

    def __init__(self, size, advance):
        self.size, self.advance = size, advance
        self.open = {}  # (key, start) -> aggregate
        self.late = 0

    def add(self, key, ts, st, fold, initial):
        """Folds the record into its open windows (start order); returns the
        (start, aggregate) of each window updated."""
        updated = []
        start = max(0, ts - self.size + self.advance) // self.advance * self.advance
        while start <= ts:
            if start + self.size > st - GRACE:  # not closed
                agg = self.open.get((key, start), initial)
                self.open[(key, start)] = agg = fold(agg)
                updated.append((start, agg))
            start += self.advance
        if not updated:
            self.late += 1
        return updated

    def closed(self, st):
        return {k: v for k, v in self.open.items() if k[1] + self.size <= st - GRACE}


def simulate(args):
    records = list(read_input(args.input)) + list(read_input(args.sentinels))
    exp = {"bronze": {}, "dlq": {}, "client_stats": defaultdict(list), "segments": defaultdict(list),
           "loyal": defaultdict(list)}
    stats, segment = {}, {}
    country = Windows(HOUR, HOUR)
    category = Windows(DAY, DAY)
    client_hour = Windows(HOUR, HOUR)
    loyalty = Windows(LOYAL_SIZE, LOYAL_ADVANCE)
    st = -1
    valid = 0
    for key, text, _ in records:
        try:
            v = json.loads(text)
        except ValueError:
            exp["dlq"][key] = None  # deserialization error at the source
            continue
        ts = timestamp_of(v) if isinstance(v, dict) else None
        if ts is None:
            exp["dlq"][key] = None  # timestamp error at the source
            continue
        failed = failed_rule(v)
        if failed is not None:
            rule, errored = failed
            # An evaluation error is added inside the parentheses: "(CHECK: message)".
            exp["dlq"][key] = ("validate: " + RULES[rule][:-1] + ": ", True) if errored else \
                ("validate: " + RULES[rule], False)
            continue
        valid += 1
        st = max(st, ts)
        exp["bronze"][key] = dict(v, event_date=time.strftime("%Y-%m-%d", time.gmtime(ts // 1000)))
        c, amount = v["client_id"], v["amount"]
        s = stats.get(c, {"revenue": 0, "orders": 0, "first_purchase": None, "last_purchase": None})
        revenue, orders = s["revenue"] + amount, s["orders"] + 1
        s = {"client_id": c, "client_name": v.get("client_name"), "revenue": revenue, "orders": orders,
             "avg_basket": revenue / orders,
             "first_purchase": ts if s["first_purchase"] is None else min(s["first_purchase"], ts),
             "last_purchase": ts if s["last_purchase"] is None else max(s["last_purchase"], ts)}
        stats[c] = s
        exp["client_stats"][c].append(s)
        seg = next((name for limit, name in SEGMENTS if revenue >= limit), "bronze")
        if segment.get(c) != seg:
            segment[c] = seg
            exp["segments"][c].append({"client_id": c, "segment": seg, "lifetime_spend": revenue, "orders": orders})
        add = lambda agg: {"revenue": agg["revenue"] + amount, "orders": agg["orders"] + 1}  # noqa: E731
        country.add(v["country"], ts, st, add, {"revenue": 0, "orders": 0})
        category.add(v["category"], ts, st, add, {"revenue": 0, "orders": 0})
        client_hour.add(c, ts, st, lambda agg: agg + amount, 0)
        # Loyalty windows keep [count, largest timestamp] (the update's timestamp).
        updates = loyalty.add(c, ts, st, lambda agg: [agg[0] + 1, max(agg[1], ts)], [0, -1])
        first = next(((start, agg) for start, agg in updates if agg[0] >= LOYAL_ORDERS), None)
        if first is not None and not exp["loyal"][c]:
            start, (count, latest) = first
            exp["loyal"][c].append({"client_id": c, "orders": count, "window_start": start,
                                    "window_end": start + LOYAL_SIZE, "flagged_at": latest})
    exp["loyal"] = {k: v for k, v in exp["loyal"].items() if v}
    exp["country"] = {k: dict(agg, country=k[0], window_start=k[1], window_end=k[1] + HOUR)
                      for k, agg in country.closed(st).items()}
    exp["category"] = {k: dict(agg, category=k[0], window_start=k[1], window_end=k[1] + DAY)
                       for k, agg in category.closed(st).items()}
    hours = defaultdict(dict)
    for (c, start), revenue in client_hour.closed(st).items():
        hours[start][c] = revenue
    exp["hours"] = hours
    exp["late"] = country.late + category.late + client_hour.late + loyalty.late
    # Every input record once, each valid order through the five groupBy
    # repartitions, each closed client-hour through the top_n repartition.
    exp["processed"] = len(records) + 5 * valid + sum(len(h) for h in hours.values())
    exp["valid"] = valid
    return exp


def top_of(scores):
    return sorted(scores.items(), key=lambda m: (-m[1], json.dumps(m[0])))[:TOP_N]


def check_top(actual_rows, hours):
    """Per hour (key: its start), the lists top_n emitted as the hour's
    client revenues arrived. Their order among one hour's clients is the
    engine's, so each list must follow from the previous one by adding one
    client with its exact final revenue, and the last must be the top 5 of
    all the hour's clients."""
    actual = by_key(actual_rows)
    if set(actual) != {str(h) for h in hours}:
        problems.append(f"top_clients: hours differ: {len(hours)} expected, {len(actual)} emitted")
    for key, lists in actual.items():
        start = int(key)
        scores = hours.get(start, {})
        previous = []
        for value in lists:
            if value.get("window_start") != start:
                problems.append(f"top_clients {key}: window_start {value.get('window_start')}")
            top = [(m["id"], m["score"]) for m in value["top"]]
            new = [m for m in top if m[0] not in dict(previous)]
            if (len(new) != 1 or not close(new[0][1], scores.get(new[0][0])) or
                    [m[0] for m in top] != [m[0] for m in top_of(dict(previous + new))]):
                problems.append(f"top_clients {key}: {top} does not follow from {previous}")
                break
            previous = top
        expected = top_of(scores)
        if [m[0] for m in previous] != [m[0] for m in expected] or \
                not all(close(a[1], e[1]) for a, e in zip(previous, expected)):
            problems.append(f"top_clients {key}: last list {previous} != {expected}")
    return sum(len(v) for v in actual.values())


def check_windows(name, expected, rows, key_field):
    actual = {}
    for key, value, *_ in rows:
        k = (key, value["window_start"])
        if k in actual:
            problems.append(f"{name}: window {k} emitted twice")
        actual[k] = value
    if set(actual) != set(expected):
        problems.append(f"{name}: {len(set(expected) - set(actual))} expected windows missing, "
                        f"{len(set(actual) - set(expected))} unexpected")
    for k in set(actual) & set(expected):
        if not same(actual[k], expected[k]):
            problems.append(f"{name} {k}: {actual[k]} != {expected[k]}")
    return len(actual)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--input", required=True)
    p.add_argument("--sentinels", required=True)
    p.add_argument("--outputs")
    p.add_argument("--late-dropped", type=int)
    p.add_argument("--print-processed", action="store_true")
    args = p.parse_args()
    exp = simulate(args)
    if args.print_processed:
        print(exp["processed"])
        return 0
    out = args.outputs

    bronze = {k: v for k, v, *_ in read_output(out, "orders.bronze")}
    n_bronze = len(read_output(out, "orders.bronze"))
    if n_bronze != len(bronze) or set(bronze) != set(exp["bronze"]):
        problems.append(f"bronze: {n_bronze} records, {len(set(exp['bronze']) - set(bronze))} missing, "
                        f"{len(set(bronze) - set(exp['bronze']))} unexpected")
    for k in set(bronze) & set(exp["bronze"]):
        if not same(bronze[k], exp["bronze"][k]):
            problems.append(f"bronze {k}: {bronze[k]} != {exp['bronze'][k]}")

    dlq_rows = read_output(out, "dlq", parse=False)  # the original bytes, maybe not JSON
    dlq = {}
    for row in dlq_rows:
        dlq[row[0]] = row[2] if len(row) > 2 else ""
    if len(dlq_rows) != len(dlq) or set(dlq) != set(exp["dlq"]):
        problems.append(f"dlq: {len(dlq_rows)} records, {len(set(exp['dlq']) - set(dlq))} missing, "
                        f"{len(set(dlq) - set(exp['dlq']))} unexpected")
    for k in set(dlq) & set(exp["dlq"]):
        want = exp["dlq"][k]
        # Source errors (bad JSON, bad timestamp) carry the engine's text; validate errors the rule's,
        # plus the evaluation error's message when the check failed by one.
        if want is None:
            ok = dlq[k] and not dlq[k].startswith("validate:")
        else:
            ok = dlq[k].startswith(want[0]) if want[1] else dlq[k] == want[0]
        if not ok:
            problems.append(f"dlq {k}: error {dlq[k]!r}, expected {want or 'a source error'!r}")

    n_stats = compare_sequences("client_stats", exp["client_stats"], by_key(read_output(out, "client_stats")),
                                compacted=True)
    n_segments = compare_sequences("client_segments", exp["segments"], by_key(read_output(out, "client_segments")))
    n_loyal = compare_sequences("loyal_clients", exp["loyal"], by_key(read_output(out, "loyal_clients")))
    n_country = check_windows("country_revenue.1h", exp["country"], read_output(out, "country_revenue.1h"), "country")
    n_category = check_windows("category_revenue.1d", exp["category"], read_output(out, "category_revenue.1d"),
                               "category")
    n_top = check_top(read_output(out, "top_clients.1h"), exp["hours"])
    if args.late_dropped is not None and args.late_dropped != exp["late"]:
        problems.append(f"late-dropped {args.late_dropped} != {exp['late']}")

    segments_seen = defaultdict(int)
    for seq in exp["segments"].values():
        for s in seq:
            segments_seen[s["segment"]] += 1
    print(f"valid orders {exp['valid']}, bronze {len(bronze)}, dlq {len(dlq)}, client_stats {n_stats}, "
          f"segments {n_segments} {dict(segments_seen)}, loyal clients {n_loyal}, country hours {n_country}, "
          f"category days {n_category}, top lists {n_top} for {len(exp['hours'])} hours, late dropped {exp['late']}")
    for line in problems[:40]:
        print("PROBLEM:", line)
    print("OK" if not problems else f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
