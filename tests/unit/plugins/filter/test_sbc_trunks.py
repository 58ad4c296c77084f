# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sbc role's trunk filter uses the one trunk model (issue #17): sbc_port required, ports unique on the SBC, SRTP only
over TLS, the Telnyx-side rules; ports follow sbc_port, never a trunk's position."""

from __future__ import annotations

import glob
import os
import re

import pytest
import yaml

from ansible.errors import AnsibleFilterError

from ansible_collections.byoc.carrier.plugins.filter.sbc_trunks import sbc_trunks
from ansible_collections.byoc.carrier.plugins.module_utils import _common, _trunk

ROOT = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..')
TOKEN = 'ccbyoc-test-token-0001'


def ip_trunk(name, port, **extra):
    trunk = {'name': name, 'type': 'ip', 'sbc_port': port, 'ips': [{'address': '192.0.2.10', 'port': port}],
             'ip_auth_method': 'token', 'token': TOKEN}
    trunk.update(extra)
    return trunk


def problems_of(trunks, **kwargs):
    with pytest.raises(AnsibleFilterError) as err:
        sbc_trunks(trunks, **kwargs)
    text = str(err.value)
    head, _sep, _rest = text.partition(': ')
    count = int(re.match(r'sbc role: (\d+) problem', text).group(1))
    problems = text.split("in byoc_trunks: ", 1)[1]
    assert head == 'sbc role'
    return count, problems


def test_sbc_port_is_required_naming_trunk_field_and_fix():
    trunks = [ip_trunk('acme-us', 5060), {'name': 'acme-eu', 'type': 'ip', 'ips': [{'address': '192.0.2.11', 'port': 5062}],
                                          'ip_auth_method': 'token', 'token': TOKEN}]
    assert problems_of(trunks) == (1, "byoc_trunks[1] (acme-eu): sbc_port: required: the SBC port the PBX sends this trunk's "
                                      "calls to, e.g. 5062 (explicit, so that reordering trunks never moves a port)")


def test_no_implicit_port_for_any_position():
    """The first trunk, too: no sbc_listen_port + 2*index fallback is left."""
    trunk = ip_trunk('only', 5060)
    del trunk['sbc_port']
    count, text = problems_of([trunk], listen_port=5060)
    assert count == 1 and text.startswith('byoc_trunks[0] (only): sbc_port: required: ')


def test_an_absent_trunk_is_checked_but_not_rendered():
    """A trunk to delete (state: absent) is not on the SBC: no record, so no port is needed and its port is free."""
    gone = ip_trunk('gone', 5060, state='absent')
    del gone['sbc_port']
    records = sbc_trunks([ip_trunk('kept', 5062), gone, ip_trunk('gone-too', 5062, state='absent')])
    assert [r['name'] for r in records] == ['kept']
    # still checked like the trunk role checks it
    assert problems_of([ip_trunk('kept', 5062), ip_trunk('odd', 5064, state='gone')]) == (
        1, 'byoc_trunks[1] (odd): state: must be present or absent')


def test_two_trunks_on_one_port_are_refused():
    trunks = [ip_trunk('a', 5060), ip_trunk('b', 5062), ip_trunk('c', 5060)]
    assert problems_of(trunks) == (1, 'byoc_trunks[2] (c): sbc_port: port 5060 is taken by a, c on this SBC '
                                      '(sbc_port; TLS also takes sbc_port + 1)')


def test_a_tls_trunk_takes_its_port_plus_one():
    tls = ip_trunk('t', 5060, ips=[{'address': '192.0.2.10', 'port': 5061}], inbound={'transport': 'TLS'})
    assert problems_of([tls, ip_trunk('u', 5061)], listen_port=5070) == (
        1, 'byoc_trunks[1] (u): sbc_port: port 5061 is taken by t, u on this SBC (sbc_port; TLS also takes sbc_port + 1)')


def test_a_tls_port_on_sbc_listen_port_is_refused():
    tls = ip_trunk('t', 5058, ips=[{'address': '192.0.2.10', 'port': 5059}], inbound={'transport': 'TLS'})
    assert problems_of([tls], listen_port=5059) == (
        1, "byoc_trunks[0] (t): sbc_port: TLS takes sbc_port + 1 = 5059, which is sbc_listen_port (the SBC's default "
           "Contact port): choose another sbc_port or sbc_listen_port")
    assert sbc_trunks([tls], listen_port=5058)[0]['tls_port'] == 5059, 'the trunk port itself may be sbc_listen_port'


def test_srtp_over_udp_is_refused_by_the_model():
    """IP/FQDN: the Telnyx side's rule (inbound.transport); credentials: the SBC side's (sbc_transport). Both words are
    _common.SRTP_RULE, the one rule."""
    trunks = [ip_trunk('srtp-udp', 5060, inbound={'encrypted_media': 'SRTP'}),
              ip_trunk('srtp-tcp', 5062, inbound={'transport': 'TCP', 'encrypted_media': 'SRTP'}),
              {'name': 'srtp-cred', 'type': 'credentials', 'sbc_port': 5064, 'username': 'acmefra1', 'password': 's3cretPassw0rd',
               'outbound': {'encrypted_media': 'SRTP'}}]
    rule = _common.SRTP_RULE
    # the settings table also words the inbound tab's own rule (transport and encrypted_media both set there)
    assert problems_of(trunks) == (4, '; '.join([
        'byoc_trunks[0] (srtp-udp): %s: set inbound.transport to TLS (got none, Telnyx\'s default is UDP)' % rule,
        'byoc_trunks[1] (srtp-tcp): inbound.%s, got transport TCP' % rule,
        'byoc_trunks[1] (srtp-tcp): %s: set inbound.transport to TLS (got TCP)' % rule,
        "byoc_trunks[2] (srtp-cred): %s: set sbc_transport to TLS, the SBC's transport toward Telnyx (got UDP)" % rule]))
    trunks[2]['sbc_transport'] = 'TLS'
    assert problems_of(trunks)[0] == 3
    assert sbc_trunks(trunks[2:])[0]['srtp'] is True


