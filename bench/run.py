"""Fleet benchmark: sip_connections vs the singular modules vs a plain ansible.builtin.uri playbook.

Starts the bundled Telnyx emulator (``--latency-ms``, ``--rate-limit``), then for each approach runs the
scenarios cold create, no-change re-run and 10% drift repair (drift made directly through the API) and
measures wall time, requests by method and route (``/_emulator/stats``), controller peak RSS and the lower
bounds (requests / rate limit, round trips / concurrency). Writes ``bench/results.json`` and prints a table.

    python bench/run.py                 # the full benchmark (make bench)
    python bench/run.py --quick         # a small one (make bench-quick)
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
sys.path.insert(0, BENCH)

import fleet as fleet_mod  # noqa: E402  pylint: disable=wrong-import-position

API_KEY = "KEYbench0000000000000000"
PAGE = 250
KIND_PATH = {"credentials": "credential_connections", "ip": "ip_connections", "fqdn": "fqdn_connections"}
ADDRESS = {
    "ip": {"path": "ips", "key": "ip_address", "option": "ips", "id_field": "default_%s_ip_id"},
    "fqdn": {"path": "fqdns", "key": "fqdn", "option": "fqdns", "id_field": "default_%s_fqdn_id"},
}
SLOTS = ("primary", "secondary", "tertiary")
DEFAULT_WORKERS = 64  # sip_connections' default ceiling of requests in flight (the bound_rtt of its runs)
TARGETS = {"nochange_max_requests": 10, "nochange_max_wall_s": 10.0, "cold_max_ratio": 1.3, "max_rss_mb": 300.0}


def log(msg):
    print("[bench %s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


def free_port():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


class Emulator:
    """The bundled Telnyx emulator as a child process, plus the few API calls the harness makes itself."""

    def __init__(self, workdir, latency_ms, rate_limit):
        self.latency_ms = latency_ms
        self.rate_limit = rate_limit
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.api_url = self.url + "/v2"
        self.log_path = os.path.join(workdir, "emulator.log")
        self.proc = None
        self._last_call = 0.0

    def start(self):
        exe = os.path.join(os.path.dirname(sys.executable), "telnyx-emulator")
        if not os.path.exists(exe):
            exe = shutil.which("telnyx-emulator") or exe
        cmd = [exe, "--port", str(self.port), "--api-key", API_KEY, "--latency-ms", str(self.latency_ms)]
        if self.rate_limit:
            cmd += ["--rate-limit", str(self.rate_limit)]
        with open(self.log_path, "ab") as out:
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)  # pylint: disable=consider-using-with
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("emulator exited with %s, see %s" % (self.proc.returncode, self.log_path))
            try:
                self.stats()
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("emulator did not answer on %s" % self.url)

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)

    def _http(self, method, url, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Authorization", "Bearer " + API_KEY)
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=60) as resp:
            text = resp.read()
        return json.loads(text) if text else None

    def call(self, method, path, body=None, params=None):
        """One API request by the harness itself, paced under the rate limit, 429 retried."""
        url = self.api_url + path
        if params:
            url += "?" + urllib.parse.urlencode(params)
        for _attempt in range(50):
            if self.rate_limit:
                wait = self._last_call + 1.5 / self.rate_limit - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                self._last_call = time.monotonic()
            try:
                return self._http(method, url, body)
            except urllib.error.HTTPError as exc:
                if exc.code != 429:
                    raise RuntimeError("%s %s: HTTP %s %s" % (method, path, exc.code, exc.read()[:300])) from exc
                time.sleep(float(exc.headers.get("x-ratelimit-reset") or 0.5) or 0.5)
        raise RuntimeError("%s %s: still rate limited" % (method, path))

    def list(self, path):
        items, number = [], 1
        while True:
            page = self.call("GET", path, params={"page[number]": number, "page[size]": PAGE})
            items.extend(page["data"])
            if number >= int(page.get("meta", {}).get("total_pages") or 1):
                return items
            number += 1

    def stats(self):
        return self._http("GET", self.url + "/_emulator/stats")

    def reset(self, keep_state):
        self._http("POST", self.url + "/_emulator/reset" + ("?keep_state=true" if keep_state else ""))


def _children(pid):
    kids = []
    try:
        for tid in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, tid), encoding="ascii") as handle:
                kids.extend(int(k) for k in handle.read().split())
    except OSError:
        pass
    return kids


def tree_rss(pid):
    """Summed resident set size (bytes) of a process and all its descendants (shared pages counted per process)."""
    total, todo, page = 0, [pid], os.sysconf("SC_PAGE_SIZE")
    while todo:
        cur = todo.pop()
        try:
            with open("/proc/%d/statm" % cur, encoding="ascii") as handle:
                total += int(handle.read().split()[1]) * page
        except OSError:
            continue
        todo.extend(_children(cur))
    return total


def measure(cmd, env, log_path):
    """Run cmd; return wall time, exit code, the process tree's peak summed RSS and the largest single RSS."""
    start = time.monotonic()
    with open(log_path, "ab") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=REPO)  # pylint: disable=consider-using-with
        peak = 0
        try:
            while True:
                waited, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if waited:
                    break
                peak = max(peak, tree_rss(proc.pid))
                time.sleep(0.05)
        finally:
            if not waited:
                proc.kill()
                os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    return {
        "wall_s": round(time.monotonic() - start, 3),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "rc": proc.returncode,
        "rss_tree_peak_mb": round(peak / 1048576.0, 1),
        "rss_max_process_mb": round(usage.ru_maxrss / 1024.0, 1),
    }


