"""Where the module's own time goes, without Ansible and without a network: sip_connections' engine on the
benchmark fleet against the bundled emulator's request handlers called in-process (no HTTP, no latency, no rate
limit), timed phase by phase (CPU seconds of this process) for a cold create and a no-change run.

    .venv/bin/python bench/profile_module.py --size 10000 [--profile no-change.prof]

Phases: entry validation (``validate_entries``: Ansible's per-entry argument spec and the settings table), reading
the account (``Reconciler.read``: the listings, answered in-process), planning and writing (``Reconciler.run``),
shaping the result (``changed_results``, ``summarise`` and the JSON of the module's answer).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import sys
import threading
import time
from urllib.parse import urlsplit

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
sys.path.insert(0, BENCH)
sys.path.insert(0, os.path.join(REPO, ".ansible", "collections"))

import fleet as fleet_mod  # noqa: E402  pylint: disable=wrong-import-position


class Answer:  # pylint: disable=too-few-public-methods
    """The parts of a requests.Response the client reads."""

    def __init__(self, status, payload):
        self.status_code = status
        self.text = payload.decode() if isinstance(payload, bytes) else json.dumps(payload)
        self.headers = {}
        self.reason = None


class InProcess:
    """A requests.Session stand-in that answers with the emulator's own handlers, in this process."""

    def __init__(self):
        from starlette.datastructures import QueryParams  # pylint: disable=import-outside-toplevel
        from telnyx_emulator.app import ApiError, Config, Emulator  # pylint: disable=import-outside-toplevel
        self.query = QueryParams
        self.api_error = ApiError
        self.emu = Emulator(Config())
        self.count = 0
        self.lock = threading.Lock()  # the emulator's handlers run on one event loop, never two at once

    # pylint: disable-next=redefined-outer-name,too-many-arguments,unused-argument
    def request(self, method, url, params=None, json=None, headers=None, timeout=None, verify=None):
        path = urlsplit(url).path
        with self.lock:
            self.count += 1
            template, kind, methods, ident = self.emu.routes.match(path)  # pylint: disable=unused-variable
            action = methods[method]
            try:
                status, payload = getattr(self.emu, "do_" + action)(kind, ident, json, self.query(params or {}))
            except self.api_error as exc:
                status, payload = exc.status, {"errors": exc.errors}
        return Answer(status, payload)

    def close(self):
        pass


def phases(size, profile_path=None):
    from ansible_collections.byoc.carrier.plugins.module_utils import _bulk  # pylint: disable=import-outside-toplevel
    from ansible_collections.byoc.carrier.plugins.module_utils._client import TelnyxClient  # pylint: disable=import-outside-toplevel
    session = InProcess()
    entries_raw = fleet_mod.fleet(size)
    for name in fleet_mod.OVP_NAMES:
        session.emu.state.create("outbound_voice_profiles", {"name": name})
    out = {}
    for run in ("cold", "no-change"):
        prof = cProfile.Profile() if (profile_path and run == "no-change") else None
        if prof:
            prof.enable()
        times = {}
        start = time.process_time()
        entries, problems, dummy = _bulk.validate_entries(json.loads(json.dumps(entries_raw)))
        assert not problems, problems[:3]
        times["entry validation"] = time.process_time() - start
        client = TelnyxClient("KEYbench0000000000000000", api_url="http://127.0.0.1:9/v2", session=session)
        session.count = 0
        rec = _bulk.Reconciler(client, entries)
        start = time.process_time()
        rec.read()
        times["reading (in-process listings)"] = time.process_time() - start
        start = time.process_time()
        results = rec.run()
        times["planning and writing"] = time.process_time() - start
        start = time.process_time()
        summary, dummy = _bulk.summarise(results)
        shown = _bulk.changed_results(results)
        text = json.dumps({"results": shown, "summary": summary})
        times["result (default: changed only)"] = time.process_time() - start
        start = time.process_time()
        json.dumps({"results": results})
        times["(result with results=all, for comparison)"] = time.process_time() - start
        if prof:
            prof.disable()
            prof.dump_stats(profile_path)
        out[run] = {"cpu_s": dict((k, round(v, 3)) for k, v in times.items()), "requests": session.count,
                    "summary": summary, "result_bytes": len(text)}
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--profile", help="write a cProfile of the no-change run here")
    args = parser.parse_args(argv)
    print(json.dumps(phases(args.size, args.profile), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
