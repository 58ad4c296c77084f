# Copyright: contributors to byoc.carrier
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test barriers: make overlapping clients meet at a route, for real (not at a wall-clock instant).

    POST /_emulator/barrier  {"route": "POST /v2/credential_connections", "parties": 2, "timeout": 120}
    GET  /_emulator/barrier  -> {"barriers": [{"route", "parties", "arrived", "held", "released", "timed_out"}]}

An armed barrier holds every request of its route (the stats' "METHOD /v2/template" key) until requests
of ``parties`` different API keys have arrived; then it releases them all, in the order they arrived, and
lets the route through from then on (one shot). After ``timeout`` seconds it lets them through anyway and
says ``timed_out``: a test asserts ``released and not timed_out`` to know that the clients really met.
A client's first write of a name comes after its own read of that name, so a barrier on a create route
means: every party had read the name as absent before any of them created it.
"""
from __future__ import annotations

import asyncio


class Barriers:
    """The armed barriers, by route."""

    def __init__(self):
        self.armed = {}

    def arm(self, route, parties, timeout):
        self.armed[route] = {'route': route, 'parties': int(parties), 'timeout': float(timeout), 'keys': [], 'held': 0,
                             'released': False, 'timed_out': False, 'event': asyncio.Event()}

    async def wait(self, route, key):
        """Return once this request may go on (at once when no barrier holds its route)."""
        barrier = self.armed.get(route)
        if barrier is None or barrier['released']:
            return
        if key not in barrier['keys']:
            barrier['keys'].append(key)
        if len(barrier['keys']) >= barrier['parties']:
            barrier['released'] = True
            barrier['event'].set()
            return
        barrier['held'] += 1
        try:
            await asyncio.wait_for(barrier['event'].wait(), barrier['timeout'])
        except asyncio.TimeoutError:
            barrier['timed_out'] = barrier['released'] = True
            barrier['event'].set()

    def status(self):
        return {'barriers': [{'route': b['route'], 'parties': b['parties'], 'arrived': len(b['keys']), 'held': b['held'],
                              'released': b['released'], 'timed_out': b['timed_out']} for b in self.armed.values()]}
