# -*- coding: utf-8 -*-
# Copyright: byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The com/eu/ca example inventories: the vaults open with their example ids, the model is valid."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from telnyx_emulator.testing import running_emulator

from .helpers import BIN, ROOT, ansible_env, run_playbook, writes

REGIONS = ('com', 'eu', 'ca')


def model(region, tmp_path):
    """Templated hostvars of every SBC (secrets resolved from the vault), plus the model errors."""
    password = tmp_path / ('vault-%s' % region)
    password.write_text('byoc-example-%s' % region)
    expression = ("{{ {'errors': hostvars | byoc.carrier.trunk_errors(groups['all']),"
                  " 'hosts': dict(groups['sbc'] | zip(groups['sbc'] | map('extract', hostvars)"
                  " | map(attribute='byoc_trunks') | list)),"
                  " 'envs': groups['sbc'] | map('extract', hostvars, 'byoc_environment') | unique | sort,"
                  " 'region': hostvars[groups['sbc'][0]].byoc_region} | to_json }}")
    env = dict(os.environ, ANSIBLE_LOAD_CALLBACK_PLUGINS='1', ANSIBLE_STDOUT_CALLBACK='oneline', ANSIBLE_NOCOLOR='1')
    env.setdefault('ANSIBLE_COLLECTIONS_PATH', os.path.join(ROOT, '.ansible', 'collections'))
    proc = subprocess.run(
        [os.path.join(BIN, 'ansible'), 'localhost', '-i', os.path.join(ROOT, 'inventories', region),
         '--vault-id', '%s@%s' % (region, password), '-m', 'ansible.builtin.debug', '-a', 'msg=' + expression],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout
    line = proc.stdout.strip().splitlines()[-1]
    return json.loads(json.loads(line.split(' => ', 1)[1])['msg'])


@pytest.mark.parametrize('region', REGIONS)
def test_region_inventory_is_valid_and_realistic(region, tmp_path):
    data = model(region, tmp_path)
    assert data['errors'] == []
    assert data['region'] == region
    assert data['envs'] == ['prod', 'staging']
    trunks = [t for host in data['hosts'].values() for t in host]
    assert {t['type'] for t in trunks} == {'credentials', 'ip', 'fqdn'}
    assert len({h.split('-')[1] for h in data['hosts']}) >= 2  # several contact centers
    assert sum(len(t.get('numbers', [])) for t in trunks) >= 3
    # the secrets came out of the vault (templated), and each trunk has its own
    secrets = [t.get('password') or t.get('token') for t in trunks if t.get('password') or t.get('token')]
    assert secrets and all(s.startswith(('Example-%s-' % region, 'example-%s-token-' % region)) for s in secrets)
    assert len(set(secrets)) == len(secrets)


def test_no_plain_secret_outside_the_vaults():
    for region in REGIONS:
        for folder, _dirs, files in os.walk(os.path.join(ROOT, 'inventories', region)):
            for name in files:
                text = open(os.path.join(folder, name), encoding='utf-8').read()
                if name == 'vault.yml':
                    assert text.startswith('$ANSIBLE_VAULT;1.2;AES256;%s\n' % region)
                    continue
                for line in text.splitlines():
                    key = line.strip().lstrip('- ').split(':', 1)[0]
                    if key in ('password', 'token'):
                        assert '{{ vault_' in line, line


def _example_numbers(data, tmp_path):
    numbers = tmp_path / 'numbers.json'
    numbers.write_text(json.dumps(sorted(set(n for trunks in data['hosts'].values() for t in trunks for n in t.get('numbers', [])))))
    return numbers


def _connections(emulator):
    """Every connection at the emulator by name (all three kinds)."""
    found = {}
    for path in ('/credential_connections', '/ip_connections', '/fqdn_connections'):
        status, body, _headers = emulator.call('GET', path)
        assert status == 200
        found.update((c['connection_name'], c) for c in body['data'])
    return found


@pytest.mark.parametrize('region', REGIONS)
def test_each_example_applies_every_trunk_and_a_rerun_writes_nothing(region, tmp_path):
    """Issues 13 and 17: site.yml on every shipped example (all hosts, the SBC side rendered as files on this
    machine, the API against the emulator) applies every trunk; a second run changes nothing and writes nothing.
    (The eu example used to stop with "SRTP cannot be used with transport TLS".)"""
    data = model(region, tmp_path)
    password = tmp_path / ('vault-%s' % region)
    trunks = dict((t['name'], t) for host in data['hosts'].values() for t in host)
    sbc_root = tmp_path / 'sbc'
    sbc_root.mkdir()
    cert, key = sbc_root / 'sbc-cert.pem', sbc_root / 'sbc-key.pem'  # the TLS trunks' SBC certificate (self-signed)
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=sbc.example.com',
                    '-keyout', str(key), '-out', str(cert)], check=True, capture_output=True, timeout=60)
    with running_emulator('--numbers', str(_example_numbers(data, tmp_path)), api_key='KEY%sexample000000000000000' % region) as emulator:
        env = ansible_env(emulator, tmp_path)
        args = ('--vault-id', '%s@%s' % (region, password), '-e', 'ansible_connection=local',
                '-e', 'ansible_python_interpreter={{ ansible_playbook_python }}', '-e', 'byoc_telnyx_api_url=%s' % emulator.url,
                '-e', 'byoc_telnyx_api_key=%s' % emulator.api_key, '-e', 'byoc_report_dir=%s' % tmp_path,
                '-e', 'sbc_manage_service=false', '-e', 'sbc_config_dir=%s/{{ inventory_hostname }}' % sbc_root,
                '-e', 'sbc_run_dir=%s/{{ inventory_hostname }}/run' % sbc_root,
                '-e', 'sbc_tls_certificate=%s' % cert, '-e', 'sbc_tls_private_key=%s' % key)
        inventory = os.path.join(ROOT, 'inventories', region)
        rc, out, recap = run_playbook('site', env, *args, inventory=inventory)
        assert rc == 0, out[-6000:]
        assert set(recap) == set(data['hosts']) and all(r['failed'] == 0 and r['changed'] > 0 for r in recap.values()), recap
        found = _connections(emulator)
        assert set(found) == set(trunks)  # every example trunk applied, nothing else
        kinds = {'credential_connection': 'credentials', 'ip_connection': 'ip', 'fqdn_connection': 'fqdn'}
        assert dict((n, kinds[c['record_type']]) for n, c in found.items()) == dict((n, t['type']) for n, t in trunks.items())
        status, body, _headers = emulator.call('GET', '/phone_numbers')
        assigned = dict((p['phone_number'], p.get('connection_id')) for p in body['data'])
        for name, trunk in trunks.items():
            for number in trunk.get('numbers', []):
                assert assigned[number] == found[name]['id'], (name, number)
        # the guide baseline (byoc_trunk_defaults) under every trunk: Telnyx's own defaults differ (webhook API '1', 3 s)
        assert set((c['webhook_api_version'], c['dtmf_type'], c['inbound']['timeout_1xx_secs']) for c in found.values()) == {('2', 'RFC 2833', 5)}
        for host in data['hosts']:  # the SBC side, as files: one Kamailio configuration per SBC
            assert (sbc_root / host / 'kamailio.cfg').is_file(), host
        if region == 'eu':
            fqdn = found['umbrella-eu-prod-dub1']
            assert fqdn['transport_protocol'] == 'TLS' and fqdn['encrypted_media'] == 'SRTP' and fqdn['outbound']['encrypted_media'] == 'SRTP'
        emulator.reset(keep_state=True)
        rc, out, recap = run_playbook('site', env, *args, inventory=inventory)
        assert rc == 0 and all(r['changed'] == 0 for r in recap.values()), out[-6000:]
        assert writes(emulator.stats()) == 0
