# -*- coding: utf-8 -*-
# Copyright: byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Never cut live calls by accident: teardown.yml and the cpaas role's pruning leave a connection with calls in progress
(named in the failure, the run fails, nothing of it is written) and delete it with cpaas_delete_with_active_calls;
connections without calls go as before. Telnyx lists calls only for connections with a webhook URL, so the trunks of the
guard's tests get one (byoc_trunk_defaults); trunks without one are deleted without asking, and the run warns.
Demo inventory, EU SBC, a real emulator (its write counters)."""

from __future__ import annotations

import pytest
from telnyx_emulator.testing import running_emulator

from .helpers import ansible_env, run_playbook, writes

EU = 'cc-initech-eu-demo'
KEY = 'KEYactivecalls00000000000000000'
NO_SBC = ('-e', 'trunk_sbc=false')
HOOK = 'https://hooks.example.com/byoc'
HOOKED = ('-e', '{"byoc_trunk_defaults": {"webhook_url": "%s"}}' % HOOK)  # Telnyx lists the calls of these trunks
CONFIRM = ('-e', 'byoc_teardown_confirm=demo')
CRED = 'initech-eu-demo-cred'
BUSY = ("connection '%s' (id %s) has 2 call(s) in progress; it was not deleted and nothing was written for it. "
        "Delete it once the calls have ended, or set delete_with_active_calls: true to cut them")


@pytest.fixture(name='emu', scope='module')
def fixture_emu():
    with running_emulator(api_key=KEY) as emu:
        yield emu


@pytest.fixture(name='env', scope='module')
def fixture_env(emu, tmp_path_factory):
    return ansible_env(emu, tmp_path_factory.mktemp('calls'))


def connections(emu):
    names = {}
    for kind in ('credential', 'ip', 'fqdn'):
        status, body, _headers = emu.call('GET', '/%s_connections?page[size]=250' % kind)
        assert status == 200
        names.update((c['connection_name'], c) for c in body['data'])
    return names


def set_calls(emu, connection_id, count):
    status, _body, _headers = emu.call('POST', emu.root + '/_emulator/active_calls', {'connection_id': connection_id, 'count': count}, headers={})
    assert status == 200


def number_connection(emu, number):
    status, body, _headers = emu.call('GET', '/phone_numbers?filter[phone_number]=%s' % number.lstrip('+'))
    assert status == 200
    return [n for n in body['data'] if n['phone_number'] == number][0].get('connection_id')


def test_teardown_leaves_a_connection_with_calls_and_removes_it_with_the_option(emu, env):
    rc, out, _recap = run_playbook('site', env, '--limit', EU, *NO_SBC, *HOOKED)
    assert rc == 0, out
    cred = connections(emu)[CRED]
    assert cred['webhook_event_url'] == HOOK
    set_calls(emu, cred['id'], 2)
    emu.reset(keep_state=True)
    rc, out, _recap = run_playbook('teardown', env, '--limit', EU, *CONFIRM)
    assert rc != 0
    assert BUSY % (CRED, cred['id']) in out
    left = connections(emu)
    assert CRED in left and 'initech-eu-demo-ip' not in left and 'initech-eu-demo-fqdn' not in left, 'the quiet ones go as before'
    by_route = emu.stats()['by_route']
    assert by_route.get('DELETE /v2/credential_connections/{id}', 0) == 0
    assert by_route.get('GET /v2/connections/{id}/active_calls', 0) == 6, 'read by the role, then again by each delete'
    assert number_connection(emu, '+4930123456') == cred['id'], 'the busy trunk keeps its numbers'
    assert not number_connection(emu, '+442079460010'), "the FQDN trunk's number was unassigned as before"

    rc, out, _recap = run_playbook('teardown', env, '--limit', EU, *CONFIRM, '-e', 'cpaas_delete_with_active_calls=true')
    assert rc == 0, out
    assert CRED not in connections(emu)
    assert not number_connection(emu, '+4930123456')


def stray(emu, name, tags):
    return emu.create('/credential_connections', {'connection_name': name, 'user_name': name.replace('-', '')[:20] + 'x1',
                                                  'password': 'Stray-pass-0123456789', 'tags': tags, 'webhook_event_url': HOOK})


def test_pruning_leaves_a_stray_with_calls_and_prunes_it_with_the_option(emu, env):
    scoped = ('-e', 'cpaas_prune=true', '-e', '{"cpaas_prune_tags": ["byoc-demo", "sbc:{{ inventory_hostname }}"]}')
    busy = stray(emu, 'stray-busy', ['byoc-demo', 'sbc:%s' % EU])
    quiet = stray(emu, 'stray-quiet', ['byoc-demo', 'sbc:%s' % EU])
    set_calls(emu, busy['id'], 2)
    emu.reset(keep_state=True)
    rc, out, _recap = run_playbook('site', env, '--limit', EU, *scoped, *NO_SBC, *HOOKED)
    assert rc != 0
    assert BUSY % ('stray-busy', busy['id']) in out
    left = connections(emu)
    assert 'stray-busy' in left and 'stray-quiet' not in left
    assert emu.stats()['by_route'].get('DELETE /v2/credential_connections/{id}') == 1, 'only the quiet stray'
    assert quiet['id'] not in [c['id'] for c in left.values()]

    emu.reset(keep_state=True)
    rc, out, _recap = run_playbook('site', env, '--limit', EU, *scoped, *NO_SBC, *HOOKED, '-e', 'cpaas_delete_with_active_calls=true')
    assert rc == 0, out
    assert 'stray-busy' not in connections(emu)
    assert emu.stats()['by_route'].get('GET /v2/connections/{id}/active_calls', 0) == 0
    emu.reset(keep_state=True)
    rc, out, recap = run_playbook('site', env, '--limit', EU, *scoped, *NO_SBC, *HOOKED)
    assert rc == 0 and recap[EU]['changed'] == 0, out
    assert writes(emu.stats()) == 0


def test_trunks_without_a_webhook_url_are_deleted_without_asking_and_the_run_warns(emu, env):
    """The default trunk has no webhook URL: Telnyx would refuse to list its calls (422), so nothing is asked, the
    trunk goes, and the run says which connections were deleted unchecked."""
    rc, out, _recap = run_playbook('site', env, '--limit', EU, *NO_SBC)
    assert rc == 0, out
    made = connections(emu)
    eu = sorted(name for name in made if name.startswith('initech-eu-demo-'))
    assert len(eu) == 3 and not any(made[name].get('webhook_event_url') for name in eu), eu
    set_calls(emu, made[CRED]['id'], 2)  # calls Telnyx would not tell about
    emu.reset(keep_state=True)
    rc, out, _recap = run_playbook('teardown', env, '--limit', EU, *CONFIRM)
    assert rc == 0, out
    assert not set(eu) & set(connections(emu))
    assert emu.stats()['by_route'].get('GET /v2/connections/{id}/active_calls', 0) == 0
    flat = ''.join(out.split())  # Ansible wraps warnings at the terminal width
    for name in eu:
        warning = ("calls in progress were not checked before deleting 1 connection(s) without a webhook URL: '%s'. Telnyx lists "
                   "the calls of a SIP connection only when it has a webhook URL (webhook_url)" % name)
        assert ''.join(warning.split()) in flat, (name, out[-3000:])
