# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""playbooks/rotate.yml through a real SBC: a credentials trunk and a token trunk, each on its own Kamailio that
site.yml configured, against a Telnyx emulator; the sipp carrier stand-ins answer SIP OPTIONS and calls.

The test plays two parts of Telnyx the emulator cannot: its registrar (a thread judges each REGISTER's digest
against the password the emulator holds now and sets the registration status check_registration_status returns),
and, as the SBC runs with sbc_manage_service false, the restart of Kamailio the playbook asks for
(rotate_sbc_restart_command: a helper that hands the restart to this test, which restarts Kamailio by PID).

A forced failure (a carrier address stops answering SIP OPTIONS, so the verification fails) must put the old value
back on both sides and fail naming the trunk; a clean rotation leaves the new value on both sides and calls work.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml
from telnyx_emulator.testing import running_emulator

from conftest import (CARRIER1, CARRIER2, CARRIER_PORT, MEDIA_PORT, REPO, SBC_PORT, TOKEN, USERNAME, PASSWORD, SbcBed, base_vars, digest_valid,
                      header, ip_trunk, wait_for)

API_KEY = 'KEYrotate0000000000000000000'
NUMBER = '+18005551234'
# the helper the playbook runs to restart Kamailio: it asks this test (a request file) and waits for the answer
RESTART = r'''
import os, sys, time
d = sys.argv[1]
request, done = os.path.join(d, 'restart.request'), os.path.join(d, 'restart.done')
open(request, 'w').close()
end = time.time() + 60
while time.time() < end:
    if os.path.exists(done):
        result = open(done).read()
        os.remove(done)
        sys.exit(0 if result == 'ok' else 'restart failed: ' + result)
    time.sleep(0.05)
sys.exit('no restart within 60 s')
'''


class Site:
    """One SBC host of a one-host inventory: its Kamailio (SbcBed), the emulator, the playbooks, the restart helper."""

    def __init__(self, workdir, emulator, trunks):
        self.bed = SbcBed(workdir, trunks)
        self.emulator = emulator
        self.workdir = Path(workdir)
        self.restarts = 0
        self.restart_errors = []
        self.stopping = threading.Event()
        self.threads = []
        host = base_vars(self.bed.config_dir, self.bed.run_dir, trunks)
        host.update({
            'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable,
            'byoc_region': 'com', 'byoc_environment': 'rotation',
            'byoc_telnyx_api_url': emulator.url, 'byoc_telnyx_api_key': emulator.api_key,
            'byoc_report_dir': str(self.workdir / 'reports'),
            'trunk_verify_timeout': 1, 'trunk_verify_python': sys.executable,
            'rotate_sbc_restart_command': [sys.executable, '-c', RESTART, str(self.workdir)],
            'rotate_verify_retries': 20, 'rotate_verify_delay': 1,
        })
        self.inventory = self.workdir / 'hosts.yml'
        self.inventory.write_text(json.dumps({'all': {'children': {'sbc': {'hosts': {'rot-sbc': host}}}}}))

    def playbook(self, name, *args):
        env = dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_RETRY_FILES_ENABLED='0', ANSIBLE_LOCALHOST_WARNING='0')
        if not env.get('ANSIBLE_COLLECTIONS_PATH'):
            env['ANSIBLE_CONFIG'] = str(REPO / 'ansible.cfg')
        cmd = [str(Path(sys.executable).parent / 'ansible-playbook'), '-i', str(self.inventory), str(REPO / 'playbooks' / ('%s.yml' % name))]
        proc = subprocess.run(cmd + list(args), cwd=str(self.workdir), env=env, capture_output=True, text=True, timeout=600, check=False)
        (self.workdir / ('%s-%d.log' % (name, time.monotonic_ns()))).write_text(proc.stdout + proc.stderr)
        return proc

    def start(self):
        proc = self.playbook('site')
        assert proc.returncode == 0, proc.stdout[-3000:]
        self.bed.kamailio.start()
        self.background(self._restarter)

    def background(self, target):
        thread = threading.Thread(target=target, daemon=True)
        thread.start()
        self.threads.append(thread)

    def _restarter(self):
        request, done = self.workdir / 'restart.request', self.workdir / 'restart.done'
        while not self.stopping.is_set():
            if request.exists():
                request.unlink()
                try:
                    self.bed.kamailio.stop()
                    self.bed.kamailio.start()
                    self.restarts += 1
                    done.write_text('ok')
                except RuntimeError as exc:  # pragma: no cover - reported by the playbook's failure
                    self.restart_errors.append(str(exc))
                    done.write_text(str(exc))
            time.sleep(0.05)

    def stop(self):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=5)
        self.bed.sip.stop_all()
        self.bed.kamailio.stop()

    def connection(self, kind):
        status, body, _headers = self.emulator.call('GET', '/%s_connections?page[size]=250' % kind)
        assert status == 200
        return body['data'][0]

    def rotated_file(self):
        path = self.workdir / 'reports' / 'rotated-com.yml'
        return path, yaml.safe_load(path.read_text())


