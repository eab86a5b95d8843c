#!/usr/bin/env python3
"""Writes N sample orders for topologies/example.yaml as `key<TAB>json` lines
(kcat -K '\t' input). Deterministic for a seed; every 97th record is broken."""
import json
import random
import sys
from datetime import datetime, timezone

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 42)
countries = ["DE", "FR", "US", "ES", None]
base = 1714557600000
for i in range(n):
    key = f"o-{i}"
    if i % 97 == 96:
        print(f"{key}\t{{\"order_id\": \"{key}\", \"amount\": ")  # malformed on purpose
        continue
    country = rng.choice(countries)
    customer = {"id": f"c-{rng.randrange(50)}"}
    if country:
        customer["country"] = country
    items = [{"sku": rng.choice("ABCDEFG"), "qty": rng.randrange(1, 4)} for _ in range(rng.randrange(0, 3))]
    ms = base + i * 250
    order = {
        "order_id": key,
        "customer": customer,
        "amount": round(rng.uniform(-20, 900), 2),
        "quantity": rng.randrange(0, 5),
        "items": items,
        "event_time": datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        "debug": i % 3 == 0,
        "meta": {"trace": f"t{i}", "source": "web"},
    }
    print(f"{key}\t{json.dumps(order, separators=(',', ':'))}")
