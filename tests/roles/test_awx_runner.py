# -*- coding: utf-8 -*-
# Copyright: byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""site.yml through ansible-runner the way AWX runs a job: private data dir, inventory in it, the Telnyx
credential injected as environment variables (TELNYX_API_KEY, TELNYX_API_URL), artifacts written.
No secret may appear in any artifact of the job (stdout, job events, facts, status). The one exception is by
design of ansible-runner, not of this collection: artifacts/<ident>/command records the job's environment
(so also the injected TELNYX_API_KEY) in a file of mode 0600 inside the private data dir, which AWX deletes
after the job; the test checks that the key is only in that record's "env", never on the command line."""

from __future__ import annotations

import json
import os
import stat

import ansible_runner
import yaml
from telnyx_emulator.testing import running_emulator

from .helpers import BIN, ROOT

API_KEY = 'KEYawx0runner0secret0000000000'
PASSWORD = 'awx-trunk-password-91'
TOKEN = 'awx-trunk-token-000077'
INVENTORY = {'all': {'children': {'sbc': {'hosts': {'cc-awx-1': {
    'ansible_connection': 'local',
    'ansible_python_interpreter': '{{ ansible_playbook_python }}',
    'byoc_region': 'com',
    'byoc_environment': 'prod',
    'byoc_trunks': [
        {'name': 'awx-com-prod-cred', 'type': 'credentials', 'sbc_port': 5062, 'username': 'awxcred1', 'password': PASSWORD,
         'inbound': {'codecs': ['G711U']}, 'numbers': ['+13125550109']},
        {'name': 'awx-com-prod-ip', 'type': 'ip', 'sbc_port': 5060, 'ips': [{'address': '192.0.2.55', 'port': 5060}],
         'ip_auth_method': 'token', 'token': TOKEN, 'inbound': {'sip_subdomain': 'awxip1'}},
    ],
}}}}}}


def test_site_through_ansible_runner_like_awx_leaves_no_secret_in_artifacts(tmp_path):
    private = tmp_path / 'job'
    (private / 'inventory').mkdir(parents=True)
    (private / 'inventory' / 'hosts.yml').write_text(yaml.safe_dump(INVENTORY))
    with running_emulator(api_key=API_KEY) as emulator:
        envvars = {
            # what the "Telnyx API" credential type injects
            'TELNYX_API_KEY': API_KEY,
            'TELNYX_API_URL': emulator.url,
            # in AWX the execution environment has the collection installed; here: the checkout's
            'ANSIBLE_COLLECTIONS_PATH': os.environ.get('ANSIBLE_COLLECTIONS_PATH', os.path.join(ROOT, '.ansible', 'collections')),
            'PATH': BIN + os.pathsep + os.environ['PATH'],
        }
        run = ansible_runner.run(
            private_data_dir=str(private), project_dir=ROOT, playbook=os.path.join(ROOT, 'playbooks', 'site.yml'),
            inventory=str(private / 'inventory' / 'hosts.yml'), envvars=envvars,
            extravars={'trunk_sbc': False, 'byoc_report_dir': str(tmp_path / 'reports')},
            ident='job1', quiet=True, json_mode=False)
        stdout = run.stdout.read()
        assert run.status == 'successful' and run.rc == 0, stdout
        status, body, _headers = emulator.call('GET', '/credential_connections')
        assert status == 200 and [c['connection_name'] for c in body['data']] == ['awx-com-prod-cred']
        assert emulator.stats()['total'] > 0  # the key reached the emulator through the environment only

    artifacts = private / 'artifacts' / 'job1'
    assert (artifacts / 'job_events').is_dir() and any((artifacts / 'job_events').iterdir())
    assert any(e.get('event') == 'playbook_on_stats' for e in run.events)
    command = json.loads((artifacts / 'command').read_text())
    assert stat.S_IMODE((artifacts / 'command').stat().st_mode) == 0o600
    assert command['env']['TELNYX_API_KEY'] == API_KEY
    del command['env']
    assert API_KEY not in json.dumps(command) and PASSWORD not in json.dumps(command)
    scanned = 0
    for folder, _dirs, files in os.walk(artifacts):
        for name in files:
            if os.path.join(folder, name) == str(artifacts / 'command'):
                continue
            text = open(os.path.join(folder, name), encoding='utf-8', errors='replace').read()
            scanned += 1
            for secret in (API_KEY, PASSWORD, TOKEN):
                assert secret not in text, '%s found in %s' % (secret[:6], os.path.join(folder, name))
    assert scanned > 10
    sheet = (tmp_path / 'reports' / 'handoff-com-prod.md').read_text()
    assert 'awxcred1@sip.telnyx.com' in sheet and PASSWORD not in sheet