def _no_secret(proc, *secrets):
    out = proc.stdout + proc.stderr
    return not [s for s in secrets if s and s in out]


# --------------------------------------------------------------------------- credentials trunk

CRED = [{'name': 'rot-cred', 'type': 'credentials', 'sbc_port': SBC_PORT, 'username': USERNAME, 'password': PASSWORD}]


@pytest.fixture(scope='class')
def cred(tmp_path_factory):
    with running_emulator(api_key=API_KEY) as emulator:
        site = Site(tmp_path_factory.mktemp('rotate-cred'), emulator, CRED)
        try:
            # the registrar must be up before Kamailio's first REGISTER; the second carrier address answers OPTIONS
            site.registrar = site.bed.sip.uas('registrar', CARRIER1, CARRIER_PORT, scenario='uas_registrar.xml')
            site.carrier2 = site.bed.sip.uas('carrier2', CARRIER2, CARRIER_PORT, media_port=MEDIA_PORT + 3)
            site.start()
            site.background(lambda: _judge(site))
            yield site
        finally:
            site.stop()


def _judge(site):
    """Telnyx's registrar: the newest authenticated REGISTER counts, judged with the password Telnyx holds now."""
    conn_id = None
    while not site.stopping.is_set():
        try:
            conn = site.connection('credential')
            conn_id = conn['id']
            registers = [m for m in site.registrar.requests('REGISTER') if header(m, 'Authorization')]
            ok = bool(registers) and digest_valid(registers[-1], 'REGISTER', USERNAME, conn['password'])
            site.emulator.call('POST', site.emulator.root + '/_emulator/registration',
                               {'connection_id': conn_id, 'status': 'Registered' if ok else 'Not Registered'})
        except (AssertionError, IndexError, KeyError, OSError):
            pass
        time.sleep(0.2)


def _last_register_digest(site, password):
    registers = [m for m in site.registrar.requests('REGISTER') if header(m, 'Authorization')]
    return bool(registers) and digest_valid(registers[-1], 'REGISTER', USERNAME, password)


class TestCredentialsTrunk:
    """A credentials trunk (UDP): a failed rotation first, then a clean one (the class's SBC is stopped after it)."""

    def test_cred_1_a_failed_verification_puts_the_old_password_back_on_both_sides(self, cred):
        assert wait_for(lambda: _last_register_digest(cred, PASSWORD), 30), 'the SBC never registered with the first password'
        cred.carrier2.stop()  # a carrier address stops answering SIP OPTIONS: the rotation's verification fails
        proc = cred.playbook('rotate', '-e', json.dumps({'rotate_trunks': ['rot-cred'], 'rotate_generate': True}))
        assert proc.returncode != 0
        assert 'rotation of trunk rot-cred failed and was rolled back (SBC and Telnyx hold the old password)' in proc.stdout
        assert 'SIP OPTIONS 127.0.0.3:%d' % CARRIER_PORT in proc.stdout
        _path, written = cred.rotated_file()
        new = written['rotate_secrets']['rot-cred']
        assert len(new) == 32 and new != PASSWORD
        assert _no_secret(proc, new, PASSWORD)
        # both sides hold the old value again, and the SBC registers with it
        assert cred.connection('credential')['password'] == PASSWORD
        assert PASSWORD.replace(':', '\\:') in (cred.bed.config_dir / 'dbtext' / 'uacreg').read_text()
        assert new not in (cred.bed.config_dir / 'kamailio.cfg').read_text()
        assert cred.restarts == 2  # new value, then the old one back
        assert wait_for(lambda: _last_register_digest(cred, PASSWORD), 30)
        cred.carrier2 = cred.bed.sip.uas('carrier2', CARRIER2, CARRIER_PORT, media_port=MEDIA_PORT + 3)

    def test_cred_2_generated_password_lands_on_both_sides_and_calls_work(self, cred):
        restarts = cred.restarts
        proc = cred.playbook('rotate', '-e', json.dumps({'rotate_trunks': ['rot-cred'], 'rotate_generate': True}))
        assert proc.returncode == 0, proc.stdout[-4000:]
        path, written = cred.rotated_file()
        new = written['rotate_secrets']['rot-cred']
        assert oct(path.stat().st_mode & 0o777) == '0o600'
        assert _no_secret(proc, new, PASSWORD)
        assert cred.restarts == restarts + 1
        assert cred.connection('credential')['password'] == new
        assert new in (cred.bed.config_dir / 'dbtext' / 'uacreg').read_text()
        assert _last_register_digest(cred, new), 'verification passed without a REGISTER with the new password'
        # a call: the carrier challenges the INVITE, the SBC answers with the new password
        cred.registrar.stop()
        carrier = cred.bed.sip.uas('carrier1-auth', CARRIER1, CARRIER_PORT, scenario='uas_auth407.xml')
        rc, _replies = cred.bed.sip.uac('cred-call', NUMBER, SBC_PORT)
        assert rc == 0
        invites = carrier.requests('INVITE')
        assert len(invites) == 2 and digest_valid(invites[1], 'INVITE', USERNAME, new)