def route_key(route):
    """'PATCH /v2/ips/{id}' -> 'PATCH ips' (method and collection)."""
    method, _sep, path = route.partition(" ")
    parts = [p for p in path.split("/") if p and p != "v2"]
    return "%s %s" % (method, parts[0] if parts else path)


def writes_by_collection(stats):
    out = collections.Counter()
    for route, count in (stats.get("by_route") or {}).items():
        if not route.startswith("GET "):
            out[route_key(route)] += count
    return dict(out)


def _collections_path():
    return os.environ.get("ANSIBLE_COLLECTIONS_PATH") or os.path.join(REPO, ".ansible", "collections")


def uri_entries(entries):
    """The fleet as API bodies for the uri playbook, built with the collection's own settings table."""
    sys.path.insert(0, _collections_path().split(os.pathsep)[0])
    from ansible_collections.byoc.carrier.plugins.module_utils import _settings  # pylint: disable=import-outside-toplevel
    out = []
    for entry in entries:
        kind = entry["type"]
        basic = {k: v for k, v in entry.items() if k not in ("inbound", "outbound", "ips", "fqdns", "region", "type")}
        outbound = {k: v for k, v in entry["outbound"].items() if k != "outbound_voice_profile"}
        body = {}
        for scope, params in (("connection", basic), ("inbound", entry["inbound"]), ("outbound", outbound)):
            body = _merge(body, _settings.to_api(scope, kind, params))
        item = {"name": entry["name"], "path": KIND_PATH[kind], "body": body, "ovp": entry["outbound"]["outbound_voice_profile"]}
        if kind in ADDRESS:
            spec = ADDRESS[kind]
            addresses = []
            for addr in entry[spec["option"]]:
                api = {spec["key"]: addr.get("address", addr.get("fqdn")), "port": addr["port"]}
                if kind == "fqdn":
                    api["dns_record_type"] = addr["dns_record_type"]
                addresses.append(api)
            item["addresses"] = {"path": spec["path"], "key": spec["key"], "items": addresses,
                                 "id_fields": [spec["id_field"] % slot for slot in SLOTS]}
        out.append(item)
    return out


