# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Media and interop settings of the settings table: noise suppression, jitter buffer, PRACK, SHAKEN/STIR, ISUP headers.

Each maps to Telnyx's connection field of the same meaning (credential, IP and FQDN connections alike)."""

from __future__ import annotations

import pytest

from ansible_collections.byoc.carrier.plugins.module_utils import _settings as S
from ansible_collections.byoc.carrier.plugins.module_utils import _trunk as T

MEDIA = {'noise_suppression': 'inbound', 'noise_suppression_details': {'engine': 'krisp_viva_tel', 'attenuation_limit': 80},
         'jitter_buffer': {'enabled': True, 'min_msec': 60, 'max_msec': 120}}
INTEROP = {'prack': True, 'shaken_stir': True, 'isup_headers': False}
# what Telnyx holds for a connection created with its defaults (its spec's defaults)
DEFAULTS = {'noise_suppression_details': {'engine': 'denoiser'},
            'jitter_buffer': {'enable_jitter_buffer': False, 'jitterbuffer_msec_max': 200, 'jitterbuffer_msec_min': 60},
            'inbound': {'prack_enabled': False, 'shaken_stir_enabled': False, 'isup_headers_enabled': False, 'codecs': ['G711U']}}


@pytest.mark.parametrize('kind', S.KINDS)
def test_bodies_use_telnyx_fields(kind):
    assert S.to_api('connection', kind, MEDIA) == {
        'noise_suppression': 'inbound', 'noise_suppression_details': {'engine': 'krisp_viva_tel', 'attenuation_limit': 80},
        'jitter_buffer': {'enable_jitter_buffer': True, 'jitterbuffer_msec_min': 60, 'jitterbuffer_msec_max': 120}}
    assert S.to_api('inbound', kind, INTEROP) == {
        'inbound': {'prack_enabled': True, 'shaken_stir_enabled': True, 'isup_headers_enabled': False}}


def test_diff_sends_nested_objects_whole_and_only_what_differs():
    changed, body = S.diff('connection', 'ip', MEDIA, DEFAULTS)
    assert changed == ['noise_suppression', 'noise_suppression_details', 'jitter_buffer']
    assert body['jitter_buffer'] == {'enable_jitter_buffer': True, 'jitterbuffer_msec_min': 60, 'jitterbuffer_msec_max': 120}
    assert body['noise_suppression_details'] == {'engine': 'krisp_viva_tel', 'attenuation_limit': 80}
    changed, body = S.diff('connection', 'ip', {'jitter_buffer': {'min_msec': 60}}, DEFAULTS)
    assert (changed, body) == ([], {})
    changed, body = S.diff('inbound', 'credentials', {'prack': True, 'isup_headers': False}, DEFAULTS)
    assert changed == ['prack']
    # the inbound object is sent whole (the engine's rule for nested objects), the other fields as they were
    assert body == {'inbound': {'prack_enabled': True, 'shaken_stir_enabled': False, 'isup_headers_enabled': False, 'codecs': ['G711U']}}


def test_views_for_diff_mode():
    obj = S.apply_patch(DEFAULTS, S.to_api('connection', 'fqdn', MEDIA))
    assert S.from_api('connection', 'fqdn', obj, MEDIA) == MEDIA
    assert S.from_api('inbound', 'fqdn', DEFAULTS, INTEROP) == {'prack': False, 'shaken_stir': False, 'isup_headers': False}


@pytest.mark.parametrize('params, message', [
    ({'noise_suppression': 'loud'}, "noise_suppression: must be one of 'inbound', 'outbound', 'both', 'disabled'"),
    ({'noise_suppression_details': {'engine': 'rnnoise'}}, "noise_suppression_details.engine: must be one of 'denoiser'"),
    ({'noise_suppression_details': {'attenuation_limit': 85}}, 'noise_suppression_details.attenuation_limit: must be a multiple of 10, got 85'),
    ({'noise_suppression_details': {'attenuation_limit': 110}}, 'noise_suppression_details.attenuation_limit: must be between 0 and 100, got 110'),
    ({'jitter_buffer': {'min_msec': 20}}, 'jitter_buffer.min_msec: must be between 40 and 400, got 20'),
    ({'jitter_buffer': {'max_msec': 401}}, 'jitter_buffer.max_msec: must be between 40 and 400, got 401'),
    ({'jitter_buffer': {'min_msec': 300, 'max_msec': 100}}, 'jitter_buffer.min_msec: must not exceed jitter_buffer.max_msec (got 300 > 100)'),
    ({'jitter_buffer': {'enabled': 'yes'}}, 'jitter_buffer.enabled: must be a boolean'),
])
def test_validation_names_the_option(params, message):
    problems = S.validate('connection', 'credentials', params)
    assert len(problems) == 1 and problems[0].startswith(message), problems


