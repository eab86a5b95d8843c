#!/usr/bin/env python3
"""Runs the side-by-side benchmark (bench/README.md) and writes the report.

Every workload is loaded once into fresh input topics; then each system
(raw librdkafka pipe, Kafka Streams, streamapp) processes it to the end under
each guarantee, with a fresh application id and output topic per run.
`bench-tool watch` measures throughput, CPU and peak RSS from outside the
process; `bench-tool verify` checks the output. A second pass feeds fresh
topics at half the lowest throughput of the three systems and measures the
end-to-end latency.
"""
import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SYSTEMS = ["pipe", "kstreams", "streamapp"]
SYSTEM_NAMES = {"pipe": "raw librdkafka pipe", "kstreams": "Kafka Streams 3.9.1", "streamapp": "streamapp"}
WORKLOADS = ["stateless", "count", "join"]
GUARANTEES = ["alos", "eos"]
PARTITIONS = 6


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--smoke", action="store_true", help="small run: correctness of every system, no figures")
    p.add_argument("--out", default=os.path.join(ROOT, "bench", "results"), help="report and logs directory")
    p.add_argument("--bootstrap", help="use this broker instead of starting one")
    p.add_argument("--stream-app", required=True)
    p.add_argument("--bench-tool", required=True)
    p.add_argument("--kstreams-classpath", required=True)
    p.add_argument("--workloads", default=",".join(WORKLOADS))
    p.add_argument("--systems", default=",".join(SYSTEMS))
    p.add_argument("--guarantees", default=",".join(GUARANTEES))
    p.add_argument("--stateless-records", type=int, default=5_000_000)
    p.add_argument("--stateful-records", type=int, default=1_000_000)
    p.add_argument("--latency-seconds", type=int, default=20)
    p.add_argument("--latency-warmup-seconds", type=int, default=10)
    p.add_argument("--commit-interval-ms", type=int, default=100)
    p.add_argument("--run-timeout-s", type=int, default=1800)
    a = p.parse_args()
    if a.smoke:
        a.stateless_records, a.stateful_records = 20_000, 20_000
        a.latency_seconds, a.latency_warmup_seconds = 4, 8
    return a


def run_json(cmd, check=True):
    """Runs a bench-tool subcommand; returns the JSON object of its last stdout line."""
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = [ln for ln in r.stdout.splitlines() if ln.strip()]
    if not lines:
        raise RuntimeError(f"{' '.join(cmd)} exited {r.returncode} without output: {r.stderr.strip()[-2000:]}")
    out = json.loads(lines[-1])
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {r.returncode}: {lines[-1]} {r.stderr.strip()[-2000:]}")
    return out, r.returncode


