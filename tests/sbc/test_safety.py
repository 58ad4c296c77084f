# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Changing a running SBC with the role: lists reload without restart; a broken input changes nothing."""

from __future__ import annotations

import hashlib
import shutil
import subprocess

import pytest

from conftest import CARRIER1, CARRIER2, CARRIER_PORT, RTP_PORTS, SBC_PORT, TOKEN, base_vars, ip_trunk, make_bed, run_role, serve, wait_for

TRUNKS = [ip_trunk('acme-token', SBC_PORT, ip_auth_method='token', token=TOKEN)]
NEW_CARRIER = '127.0.0.4'
SERVING = ('kamailio.cfg', 'dispatcher.list', 'address.list')


@pytest.fixture(scope='module')
def bed(tmp_path_factory):
    yield from serve(make_bed(tmp_path_factory, 'safety', TRUNKS))


def _snapshot(bed):
    return {name: hashlib.sha256((bed.config_dir / name).read_bytes()).hexdigest() for name in SERVING}


def _carriers(*addresses):
    return [{'address': a, 'port': CARRIER_PORT} for a in addresses]


def _call_succeeds(bed, parties):
    carrier = parties.uas('carrier1', CARRIER1, CARRIER_PORT)
    rc, _replies = parties.uac('call', '+18005551234', bed.trunk_port(0))
    carrier.stop()
    return rc == 0 and len(carrier.requests('INVITE')) == 1


def test_list_change_reloads_without_restart(bed):
    pid = bed.kamailio.pid
    cfg_before = _snapshot(bed)['kamailio.cfg']
    proc = bed.render(sbc_reload_lists=True, sbc_carrier_addresses=_carriers(CARRIER1, CARRIER2, NEW_CARRIER))
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert 'Reload the dispatcher list' in proc.stdout and 'Reload the permissions list' in proc.stdout
    assert _snapshot(bed)['kamailio.cfg'] == cfg_before
    new_uri = 'sip:%s:%d;transport=udp' % (NEW_CARRIER, CARRIER_PORT)
    assert wait_for(lambda: new_uri in bed.kamailio.dispatcher_flags(10), 10)
    assert NEW_CARRIER in bed.kamailio.kamcmd('permissions.addressDump')
    assert bed.kamailio.alive() and bed.kamailio.pid == pid


SRTP_TRUNKS = [ip_trunk('srtp-udp', SBC_PORT, ip_auth_method='token', token=TOKEN, inbound={'encrypted_media': 'SRTP'}),
               {'name': 'srtp-cred', 'type': 'credentials', 'sbc_port': SBC_PORT + 2, 'sbc_transport': 'TCP', 'username': 'srtpcred1',
                'password': 'srtp-Secret-1', 'inbound': {'encrypted_media': 'SRTP'}}]
BROKEN_TRUNKS = [dict(TRUNKS[0], ip_auth_method='tech_prefix', tech_prefix='12345'), dict(TRUNKS[0], name='other', token='short'),
                 dict(TRUNKS[0], name='no-port', sbc_port=None)]
# the trunk model's words (module_utils/_trunk.py), the same the trunk role says
SRTP_RULE = 'encrypted_media: SRTP requires transport TLS (SDES keys travel in the SIP body)'


@pytest.mark.parametrize('override,problems', [
    ({'sbc_carrier_addresses': _carriers(CARRIER1, '127.0.0.300', 'sip.telnyx.com')},
     ["host '127.0.0.300' is not an IP literal", "host 'sip.telnyx.com' is not an IP literal"]),
    ({'byoc_trunks': BROKEN_TRUNKS}, ['byoc_trunks[0] (acme-token): tech_prefix: must be exactly 4 digits',
                                      'byoc_trunks[1] (other): token: must be 12 to 48 letters, digits or hyphens',
                                      'byoc_trunks[2] (no-port): sbc_port: required: the SBC port the PBX sends this trunk',
                                      'byoc_trunks[1] (other): sbc_port: port %d is taken by acme-token, other on this SBC' % SBC_PORT]),
    ({'sbc_kamailio_mpath': '/nonexistent/kamailio/modules'}, ['kamailio -c rejected the generated configuration']),
    ({'byoc_trunks': SRTP_TRUNKS}, ['byoc_trunks[0] (srtp-udp): %s: set inbound.transport to TLS' % SRTP_RULE,
                                    'byoc_trunks[1] (srtp-cred): %s: set sbc_transport to TLS' % SRTP_RULE]),
], ids=['list-entries', 'trunk-values', 'kamailio-c', 'srtp-without-tls'])
def test_broken_input_leaves_the_running_sbc_alone(bed, parties, override, problems):
    pid, before = bed.kamailio.pid, _snapshot(bed)
    proc = bed.render(sbc_reload_lists=True, **override)
    assert proc.returncode != 0
    for problem in problems:  # every problem is named at once
        assert problem in proc.stdout
    assert _snapshot(bed) == before
    assert bed.kamailio.alive() and bed.kamailio.pid == pid
    assert _call_succeeds(bed, parties)


def _firewall_vars(tmp_path, **extra):
    return base_vars(tmp_path / 'etc', tmp_path / 'run', TRUNKS, sbc_firewall=True, sbc_rtpengine=True, **extra)


@pytest.mark.skipif(not shutil.which('nft', path='/usr/sbin:/usr/bin:/sbin'), reason='nft is needed (scripts/setup installs nftables)')
def test_firewall_rules_open_sip_to_telnyx_and_the_pbx_only(tmp_path):
    proc = run_role(tmp_path, _firewall_vars(tmp_path, sbc_firewall_media_networks=['127.0.0.128/25']))
    assert proc.returncode == 0, proc.stdout[-3000:]
    rules = (tmp_path / 'etc' / 'sbc-firewall.nft').read_text()
    assert 'elements = { %s, %s, %s }' % (CARRIER1, CARRIER2, '127.0.0.1') in rules
    assert 'th dport { %d } ip saddr @sip_peers4 accept' % SBC_PORT in rules and 'th dport { %d } drop' % SBC_PORT in rules
    media = '%d-%d' % RTP_PORTS
    assert 'udp dport %s ip saddr @media_peers4 accept' % media in rules and 'udp dport %s drop' % media in rules
    assert 'ct count over 32' in rules
    # the file the role wrote is what nft accepts (the role validated it with nft -c too)
    check = subprocess.run([shutil.which('nft', path='/usr/sbin:/usr/bin:/sbin'), '-c', '-f', str(tmp_path / 'etc' / 'sbc-firewall.nft')],
                           capture_output=True, text=True, timeout=30, check=False)
    assert check.returncode == 0, check.stderr


@pytest.mark.parametrize('networks,problem', [
    ([], 'sbc_firewall with sbc_rtpengine needs sbc_firewall_media_networks'),
    (['192.0.2.0/33'], 'failed to validate'),
], ids=['no-media-networks', 'nft-rejects'])
@pytest.mark.skipif(not shutil.which('nft', path='/usr/sbin:/usr/bin:/sbin'), reason='nft is needed (scripts/setup installs nftables)')
def test_firewall_refuses_bad_input(tmp_path, networks, problem):
    proc = run_role(tmp_path, _firewall_vars(tmp_path, sbc_firewall_media_networks=networks))
    assert proc.returncode != 0 and problem in proc.stdout, proc.stdout[-3000:]
    assert not (tmp_path / 'etc' / 'sbc-firewall.nft').exists()