def test_interop_flags_are_booleans_on_every_kind():
    for kind in S.KINDS:
        assert S.validate('inbound', kind, INTEROP) == []
    assert S.validate('inbound', 'ip', {'prack': 'on'}) == ['prack: must be a boolean']


def test_argument_specs_follow_the_table():
    spec = S.argument_spec('connection')
    assert spec['noise_suppression'] == {'type': 'str', 'choices': ['inbound', 'outbound', 'both', 'disabled']}
    assert spec['jitter_buffer'] == {'type': 'dict', 'options': {'enabled': {'type': 'bool'}, 'min_msec': {'type': 'int'}, 'max_msec': {'type': 'int'}}}
    assert spec['noise_suppression_details']['options']['engine']['choices'][0] == 'denoiser'
    assert S.argument_spec('inbound')['shaken_stir'] == {'type': 'bool'}


def test_a_trunk_takes_them_and_its_entry_carries_them():
    trunk = dict({'name': 'bot-ip', 'type': 'ip', 'sbc_port': 5062, 'ips': [{'address': '192.0.2.10', 'port': 5062}],
                  'inbound': dict(INTEROP)}, **MEDIA)
    assert T.trunk_problems(trunk) == []
    entry = T.entry(trunk, 'com')
    assert entry['jitter_buffer'] == MEDIA['jitter_buffer'] and entry['inbound'] == INTEROP
    bad = dict(trunk, jitter_buffer={'min_msec': 10}, inbound={'prack': 'yes'})
    assert T.trunk_problems(bad) == [('jitter_buffer.min_msec', 'must be between 40 and 400, got 10'), ('inbound.prack', 'must be a boolean')]


def test_a_minimum_above_the_maximum_the_connection_would_have_is_refused_before_any_write():
    """Telnyx refuses jitterbuffer_msec_min > jitterbuffer_msec_max; one option given meets the other as Telnyx has it
    (an update: the connection's value; a create: Telnyx's default, 200 ms)."""
    from ansible_collections.byoc.carrier.plugins.module_utils import _runner  # pylint: disable=import-outside-toplevel
    scopes = [('connection', '', {'jitter_buffer': {'enabled': True, 'min_msec': 300}})]
    assert S.validate('connection', 'ip', scopes[0][2]) == []  # nothing to compare it with yet
    changes, body, _after, problems = _runner.plan_update('ip', DEFAULTS, scopes)
    assert changes == ['jitter_buffer'] and body['jitter_buffer']['jitterbuffer_msec_max'] == 200
    assert problems == ['jitter_buffer.min_msec: must not exceed jitter_buffer.max_msec (the connection would have 300 > 200)']
    assert _runner.plan_create('ip', scopes)[1] == problems
    assert _runner.plan_create('ip', [('connection', '', {'jitter_buffer': {'min_msec': 300, 'max_msec': 400}})])[1] == []
    assert _runner.plan_update('ip', DEFAULTS, [('connection', '', {'jitter_buffer': {'max_msec': 50}})])[3] == [
        'jitter_buffer.min_msec: must not exceed jitter_buffer.max_msec (the connection would have 60 > 50)']


@pytest.mark.parametrize('kind', ['ip', 'fqdn'])
def test_isup_headers_need_tcp_or_tls_on_the_connection_as_the_write_leaves_it(kind):
    """Telnyx's API reference: ISUP headers come "only when using TCP or TLS transport"."""
    from ansible_collections.byoc.carrier.plugins.module_utils import _runner  # pylint: disable=import-outside-toplevel
    wanted = [('inbound', 'inbound.', {'isup_headers': True})]
    problem = ('inbound.isup_headers: Telnyx sends ISUP headers only over TCP or TLS (the connection would have transport %s); '
               'set inbound.transport to TCP or TLS')
    assert _runner.plan_create(kind, wanted)[1] == [problem % 'UDP']
    assert _runner.plan_update(kind, dict(DEFAULTS, transport_protocol='UDP'), wanted)[3] == [problem % 'UDP']
    assert _runner.plan_update(kind, dict(DEFAULTS, transport_protocol='TCP'), wanted)[3] == []
    assert _runner.plan_create(kind, wanted + [('inbound', 'inbound.', {'transport': 'TLS'})])[1] == []


def test_isup_headers_on_credentials_connections_depend_on_the_device_not_checked():
    from ansible_collections.byoc.carrier.plugins.module_utils import _runner  # pylint: disable=import-outside-toplevel
    assert _runner.plan_create('credentials', [('inbound', 'inbound.', {'isup_headers': True})])[1] == []
