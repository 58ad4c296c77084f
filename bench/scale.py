"""Scale suite of the fleet benchmark (``bench/run.py --scale``): sip_connections with its DEFAULT options.

1. Rate-limit grid: cold create and no-change re-run of the 1,000 fleet at 50 and 200 ms latency x 50 and 200
   requests/s; each figure against the rate-limit bound (requests / limit); 429s counted.
2. Growth 1,000 -> 10,000 (same mix, 50 ms, 200 requests/s): cold create, no-change (``--runs`` times, median),
   1% drift repair; requests, controller CPU, wall, peak RSS, and the growth factor of each.
3. Where the no-change time goes (each size): Ansible alone (a playbook with one no-op task), the module alone
   (run as a script on the same arguments, profiled: argument parsing, entry validation, reading, planning,
   result), and the rest of ``ansible-playbook`` (templating the argument, passing it and the result).
"""

from __future__ import annotations

import json
import os
import pstats
import statistics
import subprocess
import sys
import time

import fleet as fleet_mod

GRID = ((50, 50), (50, 200), (200, 50), (200, 200))  # (latency ms, limit requests/s)
GROWTH = (50, 200)
SCALE_TARGETS = {"cold_max_ratio": 1.3, "nochange_max_requests_1000": 10, "nochange_max_wall_s_10000": 8.0,
                 "nochange_max_wall_s_1000": 3.0, "max_rss_mb_10000": 600.0}
PHASES = (  # (label, function of the module process as "file:function" suffix)
    ("Ansible module start-up and top-level argument parsing", "_runner.py", "new_module"),
    ("entry validation (Ansible's per-entry spec + the settings table)", "_bulk.py", "validate_entries"),
    ("reading the account (API)", "_bulk.py", "read"),
    ("planning and writing (Reconciler.run)", "_bulk.py", "run"),
    ("result (exit_json: JSON of the result)", "basic.py", "exit_json"),
)


def log(msg):
    print("[scale %s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


def _drift_share(size):
    return 100 if size >= 10000 else 10


def _one(bench, approach, entries, label):
    run = bench.play(approach, entries, label)
    run["api_retries"] = (run.get("module") or {}).get("api_retries")
    return run


def grid(bench, runner, entries):
    out = []
    for latency, limit in GRID:
        bench.use_emulator(latency, limit)
        bench.fresh_state()
        cold = _one(bench, "bulk", entries, "grid-cold-%d-%d" % (latency, limit))
        bench.emu.reset(keep_state=True)
        same = _one(bench, "bulk", entries, "grid-nochange-%d-%d" % (latency, limit))
        bound = cold["requests"]["total"] / float(limit)
        out.append({"latency_ms": latency, "limit_rps": limit, "cold": cold, "nochange": same,
                    "bound_rate_s": round(bound, 2), "ratio": round(cold["wall_s"] / bound, 2)})
        log("grid %3d ms %3d/s: cold %.1f s for %d requests (bound %.1f s, %.2fx, retries %s); no-change %.1f s, %d requests"
            % (latency, limit, cold["wall_s"], cold["requests"]["total"], bound, cold["wall_s"] / bound,
               cold.get("api_retries"), same["wall_s"], same["requests"]["total"]))
    return out


def module_profile(bench, entries, label):
    """Run the module as a script on the fleet (no-change state), profiled; seconds per phase and in all."""
    try:
        return _module_profile(bench, entries, label)
    except Exception as exc:  # pylint: disable=broad-except
        log("module profile %s failed: %s" % (label, exc))
        return {"wall_s": 0.0, "rc": None, "profiled_wall_s": 0.0, "profiled_total_s": 0.0, "profile_rc": None,
                "phases_profiled_s": {}, "api_requests": None, "summary": None, "error": str(exc)}


def _module_profile(bench, entries, label):
    work = bench.work
    args_path = os.path.join(work, "module-args-%s.json" % label)
    with open(args_path, "w", encoding="utf-8") as handle:
        json.dump({"ANSIBLE_MODULE_ARGS": {"api_url": bench.emu.api_url, "api_key": bench.runner.API_KEY,
                                           "connections": entries}}, handle)
    coll = bench.runner._collections_path()  # pylint: disable=protected-access
    module = os.path.join(coll.split(os.pathsep)[0], "ansible_collections", "byoc", "carrier", "plugins", "modules", "sip_connections.py")
    prof = os.path.join(work, "module-%s.prof" % label)
    env = dict(os.environ, PYTHONPATH=coll.split(os.pathsep)[0])
    bench.emu.reset(keep_state=True)
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "cProfile", "-o", prof, module, args_path], env=env, capture_output=True, check=False)
    profiled_wall = time.monotonic() - start
    bench.emu.reset(keep_state=True)
    start = time.monotonic()
    plain = subprocess.run([sys.executable, module, args_path], env=env, capture_output=True, check=False)
    wall = time.monotonic() - start
    result = json.loads(plain.stdout or b"{}")
    stats = pstats.Stats(prof)
    phases = {}
    total = max(v[3] for v in stats.stats.values())
    for text, filename, func in PHASES:
        best = 0.0
        for (path, dummy, name), value in stats.stats.items():
            if name == func and path.endswith(filename):
                best = max(best, value[3])
        phases[text] = round(best, 2)
    return {"wall_s": round(wall, 2), "rc": plain.returncode, "profiled_wall_s": round(profiled_wall, 2),
            "profiled_total_s": round(total, 2), "profile_rc": done.returncode,
            "phases_profiled_s": phases, "api_requests": result.get("api_requests"), "summary": result.get("summary")}