def _merge(left, right):
    out = dict(left)
    for key, value in right.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def drift_positions(count, share=10):
    """One position in ``share`` (10%, or 1% with 100), spread so that every kind and region gets some."""
    return [i for i in range(count) if i % share == (i // share) % share]


class Bench:
    def __init__(self, args):
        self.args = args
        self.work = os.path.join(BENCH, "work")
        os.makedirs(self.work, exist_ok=True)
        self.emu = Emulator(self.work, args.latency_ms, args.rate_limit)
        self.files = {}
        self.runner = sys.modules[__name__]

    def use_emulator(self, latency_ms, rate_limit):
        """Stop the emulator and start one with these settings (the account starts empty)."""
        self.emu.stop()
        self.emu = Emulator(self.work, latency_ms, rate_limit).start()

    def fleet_file(self, label, entries):
        if label not in self.files:
            path = os.path.join(self.work, "fleet-%s.json" % label)
            data = {"bench_connections": entries}
            if label.startswith("uri"):
                data["bench_uri_connections"] = uri_entries(entries)
            with open(path, "w", encoding="utf-8") as handle:
                json.dump(data, handle)
            self.files[label] = path
        return self.files[label]

    def fresh_state(self):
        self.emu.reset(keep_state=False)
        for name in fleet_mod.OVP_NAMES:
            self.emu.call("POST", "/outbound_voice_profiles", {"name": name})
        self.emu.reset(keep_state=True)

    def play(self, approach, entries, label, fleet_vars=None):
        tree = os.path.join(self.work, "tree-%s" % approach)
        shutil.rmtree(tree, ignore_errors=True)
        extra = {
            "bench_fleet_file": self.fleet_file("%s-%d" % (approach, len(entries)), entries),
            "bench_api_url": self.emu.api_url,
            "bench_api_key": API_KEY,
        }
        options = (("bench_max_rps", self.args.max_rps), ("bench_workers", self.args.workers), ("bench_results", self.args.results),
                   ("bench_fleet_vars", fleet_vars))
        for var, value in options:
            if value is not None:  # unset: the module's default
                extra[var] = value
        vars_path = os.path.join(self.work, "vars.json")
        with open(vars_path, "w", encoding="utf-8") as handle:
            json.dump(extra, handle)
        env = dict(os.environ)
        env.update({
            "ANSIBLE_COLLECTIONS_PATH": _collections_path(),
            "ANSIBLE_CALLBACKS_ENABLED": "ansible.builtin.tree",
            "ANSIBLE_CALLBACK_TREE_DIR": tree,
            "ANSIBLE_LOCALHOST_WARNING": "false",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
            "ANSIBLE_RETRY_FILES_ENABLED": "false",
            "ANSIBLE_NOCOLOR": "1",
        })
        env.pop("ANSIBLE_CONFIG", None)
        playbook = os.path.join(BENCH, "playbooks", "%s.yml" % approach)
        cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), playbook, "-e", "@" + vars_path]
        log_path = os.path.join(self.work, "%s-%s.log" % (approach, label))
        with open(log_path, "w", encoding="utf-8") as handle:
            handle.write("# %s\n" % " ".join(cmd))
        run = measure(cmd, env, log_path)
        stats = self.emu.stats()
        run["requests"] = {"total": stats.get("total", 0), "by_method": stats.get("by_method", {})}
        run["requests"]["writes"] = sum(n for m, n in run["requests"]["by_method"].items() if m != "GET")
        run["writes_by_collection"] = writes_by_collection(stats)
        run["by_route"] = stats.get("by_route", {})
        result_path = os.path.join(tree, "localhost")
        if approach == "bulk" and os.path.exists(result_path):
            with open(result_path, encoding="utf-8") as handle:
                result = json.load(handle)
            run["module"] = {k: result.get(k) for k in ("changed", "failed", "msg", "summary", "api_requests", "api_retries")}
            run["module"]["updated"] = sorted(r["name"] for r in result.get("results", []) if r.get("status") == "updated")
        log("%-8s %-9s n=%-4d rc=%s wall=%.1fs cpu=%.1fs requests=%s rss=%.0fMB load=%.1f" % (
            approach, label, len(entries), run["rc"], run["wall_s"], run["cpu_s"], run["requests"]["total"], run["rss_tree_peak_mb"],
            os.getloadavg()[0]))
        if run["rc"] != 0:
            log("  see %s" % log_path)
        return run

    def apply_drift(self, entries, share=10):
        """Change one connection in ``share`` directly through the API; return what a repair must write."""
        by_name = {}
        for path in KIND_PATH.values():
            for obj in self.emu.list("/" + path):
                by_name[obj["connection_name"]] = obj
        addresses = {spec["path"]: self.emu.list("/" + spec["path"]) for spec in ADDRESS.values()}
        expected, names = collections.Counter(), []
        for ordinal, pos in enumerate(drift_positions(len(entries), share)):
            entry = entries[pos]
            obj = by_name[entry["name"]]
            path = KIND_PATH[entry["type"]]
            names.append(entry["name"])
            if entry["type"] in ADDRESS and ordinal % 2 == 0:
                spec = ADDRESS[entry["type"]]
                target = obj["inbound"][spec["id_field"] % "secondary"]
                addr = [a for a in addresses[spec["path"]] if a["id"] == target][0]
                self.emu.call("PATCH", "/%s/%s" % (spec["path"], target), {spec["key"]: addr[spec["key"]], "port": 5070})
                expected["PATCH " + spec["path"]] += 1
                continue
            change = ordinal % 3 if entry["type"] == "credentials" else 2
            if change == 0:
                body = {"dtmf_type": "Inband"}
            elif change == 1:
                body = {"inbound": dict(obj["inbound"], timeout_2xx_secs=30)}
            else:
                body = {"outbound": dict(obj["outbound"], channel_limit=99)}
            self.emu.call("PATCH", "/%s/%s" % (path, obj["id"]), body)
            expected["PATCH " + path] += 1
        return dict(expected), sorted(names)

    def scenarios(self, approach, entries, runs):
        out = {"cold": [], "nochange": [], "drift": []}
        for i in range(runs):
            self.fresh_state()
            out["cold"].append(self.play(approach, entries, "cold%d" % i))
        for i in range(runs):
            self.emu.reset(keep_state=True)
            out["nochange"].append(self.play(approach, entries, "nochange%d" % i))
        for i in range(runs):
            expected, names = self.apply_drift(entries)
            self.emu.reset(keep_state=True)
            run = self.play(approach, entries, "drift%d" % i)
            run["drift"] = {"objects": sum(expected.values()), "expected_writes": expected, "names": names,
                            "exact": run["writes_by_collection"] == expected}
            if "module" in run:
                run["drift"]["exact"] = run["drift"]["exact"] and run["module"]["updated"] == names
            out["drift"].append(run)
        return out


