# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A credentials trunk (over TCP): the SBC registers with digest auth and answers a 407 on INVITE."""

from __future__ import annotations

import pytest

from conftest import CARRIER1, CARRIER_PORT, CC, PASSWORD, SBC_PORT, USERNAME, digest_valid, header, make_bed, serve, wait_for

# a credentials trunk has no Telnyx-side transport: the SBC's (registration and calls) is sbc_transport
TRUNKS = [{'name': 'acme-cred', 'type': 'credentials', 'sbc_port': SBC_PORT, 'sbc_transport': 'TCP', 'username': USERNAME,
           'password': PASSWORD}]


@pytest.fixture(scope='module')
def bed(tmp_path_factory):
    bed = make_bed(tmp_path_factory, 'credentials', TRUNKS)
    # the registrar must be up before Kamailio sends its first REGISTER
    bed.registrar = bed.sip.uas('registrar', CARRIER1, CARRIER_PORT, scenario='uas_registrar.xml', transport='t1')
    yield from serve(bed)


def test_files_hold_the_password_privately(bed):
    uacreg = bed.config_dir / 'dbtext' / 'uacreg'
    assert oct(uacreg.stat().st_mode & 0o777) == '0o640'
    assert oct((bed.config_dir / 'kamailio.cfg').stat().st_mode & 0o777) == '0o640'
    # ':' inside the password is escaped for db_text
    assert PASSWORD.replace(':', '\\:') in uacreg.read_text()


def test_registers_and_answers_the_digest_challenge(bed):
    registrar = bed.registrar
    assert wait_for(lambda: len(registrar.requests('REGISTER')) >= 2, 20), 'no authenticated REGISTER arrived'
    first, second = registrar.requests('REGISTER')[:2]
    assert header(first, 'Authorization') is None
    assert digest_valid(second, 'REGISTER', USERNAME, PASSWORD)
    assert second.startswith('REGISTER sip:sip.telnyx.com')
    assert 'sip:%s@%s:%d' % (USERNAME, CC, bed.trunk_port(0)) in header(second, 'Contact')
    assert second.count('SIP/2.0/TCP') >= 1
    assert any(m.startswith('SIP/2.0 200') for m in registrar.messages('sent'))
    # Kamailio's own view: the registration is online (flag 16)
    assert wait_for(lambda: _registered(bed), 10)


def _registered(bed):
    for line in bed.kamailio.kamcmd('uac.reg_info', 'l_uuid', USERNAME).splitlines():
        if line.strip().startswith('flags:'):
            return int(line.split(':')[1]) & 16
    return False


def test_invite_answers_407_with_the_trunk_credentials(bed, parties):
    bed.registrar.stop()
    carrier = parties.uas('carrier1-auth', CARRIER1, CARRIER_PORT, scenario='uas_auth407.xml', transport='t1')
    rc, _replies = parties.uac('cred-call', '+18005551234', bed.trunk_port(0))
    assert rc == 0
    invites = carrier.requests('INVITE')
    assert len(invites) == 2
    assert header(invites[0], 'Proxy-Authorization') is None
    assert invites[1].startswith('INVITE sip:+18005551234@sip.telnyx.com SIP/2.0')
    assert digest_valid(invites[1], 'INVITE', USERNAME, PASSWORD)
    assert header(invites[1], 'X-Telnyx-Token') is None