def startup(bench):
    """ansible-playbook with one no-op task: Ansible's own start-up."""
    runs = [bench.play("noop", [], "noop%d" % i)["wall_s"] for i in range(3)]
    return round(statistics.median(runs), 2)


def growth(bench, runner, sizes, runs):
    latency, limit = GROWTH
    bench.use_emulator(latency, limit)
    out = {}
    for size in sizes:
        entries = fleet_mod.fleet(size)
        bench.fresh_state()
        cold = _one(bench, "bulk", entries, "growth-cold-%d" % size)
        same = []
        for i in range(runs):
            bench.emu.reset(keep_state=True)
            same.append(_one(bench, "bulk", entries, "growth-nochange-%d-%d" % (size, i)))
        bench.emu.reset(keep_state=True)
        varsfiles = bench.play("bulk", entries, "growth-nochange-varsfiles-%d" % size, fleet_vars="vars_files")
        share = _drift_share(size)
        expected, names = bench.apply_drift(entries, share)
        bench.emu.reset(keep_state=True)
        drift = _one(bench, "bulk", entries, "growth-drift-%d" % size)
        drift["drift"] = {"objects": sum(expected.values()), "expected_writes": expected,
                          "exact": drift["writes_by_collection"] == expected and drift["module"]["updated"] == names}
        profile = module_profile(bench, entries, str(size))
        walls = [r["wall_s"] for r in same]
        out[size] = {
            "cold": cold, "nochange_runs": same, "drift": drift, "module_alone": profile, "nochange_vars_files": varsfiles,
            "cold_bound_rate_s": round(cold["requests"]["total"] / float(limit), 2),
            "nochange": {"wall_s": statistics.median(walls), "wall_s_runs": walls,
                         "cpu_s": statistics.median(r["cpu_s"] for r in same),
                         "requests": same[0]["requests"]["total"], "writes": same[0]["requests"]["writes"],
                         "rss_tree_peak_mb": max(r["rss_tree_peak_mb"] for r in same),
                         "rss_max_process_mb": max(r["rss_max_process_mb"] for r in same)},
        }
        log("growth %d: cold %.1f s (%d requests, bound %.1f s); no-change %s s, %d requests, %d writes; drift %d writes of %d "
            "(%s); module alone %.2f s" % (
                size, cold["wall_s"], cold["requests"]["total"], out[size]["cold_bound_rate_s"], walls,
                same[0]["requests"]["total"], same[0]["requests"]["writes"], drift["requests"]["writes"],
                drift["drift"]["objects"], "exact" if drift["drift"]["exact"] else "NOT exact", profile["wall_s"]))
    return out


def factors(small, large):
    def ratio(a, b):
        return round(b / a, 2) if a else None
    out = {}
    for scen in ("cold", "nochange", "drift"):
        a = small[scen] if scen == "nochange" else small[scen]
        b = large[scen] if scen == "nochange" else large[scen]
        req_a = a["requests"] if scen == "nochange" else a["requests"]["total"]
        req_b = b["requests"] if scen == "nochange" else b["requests"]["total"]
        out[scen] = {"requests": ratio(req_a, req_b), "cpu_s": ratio(a["cpu_s"], b["cpu_s"]),
                     "wall_s": ratio(a["wall_s"], b["wall_s"]), "rss_tree_peak_mb": ratio(a["rss_tree_peak_mb"], b["rss_tree_peak_mb"])}
    return out