def summarise(runs, args, concurrency, scale):
    """Median wall time over the runs, the first run's requests, the worst RSS; bounds; all scaled by ``scale``."""
    walls = [r["wall_s"] for r in runs]
    first = runs[0]
    total = int(round(first["requests"]["total"] * scale))
    bound_rate = total / float(args.rate_limit) if args.rate_limit else 0.0
    bound_rtt = total * args.latency_ms / 1000.0 / concurrency
    bound = max(bound_rate, bound_rtt)
    wall = statistics.median(walls) * scale
    summary = {
        "runs": len(runs),
        "ok": all(r["rc"] == 0 for r in runs),
        "wall_s": round(wall, 2),
        "wall_s_runs": walls,
        "cpu_s": round(statistics.median(r["cpu_s"] for r in runs) * scale, 2),
        "requests": total,
        "by_method": {m: int(round(n * scale)) for m, n in first["requests"]["by_method"].items()},
        "writes": int(round(first["requests"]["writes"] * scale)),
        "rss_tree_peak_mb": max(r["rss_tree_peak_mb"] for r in runs),
        "rss_max_process_mb": max(r["rss_max_process_mb"] for r in runs),
        "bound_rate_s": round(bound_rate, 2),
        "bound_rtt_s": round(bound_rtt, 2),
        "bound_s": round(bound, 2),
        "ratio_to_bound": round(wall / bound, 2) if bound else None,
    }
    if "drift" in first:
        summary["drift_objects"] = int(round(first["drift"]["objects"] * scale))
        summary["drift_exact"] = all(r["drift"]["exact"] for r in runs)
    return summary


def check_targets(bulk):
    """(correctness checks, performance targets) of sip_connections: name -> passed."""
    cold, same, drift = bulk["cold"], bulk["nochange"], bulk["drift"]
    correct = {
        "all_runs_ok": all(s["ok"] for s in bulk.values()),
        "nochange_writes==0": same["writes"] == 0,
        "drift_writes_exactly_drifted": drift.get("drift_exact", False) and drift["writes"] == drift["drift_objects"],
    }
    performance = {
        "nochange_requests<=10": same["requests"] <= TARGETS["nochange_max_requests"],
        "nochange_wall<=10s": same["wall_s"] <= TARGETS["nochange_max_wall_s"],
        "cold_within_1.3x_rate_bound": bool(cold["bound_rate_s"]) and cold["wall_s"] <= TARGETS["cold_max_ratio"] * cold["bound_rate_s"],
        "peak_rss<300MB": max(s["rss_tree_peak_mb"] for s in bulk.values()) < TARGETS["max_rss_mb"],
    }
    return correct, performance


