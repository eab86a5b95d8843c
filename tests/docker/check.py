#!/usr/bin/env python3
"""Static checks of docker/ (no Docker engine here to run it):

- docker/compose.yaml loads as `docker compose` would load it (compose-go);
- what its streamapp services run is accepted by this build's stream-app:
  the topology validates, the generator's options generate, every `--set`
  setting is a documented one, and the topics service creates every topic
  the topology reads or writes (with the partitions it declares);
- Prometheus scrapes every worker on the port its http.port says;
- the Grafana dashboard is valid JSON whose queries use metric families the
  worker exports (docs/operations.md lists them);
- the runtime image copies files that exist, and (--image-libraries, for a
  binary built like the image's: Release, no sanitizers) installs the
  package of every shared library stream-app links.

  check.py --stream-app PATH --composecheck PATH [--image-libraries]
"""
import argparse
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"
# In debian:bookworm-slim already (essential or required by apt).
BASE_IMAGE_PACKAGES = {"libc6", "libgcc-s1", "libstdc++6"}

problems = []


def problem(text):
    problems.append(text)


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, **kw)


def documented_settings():
    doc = (ROOT / "docs/configuration.md").read_text()
    return set(re.findall(r"\n\| `([a-z.]+)` \|", doc))


def documented_metric_families():
    path = ROOT / "docs/operations.md"
    if not path.exists():
        return set()
    doc = path.read_text()
    # The metrics table: "| `family` | counter |", names without the prefix.
    return {"streamapp_" + f for f in re.findall(r"\n\| `([a-z0-9_]+)` \| (?:counter|gauge|histogram) \|", doc)}


def load_services(composecheck):
    out = run([composecheck, str(DOCKER / "compose.yaml")])
    if out.returncode != 0:
        problem(f"compose.yaml does not load: {out.stderr.strip()}")
        return {}
    services = {}
    for line in out.stdout.splitlines():
        name, image, command = line.split("\t")
        services[name] = (image, command)
    return services


def in_image(path):
    """/opt/streamapp/X -> the repository file the Dockerfile copies there."""
    return ROOT / path.replace("/opt/streamapp/", "", 1)


def check_worker(name, args, app, settings):
    topology = args[args.index("--topology") + 1]
    local = in_image(topology)
    res = run([app, "validate", str(local)])
    if res.returncode != 0:
        problem(f"{name}: {topology} does not validate: {res.stdout}{res.stderr}")
    sets = [args[i + 1] for i, a in enumerate(args) if a == "--set"]
    known = documented_settings()
    port = None
    for kv in sets:
        key, _, value = kv.partition("=")
        if key not in known and not key.startswith("kafka."):
            problem(f"{name}: --set {key} is not a documented setting")
        if key == "http.port":
            port = value
    if port is None:
        problem(f"{name}: no --set http.port, Prometheus cannot scrape it")
    settings[name] = port
    return local


def check_generator(name, args, app):
    opts = [a for a in args if a]
    i = opts.index("--bootstrap-servers")
    del opts[i:i + 2]
    res = run([app] + opts + ["--count", "100", "--dump", "/dev/null"], timeout=60)
    if res.returncode != 0:
        problem(f"{name}: `{' '.join(args)}` is refused: {res.stdout}{res.stderr}")


def check_topics(command, topology):
    spec = yaml.safe_load(topology.read_text())
    created = {}
    for part in command.split("&&"):
        words = shlex.split(part)
        if words[:3] != ["stream-app", "topics", "create"]:
            problem(f"topics: unexpected command {part!r}")
            continue
        partitions = int(words[words.index("-p") + 1]) if "-p" in words else 1
        for w in words[3:]:
            if w.startswith("-"):
                break
            created[w] = partitions
    for kind in ("streams", "tables"):
        for name, s in (spec.get(kind) or {}).items():
            topic = s.get("topic")
            if topic not in created:
                problem(f"topics: {kind} {name} reads {topic}, which is not created")
            elif "partitions" in s and created[topic] != s["partitions"]:
                problem(f"topics: {topic} created with {created[topic]} partitions, the topology declares "
                        f"{s['partitions']}")
    sinks = set(re.findall(r"^\s*- to: ([A-Za-z0-9._-]+)\s*$", topology.read_text(), re.M))
    for sink in sinks - set(created):
        problem(f"topics: sink topic {sink} is not created")


