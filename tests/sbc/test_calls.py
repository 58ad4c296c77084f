# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Real SIP calls (sipp) through a Kamailio configured by the sbc role: IP trunks, failover, inbound."""

from __future__ import annotations

import re
import time

import pytest

from conftest import (CALLER_PORT, CARRIER1, CARRIER2, CARRIER_PORT, CC, MEDIA_PORT, PBX_PORT, SBC_PORT, STRANGER, TECH_PREFIX, TOKEN,
                      header, ip_trunk, make_bed, parse_trace, serve, wait_for)

TRUNKS = [
    ip_trunk('acme-token', SBC_PORT, ip_auth_method='token', token=TOKEN),
    ip_trunk('acme-prefix', SBC_PORT + 2, ip_auth_method='tech_prefix', tech_prefix=TECH_PREFIX),
    ip_trunk('acme-tcp', SBC_PORT + 4, ip_auth_method='token', token=TOKEN, inbound={'transport': 'TCP'}),
]
NUMBER = '+18005551234'
BOT = 'bot_ccbyoc_01'


@pytest.fixture(scope='module')
def bed(tmp_path_factory):
    yield from serve(make_bed(tmp_path_factory, 'calls', TRUNKS))


def _ruri(message):
    return message.splitlines()[0]


def _media_formats(message):
    m = re.search(r'^m=audio \d+ RTP/AVP ([0-9 ]+?)\r?$', message, flags=re.M)
    return m.group(1).split() if m else None


def test_outbound_token_trunk(bed, parties):
    primary = parties.uas('carrier1', CARRIER1, CARRIER_PORT)
    secondary = parties.uas('carrier2', CARRIER2, CARRIER_PORT, media_port=MEDIA_PORT + 3)
    rc, _replies = parties.uac('token-call', NUMBER, bed.trunk_port(0))
    assert rc == 0
    invites = primary.requests('INVITE')
    assert len(invites) == 1 and not secondary.requests('INVITE')
    assert _ruri(invites[0]) == 'INVITE sip:%s@sip.telnyx.com SIP/2.0' % NUMBER
    assert header(invites[0], 'X-Telnyx-Token') == TOKEN
    # G.711 and RFC 2833 only: the caller's G.729 offer is stripped
    assert _media_formats(invites[0]) == ['0', '8', '101']
    assert len(primary.requests('BYE')) == 1


def test_outbound_tech_prefix_on_numbers(bed, parties):
    primary = parties.uas('carrier1', CARRIER1, CARRIER_PORT)
    rc, _replies = parties.uac('prefix-call', NUMBER, bed.trunk_port(1))
    assert rc == 0
    invite = primary.requests('INVITE')[0]
    assert _ruri(invite) == 'INVITE sip:%s18005551234@sip.telnyx.com SIP/2.0' % TECH_PREFIX
    assert header(invite, 'X-Telnyx-Token') is None


def test_transfer_to_bot_sip_uri_gets_no_prefix(bed, parties):
    primary = parties.uas('carrier1', CARRIER1, CARRIER_PORT)
    rc, _replies = parties.uac('bot-call', BOT, bed.trunk_port(1))
    assert rc == 0
    assert _ruri(primary.requests('INVITE')[0]) == 'INVITE sip:%s@sip.telnyx.com SIP/2.0' % BOT


def test_tcp_trunk_uses_tcp_toward_the_carrier(bed, parties):
    primary = parties.uas('carrier1-tcp', CARRIER1, CARRIER_PORT, transport='t1')
    rc, _replies = parties.uac('tcp-call', NUMBER, bed.trunk_port(2))
    assert rc == 0
    invite = primary.requests('INVITE')[0]
    assert re.search(r'^Via: SIP/2.0/TCP 127\.0\.0\.1:%d' % bed.trunk_port(2), invite, flags=re.M)
    assert header(invite, 'X-Telnyx-Token') == TOKEN


def test_tcp_failover_on_transport_error(bed, parties):
    # nothing accepts TCP on the primary: the connection is refused, the primary is marked inactive and the secondary takes the call
    secondary = parties.uas('carrier2-tcp', CARRIER2, CARRIER_PORT, media_port=MEDIA_PORT + 3, transport='t1')
    rc, _replies = parties.uac('tcp-failover', NUMBER, bed.trunk_port(2))
    assert rc == 0
    assert len(secondary.requests('INVITE')) == 1
    assert bed.kamailio.dispatcher_flags(12)['sip:%s:%d;transport=tcp' % (CARRIER1, CARRIER_PORT)].startswith('I')