class Bench:
    def __init__(self, a):
        self.a = a
        self.run_id = time.strftime("%Y%m%d%H%M%S")
        self.logs = os.path.join(a.out, "logs")
        os.makedirs(self.logs, exist_ok=True)
        self.broker_dir = None
        self.bootstrap = a.bootstrap
        if not self.bootstrap and os.environ.get("STREAMAPP_BOOTSTRAP_FILE"):  # the test suite's broker
            with open(os.environ["STREAMAPP_BOOTSTRAP_FILE"]) as f:
                self.bootstrap = f.read().strip()
        self.results = []
        self.errors = []
        self.floor = None

    # --- broker and topics -------------------------------------------------
    def start_broker(self):
        if self.bootstrap:
            return
        self.broker_dir = os.path.join(self.a.out, "broker")
        subprocess.run(["rm", "-rf", self.broker_dir], check=True)
        out = subprocess.run([os.path.join(ROOT, "scripts", "kafka-local.sh"), "start", "--port", "auto", "--dir",
                              self.broker_dir], check=True, stdout=subprocess.PIPE, text=True).stdout
        self.bootstrap = out.strip().splitlines()[-1]
        log(f"broker at {self.bootstrap}")

    def stop_broker(self):
        if self.broker_dir:
            port = self.bootstrap.rsplit(":", 1)[1]
            subprocess.run([os.path.join(ROOT, "scripts", "kafka-local.sh"), "stop", "--port", port, "--dir",
                            self.broker_dir], check=False)

    def create_topic(self, name, compact=False):
        cmd = [self.a.stream_app, "topics", "create", name, "-b", self.bootstrap, "-p", str(PARTITIONS)]
        if compact:
            cmd += ["-c", "cleanup.policy=compact"]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)

    def topic(self, *parts):
        return "-".join(["bench", self.run_id] + list(parts))

    def load(self, workload, records, first_index=0, topic=None, table=None):
        cmd = [self.a.bench_tool, "load", "--bootstrap", self.bootstrap, "--workload", workload, "--topic", topic,
               "--records", str(records), "--partitions", str(PARTITIONS), "--first-index", str(first_index)]
        if table:
            cmd += ["--table-topic", table]
        out, _ = run_json(cmd)
        log(f"loaded {records} {workload} records into {topic}: {out['records_per_s']:.0f} rec/s")

    # --- the systems -------------------------------------------------------
    def command(self, system, workload, guarantee, app_id, inp, table, out):
        if system == "pipe":
            return [self.a.bench_tool, "pipe", "--bootstrap", self.bootstrap, "--input", inp, "--output", out,
                    "--group", app_id, "--guarantee", guarantee, "--commit-interval-ms",
                    str(self.a.commit_interval_ms)]
        if system == "kstreams":
            cmd = ["java", "-cp", self.a.kstreams_classpath, "dev.streamapp.bench.StreamsBench", "--workload",
                   workload, "--bootstrap", self.bootstrap, "--app-id", app_id, "--input", inp, "--output", out,
                   "--guarantee", guarantee, "--commit-interval-ms", str(self.a.commit_interval_ms), "--state-dir",
                   os.path.join(self.a.out, "state", app_id)]
            return cmd + (["--table", table] if table else [])
        topology = self.topology(workload, app_id, inp, table, out)
        return [self.a.stream_app, "run", "-t", topology, "-b", self.bootstrap, "--application-id", app_id,
                "--state-dir", os.path.join(self.a.out, "state", app_id), "--log-level", "warn", "--set",
                "processing.guarantee=" + ("exactly_once_v2" if guarantee == "eos" else "at_least_once"), "--set",
                f"commit.interval.ms={self.a.commit_interval_ms}"]

    def topology(self, workload, app_id, inp, table, out):
        """The shipped YAML with this run's topic names."""
        with open(os.path.join(ROOT, "bench", "topologies", workload + ".yaml")) as f:
            text = f.read()
        text = text.replace("topic: bench-events", "topic: " + inp).replace("topic: bench-out", "topic: " + out)
        if table:
            text = text.replace("topic: bench-users", "topic: " + table)
        path = os.path.join(self.logs, app_id + ".yaml")
        with open(path, "w") as f:
            f.write(text)
        return path

    def start(self, cmd, name):
        logf = open(os.path.join(self.logs, name + ".log"), "w")
        logf.write(" ".join(cmd) + "\n")
        logf.flush()
        return subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT), logf

    def stop(self, proc, logf):
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        logf.close()
        return proc.returncode

    # --- one throughput run ------------------------------------------------
    def throughput(self, system, workload, guarantee, inputs, records):
        app_id = self.topic(workload, system, guarantee)
        out = app_id + "-out"
        self.create_topic(out)
        proc, logf = self.start(self.command(system, workload, guarantee, app_id, inputs[0], inputs[1], out), app_id)
        watch, watch_rc = run_json([self.a.bench_tool, "watch", "--bootstrap", self.bootstrap, "--group", app_id,
                                    "--topic", inputs[0], "--pid", str(proc.pid), "--timeout-s",
                                    str(self.a.run_timeout_s)], check=False)
        rc = self.stop(proc, logf)
        verify_workload = "copy" if system == "pipe" else workload
        verify_cmd = [self.a.bench_tool, "verify", "--bootstrap", self.bootstrap, "--workload", verify_workload,
                      "--output", out, "--records", str(records)]
        if guarantee == "eos":
            verify_cmd.append("--exactly-once")
        verify, _ = run_json(verify_cmd, check=False)
        result = {"system": system, "workload": workload, "guarantee": guarantee, "app_id": app_id,
                  "exit_code": rc, "watch_ok": watch_rc == 0, **watch, "verify": verify}
        log(f"{workload}/{guarantee}/{system}: {watch.get('records_per_s', 0):.0f} rec/s, "
            f"{watch.get('cpu_s_per_million', 0):.2f} CPU s/M, {watch.get('peak_rss_mb', 0):.0f} MB, "
            f"verify {'ok' if verify.get('ok') else 'FAILED'}")
        self.results.append(result)
        return result

    # --- one latency run ---------------------------------------------------
    def latency(self, system, workload, guarantee, table, rate):
        app_id = self.topic(workload, system, guarantee, "lat")
        inp, out = app_id + "-in", app_id + "-out"
        self.create_topic(inp)
        self.create_topic(out)
        proc, logf = self.start(self.command(system, workload, guarantee, app_id, inp, table, out), app_id)
        lat_workload = "copy" if system == "pipe" else workload
        lat, lat_rc = run_json([self.a.bench_tool, "latency", "--bootstrap", self.bootstrap, "--workload", lat_workload,
                                "--input", inp, "--output", out, "--rate", str(rate), "--seconds",
                                str(self.a.latency_seconds + self.a.latency_warmup_seconds), "--warmup-s",
                                str(self.a.latency_warmup_seconds)], check=False)
        alive = proc.poll() is None
        self.stop(proc, logf)
        lat["ok"] = lat_rc == 0 and alive and lat.get("samples", 0) > 0
        log(f"{workload}/{guarantee}/{system} at {rate} rec/s: p50 {lat.get('p50_ms')} ms, p99 {lat.get('p99_ms')} ms")
        for r in self.results:
            if (r["system"], r["workload"], r["guarantee"]) == (system, workload, guarantee):
                r["latency"] = lat
        return lat

    # --- everything --------------------------------------------------------
    def run(self):
        a = self.a
        systems, workloads, guarantees = a.systems.split(","), a.workloads.split(","), a.guarantees.split(",")
        self.start_broker()
        try:
            for workload in workloads:
                records = a.stateless_records if workload == "stateless" else a.stateful_records
                inp = self.topic(workload, "in")
                table = self.topic(workload, "users") if workload == "join" else None
                self.load(workload, records, topic=inp, table=table)
                for guarantee in guarantees:
                    for system in systems:
                        self.guarded(self.throughput, system, workload, guarantee, (inp, table), records)
                    done = [r for r in self.results if r["workload"] == workload and r["guarantee"] == guarantee]
                    rates = [r.get("records_per_s", 0) for r in done if r.get("records_per_s")]
                    rate = max(100, int(min(rates) / 2)) if rates and not a.smoke else 500
                    for system in systems:
                        self.guarded(self.latency, system, workload, guarantee, table, rate)
                    self.report(final=False)  # the report so far, should a later step fail
                if workload == workloads[0]:
                    self.guarded(self.latency_floor, rate)
        finally:
            self.stop_broker()
        return self.report()

    def guarded(self, step, *args):
        """Runs one measurement; a failure is recorded and the run goes on."""
        try:
            step(*args)
        except Exception as e:  # noqa: BLE001 - any failure of one step is reported, not fatal
            log(f"FAILED: {step.__name__}{args[:3]}: {e}")
            self.errors.append(f"{step.__name__}{args[:3]}: {e}")

    def latency_floor(self, rate):
        """What the broker and the latency tool add by themselves: records
        produced to a topic and read back from it, at the same rate."""
        topic = self.topic("floor")
        self.create_topic(topic)
        lat, rc = run_json([self.a.bench_tool, "latency", "--bootstrap", self.bootstrap, "--workload", "copy",
                            "--input", topic, "--output", topic, "--rate", str(rate), "--seconds",
                            str(self.a.latency_seconds + self.a.latency_warmup_seconds), "--warmup-s",
                            str(self.a.latency_warmup_seconds)], check=False)
        lat["ok"] = rc == 0
        self.floor = lat
        log(f"latency floor (tool -> broker -> tool) at {rate} rec/s: p50 {lat.get('p50_ms')} ms, "
            f"p99 {lat.get('p99_ms')} ms")

    def report(self, final=True):
        a = self.a
        report = {"run_id": self.run_id, "smoke": a.smoke, "machine": machine(), "settings": {
            "partitions": PARTITIONS, "stateless_records": a.stateless_records,
            "stateful_records": a.stateful_records, "commit_interval_ms": a.commit_interval_ms,
            "latency_seconds": a.latency_seconds, "latency_warmup_seconds": a.latency_warmup_seconds},
            "command": " ".join(sys.argv), "runs": self.results, "ratios": ratios(self.results),
            "latency_floor": self.floor, "errors": self.errors}
        with open(os.path.join(a.out, "report.json"), "w") as f:
            json.dump(report, f, indent=2)
        with open(os.path.join(a.out, "report.md"), "w") as f:
            f.write(markdown(report))
        if not final:
            return 0
        failed = [r for r in self.results if not (r["verify"].get("ok") and r["watch_ok"] and r.get("latency", {})
                                                  .get("ok"))]
        planned = len(a.systems.split(",")) * len(a.workloads.split(",")) * len(a.guarantees.split(","))
        if self.errors:
            return 1
        if len(self.results) != planned:
            log(f"FAILED: {len(self.results)} runs of {planned} planned")
            return 1
        for r in failed:
            log(f"FAILED: {r['workload']}/{r['guarantee']}/{r['system']}: watch_ok={r['watch_ok']} "
                f"verify={r['verify']} latency={r.get('latency')} (log: {self.logs}/{r['app_id']}.log)")
        log(f"report: {os.path.join(a.out, 'report.md')}")
        return 1 if failed else 0


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "kernel": platform.release(),
            "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)}


