# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sip_connections and complete drift (issue 13): unmanaged copies reported (never deleted), updated_at in the results,
and a pruned connection's diff holding the values Telnyx held (not only option names)."""

from __future__ import annotations

import copy
import json

from ansible_collections.byoc.carrier.tests.unit.plugins.fake_api import calls_page
from ansible_collections.byoc.carrier.tests.unit.plugins.modules.module_runner import fixture_api  # noqa: F401 pylint: disable=unused-import
from ansible_collections.byoc.carrier.tests.unit.plugins.modules.test_sip_connections import (
    CRED, CRED_OBJ, IP_OBJ, IPS, OVPS, PASSWORD, TOKEN, account, echo, run)

STAMP = '2026-11-29T17:02:11.000Z'


def test_prune_tags_without_prune_report_the_unmanaged_copies_and_delete_nothing(api):
    copy_obj = dict(IP_OBJ, id='400', connection_name='acme-old', updated_at=STAMP, inbound={'default_primary_ip_id': '401'})
    untagged = dict(CRED_OBJ, id='500', connection_name='someone-else', tags=[])
    half_tagged = dict(CRED_OBJ, id='600', connection_name='acme-staging', tags=['acme', 'staging'])
    account(api, [dict(CRED_OBJ, updated_at=STAMP), untagged, half_tagged], [copy_obj], [], ovps=OVPS)
    result = run(api, [CRED], prune_tags=['acme', 'prod'], results='all')
    assert not result.get('failed'), result
    # the account read once (no /ips, /fqdns: a report needs no addresses), nothing written
    reads = [('GET', '/credential_connections'), ('GET', '/fqdn_connections'), ('GET', '/ip_connections'), ('GET', '/outbound_voice_profiles')]
    assert sorted(c[:2] for c in api.calls) == reads
    assert result['unmanaged'] == [{'name': 'acme-old', 'id': '400', 'type': 'ip', 'tags': ['acme', 'prod'], 'updated_at': STAMP}]
    assert [r['name'] for r in result['results']] == ['acme-cred']
    assert result['results'][0]['updated_at'] == STAMP and result['results'][0]['status'] == 'unchanged'
    assert result['changed'] is False


def test_without_prune_tags_nothing_is_reported_unmanaged(api):
    account(api, [CRED_OBJ], [dict(IP_OBJ, id='400', connection_name='acme-old')], [], ovps=OVPS)
    result = run(api, [CRED])
    assert result['unmanaged'] == []


def test_a_pruned_connection_in_check_and_diff_mode_shows_what_telnyx_holds(api):
    old = dict(IP_OBJ, id='400', connection_name='acme-old', updated_at=STAMP, dtmf_type='Inband', anchorsite_override='Latency',
               inbound={'default_primary_ip_id': '401', 'codecs': ['G711U']}, outbound=dict(IP_OBJ['outbound'], localization='NL'))
    account(api, [CRED_OBJ], [old], [], ips=[dict(IPS[0], id='401', connection_id='400')], fqdns=[], ovps=OVPS)
    result = run(api, [CRED], check=True, diff=True, prune=True, prune_tags=['acme', 'prod'], results='all')
    assert not result.get('failed'), result
    assert [c for c in api.calls if c[0] != 'GET'] == []
    assert result['results'][1]['updated_at'] == STAMP and result['results'][1]['status'] == 'deleted'
    before = result['diff']['before']['acme-old']
    assert before['id'] == '400' and before['type'] == 'ip'
    assert before['dtmf_type'] == 'Inband' and before['anchorsite'] == 'Latency' and before['ip_auth_method'] == 'token'
    assert before['token'] == '********'
    assert before['inbound']['codecs'] == ['G711U'] and before['outbound']['localization'] == 'NL'
    assert 'acme-old' not in result['diff']['after']
    assert TOKEN not in json.dumps(result) and PASSWORD not in json.dumps(result)


def test_a_real_prune_deletes_exactly_the_tagged_copy(api):
    old = dict(IP_OBJ, id='400', connection_name='acme-old', inbound={'default_primary_ip_id': '401'},
               webhook_event_url='https://hooks.example.com/acme')
    account(api, [CRED_OBJ], [old], [], ips=[dict(IPS[0], id='401', connection_id='400')], fqdns=[], ovps=OVPS)
    api.add('GET', '/connections/400/active_calls', json=calls_page(0))  # the active calls guard of a connection with a webhook URL
    api.add('DELETE', '/ips/401', handler=echo({'id': '401'}))
    api.add('DELETE', '/ip_connections/400', handler=echo(old))
    result = run(api, [copy.deepcopy(CRED)], prune=True, prune_tags=['acme', 'prod'])
    assert [c[:2] for c in api.calls if c[0] != 'GET'] == [('DELETE', '/ips/401'), ('DELETE', '/ip_connections/400')]
    assert result['unmanaged'] == []  # pruned, not reported as unmanaged
