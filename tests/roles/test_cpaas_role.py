# -*- coding: utf-8 -*-
# Copyright: byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cpaas role passes on every setting it documents (issue 17: three outbound voice profile options were dropped)."""

from __future__ import annotations

import os

import yaml

from ansible_collections.byoc.carrier.plugins.modules import outbound_voice_profile

from .helpers import ROOT

TASKS = os.path.join(ROOT, 'roles', 'cpaas', 'tasks')
NOT_PROFILE_SETTINGS = {'name', 'state', 'api_key', 'api_url', 'validate_certs', 'api_timeout', 'rate_limit_retry_timeout'}


def _tasks(name):
    with open(os.path.join(TASKS, name), encoding='utf-8') as handle:
        data = yaml.safe_load(handle)
    out = []

    def walk(items):
        for task in items or []:
            out.append(task)
            walk(task.get('block'))
    walk(data)
    return out


def test_every_outbound_voice_profile_option_is_passed_on():
    options = set(yaml.safe_load(outbound_voice_profile.DOCUMENTATION)['options']) - NOT_PROFILE_SETTINGS
    task = [t for t in _tasks('main.yml') if 'byoc.carrier.outbound_voice_profile' in t][0]
    passed = set(task['byoc.carrier.outbound_voice_profile'])
    assert {'max_destination_rate', 'billing_group_id', 'call_recording'} <= passed
    assert options - passed == set()


def test_one_engine_only():
    assert not os.path.exists(os.path.join(TASKS, 'connections_single.yml'))
    connections = _tasks('connections.yml')
    assert [t for t in connections if 'byoc.carrier.sip_connections' in t]
    assert not [t for t in connections if set(t) & {'byoc.carrier.sip_connection', 'byoc.carrier.sip_inbound', 'byoc.carrier.sip_outbound'}]
