# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A TLS trunk: the SBC answers SIP over TLS on port + 1 and sends the trunk's calls to Telnyx over TLS,
verifying the carrier's certificate (a TLS stand-in with a test certificate that the role is told to trust)."""

from __future__ import annotations

import re
import shutil
import socket
import ssl

import pytest

from conftest import CARRIER1, CARRIER2, CARRIER_TLS_PORT, CC, SBC_PORT, TOKEN, ip_trunk, serve, tls_bed, wait_for
from siptools import Endpoint, TlsCarrier, request, sdp, make_pki

TRUNKS = [ip_trunk('acme-tls', SBC_PORT, ip_auth_method='token', token=TOKEN, inbound={'transport': 'TLS'})]

pytestmark = pytest.mark.skipif(not shutil.which('openssl'), reason='openssl is needed to make a test certificate')


@pytest.fixture(scope='module')
def bed(tmp_path_factory):
    bed = tls_bed(tmp_path_factory, 'tls', TRUNKS)
    bed.wrong_cert, bed.wrong_key = make_pki.leaf(bed.ca.parent, 'attacker.example')
    yield from serve(bed)


def test_sbc_answers_sip_over_tls(bed):
    context = ssl.create_default_context(cafile=str(bed.ca))
    context.check_hostname = False
    with socket.create_connection((CC, SBC_PORT + 1), timeout=5) as raw, context.wrap_socket(raw) as tls:
        assert tls.version() in ('TLSv1.2', 'TLSv1.3')
        local = '%s:%d' % tls.getsockname()[:2]
        tls.sendall(('OPTIONS sip:%s:%d;transport=tls SIP/2.0\r\nVia: SIP/2.0/TLS %s;branch=z9hG4bK-tls1\r\n'
                     'From: <sip:probe@%s>;tag=1\r\nTo: <sip:%s:%d>\r\nCall-ID: tls-probe-1\r\nCSeq: 1 OPTIONS\r\n'
                     'Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n' % (CC, SBC_PORT + 1, local, local, CC, SBC_PORT + 1)).encode())
        assert tls.recv(4096).startswith(b'SIP/2.0 200')


def _verified(bed, address, name):
    return bed.log_lines(r'TLS connection \d+ to %s:%d verified as %s' % (re.escape(address), CARRIER_TLS_PORT, re.escape(name)))


def test_calls_go_to_the_carrier_over_verified_tls(bed, parties):
    carrier = TlsCarrier(CARRIER1, CARRIER_TLS_PORT, str(bed.cert), str(bed.key))
    try:
        # the SBC's OPTIONS probe (no token) opens the connection and checks the certificate's name first
        assert wait_for(lambda: _verified(bed, CARRIER1, 'sip.telnyx.com'), 10)
        assert wait_for(lambda: bed.kamailio.dispatcher_flags(10).get('sip:%s:%d;transport=tls' % (CARRIER1, CARRIER_TLS_PORT), '')
                        .startswith('A'), 10)
        rc, replies = parties.uac('tls-call', '+18005551234', SBC_PORT, scenario='uac_expect403.xml')
    finally:
        carrier.stop()
    assert rc == 0 and any(r.startswith('SIP/2.0 403') for r in replies)
    invites = [r for r in carrier.requests if r.startswith('INVITE ')]
    assert len(invites) == 1
    assert invites[0].startswith('INVITE sip:+18005551234@sip.telnyx.com')
    assert re.search(r'^Via: SIP/2.0/TLS 127\.0\.0\.1:%d' % (SBC_PORT + 1), invites[0], flags=re.M)
    assert re.search(r'^X-Telnyx-Token: %s\r?$' % TOKEN, invites[0], flags=re.M)
    assert carrier.versions[0] in ('TLSv1.2', 'TLSv1.3')


def test_only_the_pinned_cas_are_trusted(bed):
    tls_cfg = (bed.config_dir / 'tls.cfg').read_text()
    assert 'ca_list = %s/carrier-ca.pem' % bed.config_dir in tls_cfg
    assert '/etc/ssl' not in tls_cfg
    assert (bed.config_dir / 'carrier-ca.pem').read_bytes() == bed.ca.read_bytes()


def test_a_wrong_name_from_a_trusted_ca_gets_no_call_and_no_token(bed):
    """Both Telnyx addresses present CN=attacker.example from the pinned CA: no request, no token reaches them."""
    carriers = [TlsCarrier(a, CARRIER_TLS_PORT, str(bed.wrong_cert), str(bed.wrong_key)) for a in (CARRIER1, CARRIER2)]
    try:
        for address in (CARRIER1, CARRIER2):
            assert wait_for(lambda: bed.log_lines(r'TLS peer %s:%d presented CN=attacker\.example' % (re.escape(address), CARRIER_TLS_PORT)), 10)
        with Endpoint(CC, SBC_PORT + 28) as pbx:
            pbx.send(request('INVITE', 'sip:+18005551234@%s:%d' % (CC, SBC_PORT), pbx.address, (CC, SBC_PORT),
                             body=sdp(CC, 6090)), (CC, SBC_PORT))
            final = pbx.wait(r'^SIP/2\.0 [3-6]\d\d', 15)
    finally:
        for carrier in carriers:
            carrier.stop()
    assert final and final[0].startswith('SIP/2.0 503'), final
    for carrier in carriers:
        assert carrier.versions, 'the SBC never tried TLS toward %s' % carrier.listener
        assert not [r for r in carrier.requests if not r.startswith('OPTIONS ')]
        assert not [r for r in carrier.requests if TOKEN in r]