def table(results):
    lines = ["| approach | scenario | wall s | controller CPU s | requests (GET/POST/PATCH/DELETE) | writes | bound s (rate / rtt) | wall/bound "
             "| peak RSS MB |", "|---|---|---:|---:|---|---:|---|---:|---:|"]
    notes = []
    for name, approach in results["approaches"].items():
        for scen in ("cold", "nochange", "drift"):
            s = approach["scenarios"][scen]
            meth = "/".join(str(s["by_method"].get(m, 0)) for m in ("GET", "POST", "PATCH", "DELETE"))
            lines.append("| %s | %s | %.1f%s | %.1f | %d (%s) | %d | %.1f (%.1f / %.1f) | %s | %.0f |" % (
                approach["label"], scen, s["wall_s"], " (median of %d)" % s["runs"] if s["runs"] > 1 else "", s["cpu_s"],
                s["requests"], meth, s["writes"], s["bound_s"], s["bound_rate_s"], s["bound_rtt_s"],
                s["ratio_to_bound"], s["rss_tree_peak_mb"]))
        drift = approach["scenarios"]["drift"]
        notes.append("%s: drift repair of %d objects wrote %d (%s)" % (
            name, drift["drift_objects"], drift["writes"], "exactly the drifted ones" if drift["drift_exact"] else "not only the drifted ones"))
    return "\n".join(lines + [""] + notes)