def run_scale(bench, runner, args):
    started = time.monotonic()
    load = [os.getloadavg()[0]]
    results = {"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "options": "sip_connections defaults (no workers, no max_rps)"}
    entries = fleet_mod.fleet(args.scale_small)
    results["grid"] = grid(bench, runner, entries) if "grid" in args.scale_parts else []
    load.append(os.getloadavg()[0])
    sizes = [args.scale_small, args.scale_size]
    results["growth"] = growth(bench, runner, sizes, args.runs)
    load.append(os.getloadavg()[0])
    results["ansible_startup_s"] = startup(bench) if "startup" in args.scale_parts else None
    results["factors"] = factors(results["growth"][sizes[0]], results["growth"][sizes[1]])
    results["load"] = load + [os.getloadavg()[0]]
    results["duration_s"] = round(time.monotonic() - started, 1)
    small, large = results["growth"][sizes[0]], results["growth"][sizes[1]]
    results["targets"] = {} if not results["grid"] else {
        "grid_cold_within_1.3x_rate_bound": all(g["ratio"] <= SCALE_TARGETS["cold_max_ratio"] for g in results["grid"]),
        "grid_no_429_retries": all(not g["cold"].get("api_retries") and not g["nochange"].get("api_retries") for g in results["grid"]),
        "grid_nochange<=10_requests_0_writes": all(g["nochange"]["requests"]["total"] <= 10 and g["nochange"]["requests"]["writes"] == 0
                                                   for g in results["grid"]),
    }
    results["targets"].update({
        "nochange_1000_wall<=3s": small["nochange"]["wall_s"] <= SCALE_TARGETS["nochange_max_wall_s_1000"],
        "nochange_10000_wall<8s": large["nochange"]["wall_s"] < SCALE_TARGETS["nochange_max_wall_s_10000"],
        "nochange_10000_writes==0": large["nochange"]["writes"] == 0,
        "drift_1pct_10000_exact": large["drift"]["drift"]["exact"] and large["drift"]["requests"]["writes"] == large["drift"]["drift"]["objects"],
        "cold_10000_within_1.3x": large["cold"]["wall_s"] <= SCALE_TARGETS["cold_max_ratio"] * large["cold_bound_rate_s"],
        "rss_10000<600MB": max(large["cold"]["rss_tree_peak_mb"], large["nochange"]["rss_tree_peak_mb"],
                               large["drift"]["rss_tree_peak_mb"]) < SCALE_TARGETS["max_rss_mb_10000"],
    })
    return results


def markdown(results):
    lines = ["### Rate-limit grid: 1,000 connections, default options", "",
             "| latency | limit | cold wall s | requests | bound s | wall/bound | retries (429) | no-change wall s | no-change requests / writes |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for g in results["grid"]:
        lines.append("| %d ms | %d/s | %.1f | %d | %.1f | %.2f | %s | %.1f | %d / %d |" % (
            g["latency_ms"], g["limit_rps"], g["cold"]["wall_s"], g["cold"]["requests"]["total"], g["bound_rate_s"], g["ratio"],
            g["cold"].get("api_retries"), g["nochange"]["wall_s"], g["nochange"]["requests"]["total"], g["nochange"]["requests"]["writes"]))
    lines += ["", "### Growth 1,000 -> 10,000 (50 ms, 200 requests/s, default options)", "",
              "| size | scenario | wall s | CPU s | requests | writes | peak RSS MB (tree / largest process) |", "|---:|---|---:|---:|---:|---:|---|"]
    for size, g in sorted(results["growth"].items(), key=lambda kv: int(kv[0])):
        for scen, run in (("cold", g["cold"]), ("no-change (median)", None), ("drift", g["drift"])):
            if run is None:
                n = g["nochange"]
                lines.append("| %s | no-change (median of %d: %s) | %.2f | %.2f | %d | %d | %.0f / %.0f |" % (
                    size, len(n["wall_s_runs"]), ", ".join("%.2f" % w for w in n["wall_s_runs"]), n["wall_s"], n["cpu_s"],
                    n["requests"], n["writes"], n["rss_tree_peak_mb"], n["rss_max_process_mb"]))
            else:
                lines.append("| %s | %s | %.1f | %.1f | %d | %d | %.0f / %.0f |" % (
                    size, scen, run["wall_s"], run["cpu_s"], run["requests"]["total"], run["requests"]["writes"],
                    run["rss_tree_peak_mb"], run["rss_max_process_mb"]))
    for size, g in sorted(results["growth"].items(), key=lambda kv: int(kv[0])):
        v = g["nochange_vars_files"]
        lines.append("| %s | no-change, fleet loaded with vars_files (1 run) | %.2f | %.2f | %d | %d | %.0f / %.0f |" % (
            size, v["wall_s"], v["cpu_s"], v["requests"]["total"], v["requests"]["writes"], v["rss_tree_peak_mb"], v["rss_max_process_mb"]))
    lines += ["", "Growth factors (10,000 / 1,000):", ""]
    for scen, f in results["factors"].items():
        lines.append("- %s: requests x%s, CPU x%s, wall x%s, peak RSS x%s" % (scen, f["requests"], f["cpu_s"], f["wall_s"], f["rss_tree_peak_mb"]))
    lines += ["", "Where the no-change time goes (Ansible start-up with one no-op task: %s s):" % results["ansible_startup_s"], ""]
    for size, g in sorted(results["growth"].items(), key=lambda kv: int(kv[0])):
        m = g["module_alone"]
        lines.append("- %s: ansible-playbook %.2f s; the module alone %.2f s (rc %s, %s requests); the rest (start-up, templating "
                     "the argument, passing it and the result) %.2f s. Module phases (profiled, total %.2f s): %s" % (
                         size, g["nochange"]["wall_s"], m["wall_s"], m["rc"], m["api_requests"], g["nochange"]["wall_s"] - m["wall_s"],
                         m["profiled_total_s"], "; ".join("%s %.2f s" % kv for kv in m["phases_profiled_s"].items())))
    lines += ["", "Load average: %s; %.0f s in all." % (" -> ".join("%.1f" % x for x in results["load"]), results["duration_s"]), ""]
    for name, ok in sorted(results["targets"].items()):
        lines.append("- target `%s`: %s" % (name, "PASS" if ok else "FAIL"))
    return "\n".join(lines) + "\n"