def check_prometheus(workers):
    config = yaml.safe_load((DOCKER / "prometheus/prometheus.yml").read_text())
    targets = set()
    for job in config["scrape_configs"]:
        for sc in job.get("static_configs", []):
            targets.update(sc["targets"])
    for name, port in workers.items():
        if port and f"{name}:{port}" not in targets:
            problem(f"prometheus: worker {name} (port {port}) is not scraped; targets {sorted(targets)}")


def check_dashboard():
    families = documented_metric_families()
    if not families:
        problem("docs/operations.md lists no metric families")
        return
    dashboards = list((DOCKER / "grafana/dashboards").glob("*.json"))
    if not dashboards:
        problem("no Grafana dashboard in docker/grafana/dashboards")
    for path in dashboards:
        board = json.loads(path.read_text())
        exprs = [t["expr"] for p in board.get("panels", []) for t in p.get("targets", [])]
        if not exprs:
            problem(f"{path.name}: no queries")
        for e in exprs:
            for metric in re.findall(r"streamapp_[a-z0-9_]+", e):
                base = re.sub(r"_(bucket|sum|count)$", "", metric)
                if metric not in families and base not in families:
                    problem(f"{path.name}: query uses {metric}, which the worker does not export: {e}")


def check_dockerfile(app, libraries):
    text = (DOCKER / "Dockerfile").read_text()
    runtime = text[text.rindex("FROM "):]
    for src in re.findall(r"COPY --from=build /src/(\S+)", runtime):
        if not (ROOT / src).exists():
            problem(f"Dockerfile: copies /src/{src}, which does not exist")
    if not libraries:
        return
    installed = set(re.findall(r"\b(lib[a-z0-9.+-]+|zlib1g)\b", runtime))
    libs = run(["ldd", app]).stdout
    for line in libs.splitlines():
        m = re.search(r"=> (/\S+)", line)
        if not m:
            continue
        real = run(["readlink", "-f", m.group(1)]).stdout.strip()
        # Merged /usr: dpkg knows a library by the path its package ships.
        candidates = []
        for path in (m.group(1), real):
            candidates += [path, path.replace("/usr/lib/", "/lib/", 1), path.replace("/lib/", "/usr/lib/", 1)]
        owner = next((o for o in (run(["dpkg", "-S", c]) for c in candidates) if o.returncode == 0), None)
        if owner is None:
            problem(f"Dockerfile: no Debian package owns {real}")
            continue
        package = owner.stdout.split(":")[0]
        if package not in installed and package not in BASE_IMAGE_PACKAGES:
            problem(f"Dockerfile: stream-app links {real} from {package}, which the runtime stage does not install")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stream-app", required=True)
    ap.add_argument("--composecheck", required=True)
    ap.add_argument("--image-libraries", action="store_true",
                    help="compare the runtime stage's packages with the binary's shared libraries")
    a = ap.parse_args()
    services = load_services(a.composecheck)
    workers = {}
    topologies = set()
    for name, (image, command) in services.items():
        if not image.startswith("streamapp"):
            continue
        args = command.split(" ")
        if args[0] == "run":
            topologies.add(check_worker(name, args, a.stream_app, workers))
        elif args[0] == "generate":
            check_generator(name, args, a.stream_app)
    if "topics" in services:
        for t in topologies:
            check_topics(services["topics"][1], t)
    else:
        problem("compose.yaml has no topics service")
    if len(workers) < 3:
        problem(f"compose.yaml runs {len(workers)} workers, expected 3")
    check_prometheus(workers)
    check_dashboard()
    check_dockerfile(a.stream_app, a.image_libraries)
    print(f"checked {len(services)} services, {len(workers)} workers, topologies {sorted(t.name for t in topologies)}; "
          + ("runtime libraries compared with ldd" if a.image_libraries
             else "runtime libraries not compared (a binary not built like the image's)"))
    for p in problems:
        print("PROBLEM", p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