def test_srtp_explicit_sbc_transport_udp_on_an_ip_trunk_is_refused_once():
    trunk = ip_trunk('s', 5060, sbc_transport='UDP', ips=[{'address': '192.0.2.10', 'port': 5060}],
                     inbound={'transport': 'TLS', 'encrypted_media': 'SRTP'})
    assert problems_of([trunk]) == (1, "byoc_trunks[0] (s): %s: set sbc_transport to TLS, the SBC's transport toward Telnyx "
                                       "(got UDP)" % _common.SRTP_RULE)


def test_the_rules_are_the_models():
    """What the trunk role refuses the sbc role refuses in the same words (token rule, port match, unknown keys)."""
    trunk = ip_trunk('m', 5060, token='short!tok', ips=[{'address': '192.0.2.10', 'port': 5070}], tokn=TOKEN)
    expected = ['byoc_trunks[0] (m): %s: %s' % pair for pair in _trunk.trunk_problems(trunk)]
    assert len(expected) == 3
    assert problems_of([trunk]) == (3, '; '.join(expected))
    assert 'byoc_trunks[0] (m): token: %s' % _common.TOKEN_RULE in expected


def test_p_charge_info_needs_a_number():
    trunk = ip_trunk('pci', 5060, ip_auth_method='p_charge_info')
    del trunk['token']
    assert problems_of([trunk]) == (1, 'byoc_trunks[0] (pci): numbers: p_charge_info needs a number: the SBC sends the first '
                                       'one as P-Charge-Info')
    trunk['numbers'] = ['+4930123456']
    assert sbc_trunks([trunk])[0]['charge_number'] == '+4930123456'


def test_reordering_trunks_moves_no_port():
    trunks = [ip_trunk('a', 5064), ip_trunk('b', 5060, ips=[{'address': '192.0.2.10', 'port': 5061}], inbound={'transport': 'TLS'}),
              {'name': 'c', 'type': 'credentials', 'sbc_port': 5062, 'username': 'acmefra1', 'password': 's3cretPassw0rd'}]

    def ports(records):
        return dict((r['name'], (r['port'], r['tls_port'])) for r in records)
    forward = ports(sbc_trunks(trunks, listen_port=5060))
    assert forward == {'a': (5064, None), 'b': (5060, 5061), 'c': (5062, None)}
    assert ports(sbc_trunks(list(reversed(trunks)), listen_port=5060)) == forward
    assert ports(sbc_trunks(trunks[1:] + trunks[:1], listen_port=5060)) == forward


def test_the_readme_example_validates():
    with open(os.path.join(ROOT, 'roles', 'sbc', 'README.md'), encoding='utf-8') as handle:
        blocks = re.findall(r'```yaml\n(.*?)```', handle.read(), flags=re.S)
    examples = [yaml.safe_load(b) for b in blocks]
    found = []

    def walk(node):
        if isinstance(node, dict):
            found.extend(node.get('byoc_trunks') or [])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(examples)
    # the vault references stand for valid secrets
    trunks = [dict((k, 'readme-example-secret-01' if isinstance(v, str) and v.startswith('{{') else v) for k, v in t.items())
              for t in found]
    assert trunks, 'the README shows byoc_trunks'
    records = sbc_trunks(trunks, listen_port=5060, region='eu')
    assert [r['port'] for r in records] == [t['sbc_port'] for t in trunks]


# what the inventories' Jinja references stand for (valid values of the key they fill)
VAULT = {'sip_region': 'Europe', 'password': 'vault-Secret-01', 'token': 'vault-token-000001'}


def _filled(node, key=None):
    if isinstance(node, dict):
        return dict((k, _filled(v, k)) for k, v in node.items())
    if isinstance(node, list):
        return [_filled(v, key) for v in node]
    if isinstance(node, str) and '{{' in node:
        return VAULT[key]
    return node


def _has_trunks(path):
    with open(path, encoding='utf-8') as handle:
        return 'byoc_trunks:' in handle.read()


INVENTORY_FILES = sorted(p for p in glob.glob(os.path.join(ROOT, 'inventories', '*', 'host_vars', '*.yml'))
                         + glob.glob(os.path.join(ROOT, 'inventories', 'demo', 'group_vars', '*.yml')) if _has_trunks(p))


@pytest.mark.parametrize('path', [os.path.relpath(p, ROOT) for p in INVENTORY_FILES])
def test_every_inventory_passes_the_sbc_role(path):
    """Every host of inventories/{com,eu,ca} and the demo sets sbc_port on every trunk and passes the sbc role's check."""
    with open(os.path.join(ROOT, path), encoding='utf-8') as handle:
        data = yaml.safe_load(handle) or {}
    trunks = _filled(data['byoc_trunks'])
    assert all('sbc_port' in t for t in trunks)
    records = sbc_trunks(trunks, listen_port=data.get('sbc_listen_port', 5060))
    assert [r['port'] for r in records] == [t['sbc_port'] for t in trunks]
