# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ports follow sbc_port, not a trunk's position (issue #17): the trunks of test_calls in the reverse order still pick
their calls by their own ports, through a real Kamailio."""

from __future__ import annotations

import pytest

from conftest import CARRIER1, CARRIER2, CARRIER_PORT, SBC_PORT, TECH_PREFIX, TOKEN, header, ip_trunk, make_bed, serve

# test_calls.py has acme-token first on SBC_PORT and acme-prefix second on SBC_PORT + 2: here the order is reversed
TRUNKS = [
    ip_trunk('acme-prefix', SBC_PORT + 2, ip_auth_method='tech_prefix', tech_prefix=TECH_PREFIX),
    ip_trunk('acme-token', SBC_PORT, ip_auth_method='token', token=TOKEN),
]
NUMBER = '+18005551234'


@pytest.fixture(scope='module')
def bed(tmp_path_factory):
    yield from serve(make_bed(tmp_path_factory, 'reorder', TRUNKS, sbc_carrier_addresses=[
        {'address': CARRIER1, 'port': CARRIER_PORT}, {'address': CARRIER2, 'port': CARRIER_PORT}]))


def test_the_rendered_ports_are_the_trunks_sbc_ports(bed):
    cfg = (bed.config_dir / 'kamailio.cfg').read_text()
    assert '#   acme-prefix (ip): PBX and Telnyx use 127.0.0.1:%d' % (SBC_PORT + 2) in cfg
    assert '#   acme-token (ip): PBX and Telnyx use 127.0.0.1:%d' % SBC_PORT in cfg


@pytest.mark.parametrize('port, ruri_user, token', [
    (SBC_PORT, NUMBER, TOKEN),
    (SBC_PORT + 2, TECH_PREFIX + NUMBER.lstrip('+'), None),
], ids=['sbc_port-of-acme-token', 'sbc_port-of-acme-prefix'])
def test_a_call_on_a_trunks_port_goes_out_as_that_trunk(bed, parties, port, ruri_user, token):
    primary = parties.uas('carrier1', CARRIER1, CARRIER_PORT)
    rc, _replies = parties.uac('reordered-call', NUMBER, port)
    assert rc == 0
    invite = primary.requests('INVITE')[0]
    assert invite.splitlines()[0] == 'INVITE sip:%s@sip.telnyx.com SIP/2.0' % ruri_user
    assert header(invite, 'X-Telnyx-Token') == token