# --------------------------------------------------------------------------- token trunk

TOK = [ip_trunk('rot-token', SBC_PORT, ip_auth_method='token', token=TOKEN)]
NEW_TOKEN = 'rotated-token-0002-abcdef'


@pytest.fixture(scope='class')
def tok(tmp_path_factory):
    with running_emulator(api_key=API_KEY) as emulator:
        site = Site(tmp_path_factory.mktemp('rotate-token'), emulator, TOK)
        try:
            site.carrier1 = site.bed.sip.uas('carrier1', CARRIER1, CARRIER_PORT)
            site.carrier2 = site.bed.sip.uas('carrier2', CARRIER2, CARRIER_PORT, media_port=MEDIA_PORT + 3)
            site.start()
            yield site
        finally:
            site.stop()


def _secrets_file(site, value):
    path = site.workdir / 'new-secrets.yml'
    path.write_text(yaml.safe_dump({'rotate_secrets': {'rot-token': value}}))
    return '@%s' % path


def _call_token(site, name):
    before = len(site.carrier1.requests('INVITE'))
    rc, _replies = site.bed.sip.uac(name, NUMBER, SBC_PORT)
    invites = site.carrier1.requests('INVITE')[before:]
    return rc, header(invites[0], 'X-Telnyx-Token') if invites else None


class TestTokenTrunk:
    """A token trunk: a failed rotation, a clean one, a refused one (the class's SBC is stopped after it)."""

    def test_tok_1_a_failed_verification_puts_the_old_token_back_on_both_sides(self, tok):
        assert _call_token(tok, 'before') == (0, TOKEN)
        tok.carrier2.stop()
        proc = tok.playbook('rotate', '-e', json.dumps({'rotate_trunks': ['rot-token']}), '-e', _secrets_file(tok, NEW_TOKEN))
        assert proc.returncode != 0
        assert 'rotation of trunk rot-token failed and was rolled back (SBC and Telnyx hold the old token)' in proc.stdout
        assert _no_secret(proc, NEW_TOKEN, TOKEN)
        assert tok.connection('ip')['outbound']['ip_authentication_token'] == TOKEN
        assert tok.restarts == 2
        assert _call_token(tok, 'after-rollback') == (0, TOKEN)
        tok.carrier2 = tok.bed.sip.uas('carrier2', CARRIER2, CARRIER_PORT, media_port=MEDIA_PORT + 3)

    def test_tok_2_new_token_on_both_sides_and_calls_carry_it(self, tok):
        proc = tok.playbook('rotate', '-e', json.dumps({'rotate_trunks': ['rot-token']}), '-e', _secrets_file(tok, NEW_TOKEN))
        assert proc.returncode == 0, proc.stdout[-4000:]
        assert _no_secret(proc, NEW_TOKEN, TOKEN)
        assert tok.connection('ip')['outbound']['ip_authentication_token'] == NEW_TOKEN
        assert 'X-Telnyx-Token: %s' % NEW_TOKEN in (tok.bed.config_dir / 'kamailio.cfg').read_text()
        assert _call_token(tok, 'after-rotation') == (0, NEW_TOKEN)
        assert not (tok.workdir / 'reports' / 'rotated-com.yml').exists()  # values given, nothing generated

    def test_tok_3_refused_before_any_change(self, tok):
        stats_before = tok.emulator.stats()['by_method']
        restarts = tok.restarts
        proc = tok.playbook('rotate', '-e', json.dumps({'rotate_trunks': ['rot-token', 'nope']}), '-e', _secrets_file(tok, 'short'))
        assert proc.returncode != 0
        assert 'rotate: nothing was changed' in proc.stdout
        assert 'nope: no trunk of this name' in proc.stdout
        assert 'rot-token: new token: must be 12 to 48 letters, digits or hyphens' in proc.stdout
        assert "'short'" not in proc.stdout and 'short,' not in proc.stdout
        assert {k: v for k, v in tok.emulator.stats()['by_method'].items() if k != 'GET'} == \
            {k: v for k, v in stats_before.items() if k != 'GET'}
        assert tok.restarts == restarts
