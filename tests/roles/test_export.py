# -*- coding: utf-8 -*-
# Copyright: byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""playbooks/export.yml end to end: connections made straight through the API (as in the portal) are exported, the
export is put on an SBC host with its vault variables filled, and site.yml (Telnyx side) then writes nothing."""

from __future__ import annotations

import os

import yaml
from telnyx_emulator.testing import running_emulator

from .helpers import ansible_env, run_playbook, writes

KEY = 'KEYexport0000000000000000000000'
CRED_PASSWORD = 'Portal-made-pass-0123'
FQDN_TOKEN = 'portal-token-0123456789'


def make_fleet(emu):
    """What an operator built by hand: a credentials trunk with a profile and numbers, an IP trunk with two IPs and a tech
    prefix, an FQDN trunk with an SRV record and a token, and one connection the model cannot express (a G722 codec)."""
    profile = emu.create('/outbound_voice_profiles', {'name': 'export-eu'}, status=200)
    cred = emu.create('/credential_connections', {
        'connection_name': 'exp-eu-cred', 'user_name': 'expeucred', 'password': CRED_PASSWORD, 'tags': ['acme'],
        'inbound': {'codecs': ['G711A', 'G711U'], 'timeout_2xx_secs': 45},
        'outbound': {'outbound_voice_profile_id': profile['id'], 'localization': 'DE'}})
    for number in ('+4930123456', '+49301234560'):
        status, found, _headers = emu.call('GET', '/phone_numbers?filter[phone_number]=%s' % number.lstrip('+'))
        assert status == 200
        item = [n for n in found['data'] if n['phone_number'] == number][0]
        assert emu.call('PATCH', '/phone_numbers/%s' % item['id'], {'connection_id': cred['id']})[0] == 200
    ip = emu.create('/ip_connections', {'connection_name': 'exp-eu-ip', 'transport_protocol': 'UDP', 'tags': ['acme'],
                                        'inbound': {'sip_region': 'Europe', 'sip_subdomain': 'expeuip', 'codecs': ['G711U']},
                                        'outbound': {'ip_authentication_method': 'tech-prefixp-charge-info', 'tech_prefix': '4711'}})
    second = emu.create('/ips', {'connection_id': ip['id'], 'ip_address': '127.0.0.3', 'port': 5062})
    first = emu.create('/ips', {'connection_id': ip['id'], 'ip_address': '127.0.0.2', 'port': 5062})
    assert emu.call('PATCH', '/ip_connections/%s' % ip['id'], {'inbound': {'default_primary_ip_id': first['id'],
                                                                           'default_secondary_ip_id': second['id']}})[0] == 200
    # the guide's codecs: Telnyx's default list for IP/FQDN connections (G722, G729, ...) is outside the trunk model
    fqdn = emu.create('/fqdn_connections', {'connection_name': 'exp-eu-fqdn', 'transport_protocol': 'TCP',
                                            'inbound': {'codecs': ['G711A', 'G711U']},
                                            'outbound': {'ip_authentication_token': FQDN_TOKEN}})
    emu.create('/fqdns', {'connection_id': fqdn['id'], 'fqdn': 'sbc.export.example', 'dns_record_type': 'srv', 'port': None})
    emu.create('/credential_connections', {'connection_name': 'exp-eu-hd', 'user_name': 'expeuhd1', 'password': CRED_PASSWORD,
                                           'inbound': {'codecs': ['G722', 'G711U']}})
    emu.create('/credential_connections', {'connection_name': 'other-com', 'user_name': 'othercom1', 'password': CRED_PASSWORD})
    return {'cred': cred, 'ip': ip, 'fqdn': fqdn}


def by_name(trunks):
    return dict((t['name'], t) for t in trunks)


def test_export_then_converge_writes_nothing_and_reports_what_it_cannot_express(tmp_path):
    with running_emulator(api_key=KEY) as emu:
        ids = make_fleet(emu)
        env = ansible_env(emu, tmp_path)
        reports, tagged = tmp_path / 'reports', tmp_path / 'tagged'
        emu.reset(keep_state=True)
        rc, out, _recap = run_playbook('export', env, '-e', 'export_region=eu', '-e', 'export_name_contains=exp-eu',
                                       '-e', 'byoc_report_dir=%s' % reports, '-e', 'byoc_telnyx_api_url=%s' % emu.url,
                                       '-e', 'byoc_telnyx_api_key=%s' % KEY, inventory='localhost,')
        assert rc == 0, out
        assert writes(emu.stats()) == 0
        text = (reports / 'export-eu.yml').read_text(encoding='utf-8')
        vault_text = (reports / 'export-eu-vault.yml').read_text(encoding='utf-8')
        for secret in (CRED_PASSWORD, FQDN_TOKEN):
            assert secret not in text and secret not in vault_text and secret not in out
        assert oct(os.stat(reports / 'export-eu.yml').st_mode & 0o777) == '0o600'
        assert "#   exp-eu-hd (id " in text and "inbound.codecs[0]: must be one of 'G711U', 'G711A'" in text
        assert "exp-eu-hd left out: inbound.codecs[0]: must be one of 'G711U', 'G711A'" in out
        assert '# Set sbc_port (the SBC port the PBX sends the trunk\'s calls to) on: exp-eu-cred, exp-eu-fqdn.' in text
        trunks = by_name(yaml.safe_load(text)['byoc_trunks'])
        assert sorted(trunks) == ['exp-eu-cred', 'exp-eu-fqdn', 'exp-eu-ip'], 'other-com is not matched, exp-eu-hd is left out'
        cred, ip, fqdn = trunks['exp-eu-cred'], trunks['exp-eu-ip'], trunks['exp-eu-fqdn']
        assert (cred['type'], cred['username'], cred['password'], cred['update_password']) == (
            'credentials', 'expeucred', '{{ vault_exp_eu_cred_password }}', 'on_create')
        assert cred['numbers'] == ['+4930123456', '+49301234560']
        assert cred['outbound']['outbound_voice_profile'] == 'export-eu' and cred['outbound']['localization'] == 'DE'
        assert cred['inbound']['codecs'] == ['G711A', 'G711U'] and cred['inbound']['no_answer_timeout'] == 45
        assert cred['tags'] == ['acme']
        assert ip['ips'] == [{'address': '127.0.0.2', 'port': 5062}, {'address': '127.0.0.3', 'port': 5062}]
        assert (ip['ip_auth_method'], ip['tech_prefix'], ip['sbc_port']) == ('tech_prefix', '4711', 5062)
        assert ip['inbound']['sip_subdomain'] == 'expeuip' and ip['inbound']['transport'] == 'UDP' and 'token' not in ip
        assert fqdn['fqdns'] == [{'fqdn': 'sbc.export.example', 'dns_record_type': 'srv'}]
        assert (fqdn['ip_auth_method'], fqdn['token']) == ('token', '{{ vault_exp_eu_fqdn_token }}')
        assert 'username' not in fqdn and 'password' not in fqdn and 'sbc_port' not in fqdn
        assert yaml.safe_load(vault_text) == {'vault_exp_eu_cred_password': '', 'vault_exp_eu_fqdn_token': ''}
        rc, out, _recap = run_playbook('export', env, '-e', 'export_region=eu', '-e', 'export_tags=[acme]', '-e', 'byoc_report_dir=%s' % tagged,
                                       '-e', 'byoc_telnyx_api_url=%s' % emu.url, '-e', 'byoc_telnyx_api_key=%s' % KEY, inventory='localhost,')
        assert rc == 0, out
        tagged_trunks = yaml.safe_load((tagged / 'export-eu.yml').read_text(encoding='utf-8'))['byoc_trunks']
        assert [t['name'] for t in tagged_trunks] == ['exp-eu-cred', 'exp-eu-ip'], 'only the connections tagged acme'

        # the operator's part: the trunks on an SBC host, the SBC ports the file asks for, the vault filled
        inventory = tmp_path / 'inventory'
        (inventory / 'host_vars' / 'cc-export-eu').mkdir(parents=True)
        (inventory / 'hosts.yml').write_text(yaml.safe_dump({'all': {'children': {'sbc': {'hosts': {'cc-export-eu': {}}}}}}), encoding='utf-8')
        (inventory / 'host_vars' / 'cc-export-eu' / 'trunks.yml').write_text(text.replace(
            '  username: expeucred\n', '  username: expeucred\n  sbc_port: 5070\n').replace(
            '  type: fqdn\n', '  type: fqdn\n  sbc_port: 5072\n'), encoding='utf-8')
        (inventory / 'host_vars' / 'cc-export-eu' / 'vault.yml').write_text(yaml.safe_dump({
            'vault_exp_eu_cred_password': CRED_PASSWORD, 'vault_exp_eu_fqdn_token': FQDN_TOKEN}), encoding='utf-8')
        (inventory / 'host_vars' / 'cc-export-eu' / 'main.yml').write_text(yaml.safe_dump({
            'ansible_connection': 'local', 'ansible_python_interpreter': '{{ ansible_playbook_python }}',
            'byoc_region': 'eu', 'byoc_environment': 'adopted', 'byoc_report_dir': str(reports),
            'byoc_telnyx_api_url': emu.url, 'byoc_telnyx_api_key': KEY}), encoding='utf-8')
        emu.reset(keep_state=True)
        rc, out, recap = run_playbook('site', env, '-e', 'trunk_sbc=false', inventory=str(inventory / 'hosts.yml'))
        assert rc == 0, out
        stats = emu.stats()
        assert writes(stats) == 0, stats
        assert stats['by_method'].get('GET', 0) > 0
        sheet = (reports / 'handoff-eu-adopted.md').read_text(encoding='utf-8')
        assert ids['ip']['id'] in sheet and 'expeucred@sip.telnyx.eu' in sheet
        for secret in (CRED_PASSWORD, FQDN_TOKEN):
            assert secret not in out