def markdown(results):
    """A Markdown summary of a run: settings, the table, the checks and targets."""
    emu, fleet_info, machine = results["emulator"], results["fleet"], results["machine"]
    lines = [
        "Run of %s: emulator latency %d ms, rate limit %d requests/s; fleet %d (%s), subset %d; "
        "%d CPUs, load average %.1f at start, %.1f at end; %.0f s in all." % (
            results["date"], emu["latency_ms"], emu["rate_limit_rps"], fleet_info["size"],
            ", ".join("%s %d" % kv for kv in sorted(fleet_info["mix"].items())), fleet_info["subset"],
            machine["cpus"], machine["loadavg_start"], machine["loadavg_end"], results["duration_s"]),
        "",
        table(results),
        "",
    ]
    for kind, checks in (("check", results.get("checks", {})), ("target", results.get("targets", {}))):
        for name, ok in sorted(checks.items()):
            lines.append("- %s `%s`: %s" % (kind, name, "PASS" if ok else "FAIL"))
    return "\n".join(lines) + "\n"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes for a smoke run (fleet 60, subset 6, 1 run)")
    parser.add_argument("--size", type=int, help="fleet size for sip_connections (default 1000)")
    parser.add_argument("--subset", type=int, help="fleet size for the singular modules and uri (default 100)")
    parser.add_argument("--runs", type=int, help="runs per sip_connections scenario (default 3)")
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--rate-limit", type=int, default=50, help="emulator rate limit, requests/s (also the module's max_rps)")
    parser.add_argument("--workers", type=int, help="sip_connections workers (default: the module's default)")
    parser.add_argument("--max-rps", type=float, help="sip_connections max_rps (default: unset, the module's default)")
    parser.add_argument("--results", choices=("changed", "all"), help="sip_connections results (default: the module's)")
    parser.add_argument("--approaches", default="bulk,singular,uri")
    parser.add_argument("--out", default=os.path.join(BENCH, "results.json"))
    parser.add_argument("--merge", help="results.json of an earlier run: its approaches not run now are copied in (their date kept)")
    parser.add_argument("--markdown", help="also write a Markdown summary to this file")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a performance target is missed (else only reported)")
    parser.add_argument("--scale", action="store_true", help="also run the scale suite (bench/scale.py): rate-limit grid, 1,000 -> "
                        "10,000 growth, where the no-change time goes; its results go under \"scale\" in --out")
    parser.add_argument("--scale-size", type=int, default=10000, help="the large fleet of the scale suite")
    parser.add_argument("--scale-small", type=int, default=1000, help="the grid's fleet and the small one of the growth")
    parser.add_argument("--scale-parts", default="grid,growth,startup", help="parts of the scale suite to run (growth always runs)")
    args = parser.parse_args(argv)
    quick = {"size": 60, "subset": 6, "runs": 1} if args.quick else {"size": 1000, "subset": 100, "runs": 3}
    for key, value in quick.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    return args


def main(argv=None):
    args = parse_args(argv)
    bench = Bench(args)
    entries = fleet_mod.fleet(args.size)
    small = fleet_mod.subset(entries, args.subset)
    scale = args.size / float(args.subset)
    plan = {
        "bulk": ("sip_connections (%d)" % args.size, entries, args.runs, args.workers or DEFAULT_WORKERS, 1),
        "singular": ("singular modules (%d, scaled x%g)" % (args.subset, round(scale, 1)), small, 1, 1, scale),
        "uri": ("ansible.builtin.uri (%d, scaled x%g)" % (args.subset, round(scale, 1)), small, 1, 1, scale),
    }
    results = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "loadavg_start": os.getloadavg()[0], "python": sys.version.split()[0]},
        "emulator": {"latency_ms": args.latency_ms, "rate_limit_rps": args.rate_limit},
        "fleet": {"size": args.size, "subset": args.subset, "mix": dict(collections.Counter(e["type"] for e in entries))},
        "approaches": {},
    }
    started = time.monotonic()
    bench.emu.start()
    try:
        for name in [a for a in args.approaches.split(",") if a]:
            label, conns, runs, concurrency, factor = plan[name]
            log("%s: %d connections, %d run(s) per scenario" % (label, len(conns), runs))
            raw = bench.scenarios(name, conns, runs)
            results["approaches"][name] = {
                "label": label, "connections": len(conns), "scale": factor, "concurrency": concurrency,
                "scenarios": {k: summarise(v, args, concurrency, factor) for k, v in raw.items()},
                "raw": raw,
            }
    finally:
        bench.emu.stop()
    if args.scale:
        import scale  # pylint: disable=import-outside-toplevel
        try:
            results["scale"] = scale.run_scale(bench, sys.modules[__name__], args)
        finally:
            bench.emu.stop()
    results["duration_s"] = round(time.monotonic() - started, 1)
    if args.merge:
        with open(args.merge, encoding="utf-8") as handle:
            earlier = json.load(handle)
        for name, approach in earlier.get("approaches", {}).items():
            if name not in results["approaches"]:
                approach["label"] += " [run of %s, load %.1f]" % (earlier["date"], earlier["machine"]["loadavg_start"])
                results["approaches"][name] = approach
    results["approaches"] = dict((k, results["approaches"][k]) for k in plan if k in results["approaches"])
    results["machine"]["loadavg_end"] = os.getloadavg()[0]
    correct, performance = {}, {}
    if "bulk" in results["approaches"]:
        correct, performance = check_targets(results["approaches"]["bulk"]["scenarios"])
    results["checks"], results["targets"] = correct, performance
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(results, handle, indent=1, sort_keys=True)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as handle:
            handle.write(markdown(results))
    if "scale" in results:
        import scale  # pylint: disable=import-outside-toplevel
        text = scale.markdown(results["scale"])
        with open(os.path.splitext(args.out)[0] + "-scale.md", "w", encoding="utf-8") as handle:
            handle.write(text)
        print(text)
        performance.update(("scale: " + k, v) for k, v in results["scale"]["targets"].items())
    print(table(results))
    for kind, checks in (("check", correct), ("target", performance)):
        for name, ok in sorted(checks.items()):
            print("%-6s %-32s %s" % (kind, name, "PASS" if ok else "FAIL"))
    print("results: %s (%.0f s, load average %.1f -> %.1f)" % (
        args.out, results["duration_s"], results["machine"]["loadavg_start"], results["machine"]["loadavg_end"]))
    runs_ok = all(s["ok"] for a in results["approaches"].values() for s in a["scenarios"].values())
    failed = [n for n, ok in correct.items() if not ok] + ([n for n, ok in performance.items() if not ok] if args.strict else [])
    return 1 if failed or not runs_ok else 0


if __name__ == "__main__":
    raise SystemExit(main())
