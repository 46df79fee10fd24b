#!/usr/bin/env python3
# Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
"""The side-by-side comparison (bench/compare/README.md): starts each server fresh per run,
pinned to one core with the load generator on the other, and writes a markdown table of medians
(with ratios to QtWebSockets and to raw TCP), a JSON file of every run, and the machine and
versions. `--smoke` runs each mode for a fraction of a second against the qtws server only and
fails unless every figure is non-zero and every echo was correct (the generator checks them)."""

import argparse
import datetime
import json
import os
import platform
import select
import signal
import statistics
import subprocess
import sys
import time

# figure: (title, generator arguments, result key, unit, higher is better)
FIGURES = [
    ("pingpong", "ping-pong 16 B, p50 µs", ["echo", "--conns", "1", "--window", "1", "--size", "16"], "p50_us", False),
    ("pingpong_p99", "ping-pong 16 B, p99 µs", None, "p99_us", False),
    ("pipe16", "pipelined 16 B, 16 conns × 64, msgs/s", ["echo", "--conns", "16", "--window", "64", "--size", "16"], "msgs_per_s", True),
    ("pipe1k", "pipelined 1 KiB, 16 conns × 64, msgs/s", ["echo", "--conns", "16", "--window", "64", "--size", "1024"], "msgs_per_s", True),
    ("pipe64k", "pipelined 64 KiB, 4 conns × 16, MB/s", ["echo", "--conns", "4", "--window", "16", "--size", "65536"], "mb_per_s", True),
    ("large", "1 MiB, 1 conn × 4 in flight, MB/s", ["echo", "--conns", "1", "--window", "4", "--size", "1048576"], "mb_per_s", True),
    ("large_p50", "1 MiB, p50 round trip, ms", None, "p50_ms", False),
    ("handshake", "handshakes/s, 8 concurrent", ["handshake", "--concurrency", "8"], "handshakes_per_s", True),
    ("idle", "idle server RSS per connection, KiB", ["idle", "--count", "2000"], "rss_per_conn_kib", False),
    ("idle_deflate", "idle RSS per connection, deflate offered, KiB", ["idle", "--count", "2000", "--deflate"], "rss_per_conn_kib", False),
]
# Figures derived from another figure's runs.
DERIVED = {"pingpong_p99": ("pingpong", "p99_us"), "large_p50": ("large", "p50_ms")}


def cpus():
    try:
        return sorted(os.sched_getaffinity(0))
    except AttributeError:
        return list(range(os.cpu_count() or 1))


def pinned(cpu, command):
    return ["taskset", "-c", str(cpu)] + command if cpu is not None else command


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def read_listening(process, timeout):
    """The PORT of the "listening on PORT" line a program prints once bound."""
    deadline = time.monotonic() + timeout
    line = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        chunk = os.read(process.stdout.fileno(), 1)
        if not chunk:
            break
        line += chunk
        if chunk == b"\n":
            text = line.decode(errors="replace").strip()
            if text.startswith("listening on "):
                return int(text.split()[-1])
            line = b""
    raise RuntimeError(f"{process.args} did not report its port within {timeout} s")


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_json(command, timeout):
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    lines = [l for l in result.stdout.decode(errors="replace").splitlines() if l.startswith("{")]
    data = json.loads(lines[-1]) if lines else {"error": "no output: " + result.stderr.decode(errors="replace")[-300:]}
    if result.returncode != 0 and "error" not in data:
        data["error"] = f"exit status {result.returncode}"
    return data