def find(results, system, workload, guarantee):
    return next((r for r in results if (r["system"], r["workload"], r["guarantee"]) == (system, workload,
                                                                                          guarantee)), None)


def ratios(results):
    out = []
    for workload in WORKLOADS:
        for guarantee in GUARANTEES:
            s, k, p = (find(results, x, workload, guarantee) for x in ("streamapp", "kstreams", "pipe"))
            if not s:
                continue
            row = {"workload": workload, "guarantee": guarantee}

            def div(x, y, field):
                return round(x[field] / y[field], 3) if x and y and x.get(field) and y.get(field) else None
            row["throughput_vs_kstreams"] = div(s, k, "records_per_s")
            row["throughput_vs_pipe"] = div(s, p, "records_per_s")
            row["cpu_per_record_vs_kstreams"] = div(s, k, "cpu_s_per_million")
            row["peak_rss_vs_kstreams"] = div(s, k, "peak_rss_mb")
            out.append(row)
    return out


def fmt(v, digits=0):
    return "–" if v is None else f"{v:,.{digits}f}"


def markdown(rep):
    m = rep["machine"]
    lines = [f"# Benchmark report {rep['run_id']}{' (smoke)' if rep['smoke'] else ''}", "",
             f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, Linux {m['kernel']}; one broker on "
             "the same machine.", "",
             f"Settings: {rep['settings']}", "", f"Command: `{rep['command']}`", ""]
    for workload in WORKLOADS:
        rows = [r for r in rep["runs"] if r["workload"] == workload]
        if not rows:
            continue
        lines += [f"## {workload}", "",
                  "| guarantee | system | records/s | CPU s per M records | peak RSS MB | latency p50 ms | "
                  "latency p99 ms | at rec/s | output |", "|---|---|---:|---:|---:|---:|---:|---:|---|"]
        for r in rows:
            lat = r.get("latency", {})
            v = r["verify"]
            verdict = "correct" if v.get("ok") else f"WRONG ({v})"
            lines.append(f"| {r['guarantee']} | {SYSTEM_NAMES[r['system']]} | {fmt(r.get('records_per_s'))} | "
                         f"{fmt(r.get('cpu_s_per_million'), 2)} | {fmt(r.get('peak_rss_mb'))} | "
                         f"{fmt(lat.get('p50_ms'), 1)} | {fmt(lat.get('p99_ms'), 1)} | {fmt(lat.get('rate'))} | "
                         f"{verdict} |")
        lines.append("")
    floor = rep.get("latency_floor")
    if floor:
        lines += [f"Latency floor (the latency tool producing to a topic and reading it back, no processor) at "
                  f"{fmt(floor.get('rate'))} rec/s: p50 {fmt(floor.get('p50_ms'), 1)} ms, "
                  f"p99 {fmt(floor.get('p99_ms'), 1)} ms.", ""]
    if rep.get("errors"):
        lines += ["Errors: " + "; ".join(rep["errors"]), ""]
    lines += ["## Ratios (streamapp / other)", "",
              "| workload | guarantee | throughput / Kafka Streams | throughput / raw pipe | "
              "CPU per record / Kafka Streams | peak RSS / Kafka Streams |", "|---|---|---:|---:|---:|---:|"]
    for r in rep["ratios"]:
        lines.append(f"| {r['workload']} | {r['guarantee']} | {fmt(r['throughput_vs_kstreams'], 2)} | "
                     f"{fmt(r['throughput_vs_pipe'], 2)} | {fmt(r['cpu_per_record_vs_kstreams'], 2)} | "
                     f"{fmt(r['peak_rss_vs_kstreams'], 2)} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(Bench(parse_args()).run())
