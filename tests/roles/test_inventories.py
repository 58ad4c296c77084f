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


def test_the_eu_example_applies_srtp_over_tls_and_a_rerun_changes_nothing(tmp_path):
    """Issue 17: site.yml on the shipped eu example used to stop with "SRTP cannot be used with transport TLS"."""
    data = model('eu', tmp_path)
    numbers = tmp_path / 'numbers.json'
    numbers.write_text(json.dumps(sorted(set(n for trunks in data['hosts'].values() for t in trunks for n in t.get('numbers', [])))))
    password = tmp_path / 'vault-eu'
    host = 'sbc-umbrella-dub1'
    with running_emulator('--numbers', str(numbers), api_key='KEYeuexample000000000000000') as emulator:
        env = ansible_env(emulator, tmp_path)
        args = ('--vault-id', 'eu@%s' % password, '--limit', host, '-e', 'trunk_sbc=false', '-e', 'ansible_connection=local',
                '-e', 'ansible_python_interpreter={{ ansible_playbook_python }}', '-e', 'byoc_telnyx_api_url=%s' % emulator.url,
                '-e', 'byoc_telnyx_api_key=%s' % emulator.api_key, '-e', 'byoc_report_dir=%s' % tmp_path)
        rc, out, recap = run_playbook('site', env, *args, inventory=os.path.join(ROOT, 'inventories', 'eu'))
        assert rc == 0, out[-4000:]
        assert recap[host]['changed'] > 0
        status, body, _headers = emulator.call('GET', '/fqdn_connections')
        assert status == 200
        fqdn = dict((c['connection_name'], c) for c in body['data'])['umbrella-eu-prod-dub1']
        assert fqdn['transport_protocol'] == 'TLS' and fqdn['encrypted_media'] == 'SRTP' and fqdn['outbound']['encrypted_media'] == 'SRTP'
        emulator.reset(keep_state=True)
        rc, out, recap = run_playbook('site', env, *args, inventory=os.path.join(ROOT, 'inventories', 'eu'))
        assert rc == 0 and recap[host]['changed'] == 0, out[-4000:]
        assert writes(emulator.stats()) == 0