class Harness:
    def __init__(self, args):
        self.args = args
        self.cpus = cpus()
        self.server_cpu = self.cpus[0] if len(self.cpus) >= 2 else None
        self.gen_cpu = self.cpus[1] if len(self.cpus) >= 2 else None
        self.runs = []
        self.log = open(os.path.join(args.out_dir, "servers.log"), "ab")

    def binary(self, name):
        path = os.path.join(self.args.bin_dir, name)
        return path if os.access(path, os.X_OK) else None

    def servers(self):
        """name → (command, raw?)"""
        out = {}
        raw = self.binary("raw_echo")
        qt = self.binary("qt_echo")
        beast = self.binary("beast_echo")
        echo = self.args.echo_server
        workers = echo and "--workers" in subprocess.run([echo, "--help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT).stdout.decode()
        if not self.args.smoke:
            if raw:
                out["raw TCP echo"] = ([raw], True)
            if qt:
                out["QtWebSockets"] = ([qt], False)
            if beast:
                out["Boost.Beast"] = ([beast], False)
        if echo:
            if workers:
                out["qtws 1 worker"] = ([echo, "--workers", "1"], False)
                out["qtws 2 workers"] = ([echo, "--workers", "2"], False)
            else:
                out["qtws"] = ([echo], False)
        if self.args.servers:
            out = {k: v for k, v in out.items() if any(s in k for s in self.args.servers.split(","))}
        return out

    def one_run(self, server, command, raw, figure, gen_args, index):
        if raw and gen_args[0] == "idle" and "--deflate" in gen_args:
            return None
        # A server with 2 workers gets both cores (sharing the generator's): pinned to one it
        # could not use its second thread. Its figures say which side was the bottleneck
        # through server_cpu and gen_cpu in the JSON and the CPU row of the table.
        cpu = self.server_cpu
        if "--workers" in command and command[command.index("--workers") + 1] != "1" and self.server_cpu is not None:
            cpu = ",".join(str(c) for c in self.cpus[:2])
        process = subprocess.Popen(pinned(cpu, command + ["--port", "0"]), stdout=subprocess.PIPE, stderr=self.log)
        try:
            port = read_listening(process, 20)
            gen = [self.binary("ws_loadgen")] + gen_args + ["--port", str(port), "--server-pid", str(process.pid)]
            if gen_args[0] != "idle":
                gen += ["--warmup", str(self.args.warmup), "--duration", str(self.args.duration)]
            if raw:
                gen.append("--raw")
            if self.args.smoke and gen_args[0] == "idle":
                gen[gen.index("--count") + 1] = "200"
            load = loadavg()
            result = run_json(pinned(self.gen_cpu, gen), timeout=self.args.duration + self.args.warmup + 90)
        finally:
            stop(process)
        if "p50_us" in result:
            result["p50_ms"] = result["p50_us"] / 1000.0
        record = {"server": server, "figure": figure, "run": index, "loadavg": load, "result": result}
        self.runs.append(record)
        return record

    def echo_figures(self):
        failures = []
        for server, (command, raw) in self.servers().items():
            for figure, title, gen_args, key, _ in FIGURES:
                if gen_args is None or (self.args.figures and figure not in self.args.figures.split(",")):
                    continue
                if not self.args.smoke and gen_args[0] != "idle":
                    pass  # the generator warms up inside each run
                for index in range(self.args.runs):
                    record = self.one_run(server, command, raw, figure, gen_args, index)
                    if record is None:
                        continue
                    result = record["result"]
                    value = result.get(key, 0)
                    print(f"  {server:16} {figure:13} run {index}: {value} (load {record['loadavg']})"
                          + (f"  ERROR {result['error']}" if "error" in result else ""), flush=True)
                    zero_ok = raw and figure.startswith("idle")  # a raw socket's memory is the kernel's
                    if "error" in result or (not value and not zero_ok):
                        failures.append(f"{server} {figure}: {result.get('error', 'zero figure')}")
        return failures

    def receive_figures(self):
        failures = []
        client = self.binary("recv_client")
        if not client:
            return ["recv_client not built"]
        apis = ["qtws", "blocking"] + ([] if self.args.smoke or not self.binary("qt_echo") else ["qt"])
        for api in apis:
            for index in range(self.args.runs):
                flood = subprocess.Popen(pinned(self.gen_cpu, [self.binary("ws_loadgen"), "flood", "--listen-port", "0",
                                                               "--size", "16", "--warmup", str(self.args.warmup),
                                                               "--duration", str(self.args.duration)]),
                                         stdout=subprocess.PIPE, stderr=self.log)
                try:
                    port = read_listening(flood, 10)
                    load = loadavg()
                    result = run_json(pinned(self.server_cpu, [client, "--api", api, "--port", str(port),
                                                               "--warmup", str(self.args.warmup),
                                                               "--duration", str(self.args.duration)]),
                                      timeout=self.args.duration + self.args.warmup + 30)
                finally:
                    stop(flood)
                name = {"qtws": "qtws WebSocket", "blocking": "qtws blocking API", "qt": "QWebSocket"}[api]
                self.runs.append({"server": name, "figure": "receive", "run": index, "loadavg": load, "result": result})
                print(f"  {name:18} receive run {index}: {result.get('msgs_per_s', 0)} (load {load})"
                      + (f"  ERROR {result['error']}" if "error" in result else ""), flush=True)
                if "error" in result or not result.get("msgs_per_s"):
                    failures.append(f"receive {api}: {result.get('error', 'zero figure')}")
        return failures

    def medians(self):
        table = {}
        for figure, _, gen_args, key, _ in FIGURES:
            source, skey = DERIVED.get(figure, (figure, key))
            for record in self.runs:
                if record["figure"] == source and "error" not in record["result"]:
                    table.setdefault(figure, {}).setdefault(record["server"], []).append(record["result"].get(skey, 0))
        for record in self.runs:
            if record["figure"] == "receive" and "error" not in record["result"]:
                table.setdefault("receive", {}).setdefault(record["server"], []).append(record["result"]["msgs_per_s"])
        return table

    def markdown(self):
        table = self.medians()
        servers = [s for s in ["raw TCP echo", "QtWebSockets", "Boost.Beast", "qtws", "qtws 1 worker", "qtws 2 workers"]
                   if any(s in row for row in table.values())]
        qtws = "qtws 1 worker" if "qtws 1 worker" in servers else "qtws"

        def fmt(values):
            if not values:
                return "—"
            m = statistics.median(values)
            text = f"{m:,.0f}" if m >= 100 else f"{m:,.2f}" if m < 10 else f"{m:,.1f}"
            if len(values) > 1 and m:
                spread = (max(values) - min(values)) / m * 100
                if spread >= 10:
                    text += f" (±{spread / 2:.0f} %)"
            return text

        def ratio(row, a, b):
            if a in row and b in row and statistics.median(row[b]):
                return f"{statistics.median(row[a]) / statistics.median(row[b]):.2f}×"
            return "—"

        lines = ["| figure | " + " | ".join(servers) + f" | {qtws} ÷ Qt | {qtws} ÷ raw |",
                 "|---|" + "---:|" * (len(servers) + 2)]
        for figure, title, _, _, _ in FIGURES:
            row = table.get(figure, {})
            if not row:
                continue
            cells = [fmt(row.get(s)) for s in servers]
            if figure.startswith("idle"):
                for i, s in enumerate(servers):
                    refused = max((r["result"].get("refused", 0) for r in self.runs
                                   if r["figure"] == figure and r["server"] == s), default=0)
                    if refused:
                        cells[i] += f" ({refused} of 2,000 refused)"
            lines.append(f"| {title} | " + " | ".join(cells)
                         + f" | {ratio(row, qtws, 'QtWebSockets')} | {ratio(row, qtws, 'raw TCP echo')} |")
        # Who was the bottleneck in the pipelined 16 B echo: CPU use of server and generator.
        cpu_cells = []
        for server in servers:
            runs = [r["result"] for r in self.runs if r["figure"] == "pipe16" and r["server"] == server and "error" not in r["result"]]
            cpu_cells.append(f"{statistics.median(r['server_cpu'] for r in runs):.2f} / {statistics.median(r['gen_cpu'] for r in runs):.2f}" if runs else "—")
        if any(c != "—" for c in cpu_cells):
            lines.append("| pipelined 16 B: CPU of server / generator (1.00 = one core) | " + " | ".join(cpu_cells) + " | | |")
        receive = table.get("receive", {})
        if receive:
            lines += ["", "| client receive, 16 B binary messages, msgs/s | median | ÷ QWebSocket |", "|---|---:|---:|"]
            for name in ["qtws WebSocket", "qtws blocking API", "QWebSocket"]:
                if name in receive:
                    lines.append(f"| {name} | {fmt(receive[name])} | {ratio(receive, name, 'QWebSocket')} |")
        return "\n".join(lines)

    def machine(self):
        def out(command):
            try:
                return subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=10).stdout.decode().strip()
            except (OSError, subprocess.TimeoutExpired):
                return ""
        model = ""
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
        def deb(package):
            return out(["dpkg-query", "-W", "-f=${Version}", package])
        repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        return {
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "kernel": platform.release(), "cpu": model, "cpus": len(self.cpus),
            "server_cpu": self.server_cpu, "generator_cpu": self.gen_cpu,
            "qt": deb("qt6-base-dev"), "qtwebsockets": deb("qt6-websockets-dev"), "boost": deb("libboost-dev"),
            "compiler": out(["clang++", "--version"]).splitlines()[0] if out(["clang++", "--version"]) else "",
            "qtws": out(["git", "-C", repo, "describe", "--always", "--dirty"]),
            "loadavg_start": self.load_start, "loadavg_end": loadavg(),
            "runs": self.args.runs, "duration_s": self.args.duration, "warmup_s": self.args.warmup,
        }


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bin-dir", required=True, help="where ws_loadgen, raw_echo, qt_echo, beast_echo, recv_client are")
    parser.add_argument("--echo-server", required=True, help="qtws's examples/echo-server")
    parser.add_argument("--out-dir", default=os.path.join(here, "results"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=float, default=3.0)
    parser.add_argument("--warmup", type=float, default=0.5)
    parser.add_argument("--servers", help="comma-separated substrings of server names to run")
    parser.add_argument("--figures", help="comma-separated figure names (" + ",".join(f[0] for f in FIGURES if f[2]) + ",receive)")
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    if args.smoke:
        args.runs, args.duration, args.warmup = 1, 0.3, 0.1
    os.makedirs(args.out_dir, exist_ok=True)
    harness = Harness(args)
    harness.load_start = loadavg()
    failures = []
    if not args.figures or any(f != "receive" for f in args.figures.split(",")):
        failures += harness.echo_figures()
    if not args.figures or "receive" in args.figures.split(","):
        failures += harness.receive_figures()
    machine = harness.machine()
    with open(os.path.join(args.out_dir, "results.json"), "w") as f:
        json.dump({"machine": machine, "runs": harness.runs}, f, indent=1)
    table = harness.markdown()
    with open(os.path.join(args.out_dir, "results.md"), "w") as f:
        f.write(table + "\n\n" + "\n".join(f"- {k}: {v}" for k, v in machine.items()) + "\n")
    print()
    print(table)
    print()
    print("\n".join(f"- {k}: {v}" for k, v in machine.items()))
    if failures:
        print("\nFAILED:\n" + "\n".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