@pytest.mark.parametrize('trunk', [0, 1])
def test_inbound_from_carrier_reaches_pbx(bed, parties, trunk):
    pbx = parties.uas('pbx', CC, PBX_PORT, media_port=MEDIA_PORT + 11)
    rc, _replies = parties.uac('inbound', '+15551230000', bed.trunk_port(trunk), ip=CARRIER1, port=SBC_PORT + 30, media_port=MEDIA_PORT + 12)
    assert rc == 0
    invite = pbx.requests('INVITE')[0]
    assert _ruri(invite) == 'INVITE sip:+15551230000@%s:%d SIP/2.0' % (CC, PBX_PORT)
    assert header(invite, 'X-BYOC-Trunk') == TRUNKS[trunk]['name']
    assert len(pbx.requests('BYE')) == 1


def test_inbound_from_unlisted_address_gets_403(bed, parties):
    pbx = parties.uas('pbx', CC, PBX_PORT, media_port=MEDIA_PORT + 11)
    rc, replies = parties.uac('stranger', '+15551230000', bed.trunk_port(0), ip=STRANGER, port=SBC_PORT + 30,
                              scenario='uac_expect403.xml', media_port=MEDIA_PORT + 13)
    assert rc == 0
    assert any(r.startswith('SIP/2.0 403') for r in replies)
    assert not pbx.requests('INVITE')


def test_failover_when_primary_answers_503(bed, parties):
    primary = parties.uas('carrier1-503', CARRIER1, CARRIER_PORT, scenario='uas_503.xml')
    secondary = parties.uas('carrier2', CARRIER2, CARRIER_PORT, media_port=MEDIA_PORT + 3)
    rc, _replies = parties.uac('failover-503', NUMBER, bed.trunk_port(0))
    assert rc == 0
    assert len(primary.requests('INVITE')) == 1
    invite = secondary.requests('INVITE')[0]
    assert header(invite, 'X-Telnyx-Token') == TOKEN
    assert len(secondary.requests('BYE')) == 1


def test_failover_when_primary_is_down_and_probing_brings_it_back(bed, parties):
    secondary = parties.uas('carrier2', CARRIER2, CARRIER_PORT, media_port=MEDIA_PORT + 3)
    start = time.monotonic()
    rc, _replies = parties.uac('primary-down', NUMBER, bed.trunk_port(0))
    took = time.monotonic() - start
    assert rc == 0
    assert took >= 2.0, 'the 2 s INVITE timeout toward the dead primary was not waited for'
    assert len(secondary.requests('INVITE')) == 1
    primary_uri = 'sip:%s:%d;transport=udp' % (CARRIER1, CARRIER_PORT)
    assert bed.kamailio.dispatcher_flags(10)[primary_uri].startswith('I')
    # the dead primary is out: the next call goes straight to the secondary (first choice in the log)
    picked = r'SBC: acme-token outbound INVITE \S+ -> sip:%s:%d'
    before = len(bed.log_lines(picked % (CARRIER2, CARRIER_PORT)))
    rc, _replies = parties.uac('primary-still-down', NUMBER, bed.trunk_port(0))
    assert rc == 0
    assert len(secondary.requests('INVITE')) == 2
    assert len(bed.log_lines(picked % (CARRIER2, CARRIER_PORT))) == before + 1
    # the primary comes back: OPTIONS probing re-activates it and calls use it again
    primary = parties.uas('carrier1', CARRIER1, CARRIER_PORT)
    assert wait_for(lambda: bed.kamailio.dispatcher_flags(10)[primary_uri].startswith('A'), 10)
    rc, _replies = parties.uac('primary-back', NUMBER, bed.trunk_port(0))
    assert rc == 0
    assert len(primary.requests('INVITE')) == 1 and len(secondary.requests('INVITE')) == 2


def test_topology_is_hidden_from_telnyx(bed, parties):
    """Telnyx sees the SBC in Via, Contact and From, and neither the caller's address (port CALLER_PORT) nor its Call-ID."""
    primary = parties.uas('carrier1', CARRIER1, CARRIER_PORT)
    rc, _replies = parties.uac('hidden-call', NUMBER, bed.trunk_port(0))
    assert rc == 0
    caller_sent = [m for d, m in parse_trace(parties.logdir / ('%02d-hidden-call.msg' % parties.count)) if d == 'sent']
    caller_call_id = header(caller_sent[0], 'Call-ID')
    received = primary.messages()
    assert [m.split(' ', 1)[0] for m in received if not m.startswith('OPTIONS')][:3] == ['INVITE', 'ACK', 'BYE']
    for message in received:
        heads = message.split('\n\n', 1)[0]
        assert ':%d' % CALLER_PORT not in heads, message
        assert caller_call_id not in heads
    invite = primary.requests('INVITE')[0]
    assert re.search(r'^From: "CC Agent" <sip:agent1001@%s>;tag=' % re.escape(CC), invite, flags=re.M)
    assert header(invite, 'Contact').startswith('<sip:%s;' % CC)
    assert len(re.findall(r'^Via:', invite, flags=re.M)) == 2 and ';branch=z9hG4bKsr-' in invite
