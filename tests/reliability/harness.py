# -*- coding: utf-8 -*-
# Copyright: byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers of the reliability and security tests (imported by conftest and the tests).

Everything runs for real: emulators started and stopped by PID (``telnyx_emulator.testing``),
``ansible-playbook`` processes on generated playbooks, and the API read back afterwards.
Figures go to ``report`` and are written at the end of the session to
``$OUT/reliability-report.json`` and ``.md`` (``OUT`` defaults to ``tests/output``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
KIND_PATHS = {'credentials': '/credential_connections', 'ip': '/ip_connections', 'fqdn': '/fqdn_connections'}
WRITES = ('POST', 'PATCH', 'PUT', 'DELETE')
PLAYBOOK_TIMEOUT = 400


def collections_path():
    """Where ``byoc.carrier`` is loaded from: the stage's copy, the checkout's enclosing tree, or its link."""
    if os.environ.get('ANSIBLE_COLLECTIONS_PATH'):
        return os.environ['ANSIBLE_COLLECTIONS_PATH']
    if ROOT.parent.parent.name == 'ansible_collections':
        return str(ROOT.parent.parent.parent)
    return str(ROOT / '.ansible' / 'collections')


def output_dir():
    path = Path(os.environ.get('OUT') or ROOT / 'tests' / 'output')
    path.mkdir(parents=True, exist_ok=True)
    return path


def writes(stats):
    """Write requests (POST/PATCH/PUT/DELETE) in an emulator's stats."""
    return sum(stats.get('by_method', {}).get(m, 0) for m in WRITES)


# ------------------------------------------------------------------------------------------ the API, read back

def list_all(emu, path):
    """Every item of a list endpoint of the emulator (no fault flags on the reading side: a clean retry loop)."""
    items, number = [], 1
    while True:
        status, body = _get_retrying(emu, '%s?page[size]=250&page[number]=%d' % (path, number))
        assert status == 200, 'GET %s: %s %s' % (path, status, body)
        items.extend(body['data'])
        if number >= (body.get('meta') or {}).get('total_pages', 1) or not body['data']:
            return items
        number += 1


def _get_retrying(emu, path):
    """GET through injected faults and 429s (the test's own reads must not be what fails)."""
    deadline = time.monotonic() + 60
    while True:
        try:
            status, body, _headers = emu.call('GET', path)
        except OSError:
            status, body = None, None
        if status == 200 or time.monotonic() > deadline:
            return status, body
        time.sleep(0.2)


def account(emu):
    """{connection name: [objects]} over every kind, each object with its 'ips'/'fqdns' in default order."""
    children = {'ips': defaultdict(list), 'fqdns': defaultdict(list)}
    for key in children:
        for item in list_all(emu, '/' + key):
            children[key][item['connection_id']].append(item)
    named = defaultdict(list)
    for kind, path in KIND_PATHS.items():
        for obj in list_all(emu, path):
            obj = dict(obj, kind=kind)
            for key, prefix in (('ips', 'ip'), ('fqdns', 'fqdn')):
                by_id = dict((c['id'], c) for c in children[key].get(obj['id'], []))
                slots = [(obj.get('inbound') or {}).get('default_%s_%s_id' % (slot, prefix)) for slot in ('primary', 'secondary', 'tertiary')]
                obj[key] = [by_id[i] for i in slots if i in by_id] + [c for i, c in by_id.items() if i not in slots]
            named[obj['connection_name']].append(obj)
    return named


# the options our fleets set -> how to read them back from an API object (independent of the collection's table)
FIELDS = {
    'username': lambda o: o.get('user_name'),
    'password': lambda o: o.get('password'),
    'dtmf_type': lambda o: o.get('dtmf_type'),
    'active': lambda o: o.get('active'),
    'tags': lambda o: sorted(o.get('tags') or []),
    'webhook_url': lambda o: o.get('webhook_event_url'),
    'routing_method': lambda o: (o.get('inbound') or {}).get('default_routing_method'),
    'ip_auth_method': lambda o: (o.get('outbound') or {}).get('ip_authentication_method'),
    'tech_prefix': lambda o: (o.get('outbound') or {}).get('tech_prefix'),
    'token': lambda o: (o.get('outbound') or {}).get('ip_authentication_token'),
    'ips': lambda o: [{'address': i['ip_address'], 'port': i['port']} for i in o['ips']],
    'fqdns': lambda o: [{'fqdn': i['fqdn'], 'port': i['port'], 'dns_record_type': i['dns_record_type']} for i in o['fqdns']],
    'inbound.codecs': lambda o: (o.get('inbound') or {}).get('codecs'),
    'inbound.no_answer_timeout': lambda o: (o.get('inbound') or {}).get('timeout_2xx_secs'),
    'inbound.no_ringback_timeout': lambda o: (o.get('inbound') or {}).get('timeout_1xx_secs'),
    'inbound.dnis_number_format': lambda o: (o.get('inbound') or {}).get('dnis_number_format'),
    'inbound.sip_subdomain': lambda o: (o.get('inbound') or {}).get('sip_subdomain'),
    'inbound.transport': lambda o: o.get('transport_protocol'),
    'inbound.channel_limit': lambda o: (o.get('inbound') or {}).get('channel_limit'),
    'outbound.localization': lambda o: (o.get('outbound') or {}).get('localization'),
    'outbound.channel_limit': lambda o: (o.get('outbound') or {}).get('channel_limit'),
    'outbound.outbound_voice_profile': lambda o: (o.get('outbound') or {}).get('outbound_voice_profile_id'),
}
SKIP = ('name', 'type', 'state', 'region', 'inbound', 'outbound', 'numbers')


def wanted_fields(entry):
    """{'option' or 'inbound.option': value} of every option an inventory entry sets."""
    out = dict((k, v) for k, v in entry.items() if k not in SKIP)
    for tab in ('inbound', 'outbound'):
        out.update(('%s.%s' % (tab, k), v) for k, v in (entry.get(tab) or {}).items())
    if 'tags' in out:
        out['tags'] = sorted(out['tags'])
    return out


def compare_fleet(fleet, named, profile_ids=None):
    """(duplicates, missing, mismatches, extra names) of the account against the inventory."""
    profile_ids = profile_ids or {}
    duplicates = dict((n, len(objs)) for n, objs in named.items() if len(objs) > 1)
    missing, mismatches = [], []
    for entry in fleet:
        objs = named.get(entry['name'], [])
        if not objs:
            missing.append(entry['name'])
            continue
        obj = objs[0]
        if obj['kind'] != entry['type']:
            mismatches.append((entry['name'], 'type', entry['type'], obj['kind']))
        for option, value in wanted_fields(entry).items():
            if option == 'outbound.outbound_voice_profile':
                value = profile_ids.get(value, value)
            if option in ('ips', 'fqdns'):
                value = [dict({'port': 5060, 'dns_record_type': 'a'} if option == 'fqdns' else {'port': 5060}, **v) for v in value]
            found = FIELDS[option](obj)
            if found != value:
                mismatches.append((entry['name'], option, value, found))
    extra = sorted(set(named) - set(e['name'] for e in fleet))
    return duplicates, missing, mismatches, extra


# ------------------------------------------------------------------------------------------ fleets

def make_fleet(count, prefix, profile='rel-ovp', tags=('rel',), sparse_addresses=False):
    """``count`` connections mixing every kind, each setting many options (names, usernames, addresses unique).

    With ``sparse_addresses`` only every tenth IP connection has a second address (fewer writes for big fleets).
    """
    fleet = []
    for n in range(count):
        name = '%s-%04d' % (prefix, n)
        kind = ('credentials', 'ip', 'fqdn')[n % 3]
        entry = {'name': name, 'type': kind, 'tags': list(tags) + ['n%d' % (n % 7)], 'dtmf_type': ('RFC 2833', 'Inband')[n % 2],
                 'inbound': {'codecs': [['G711U'], ['G711A', 'G711U']][n % 2], 'no_answer_timeout': 30 + n % 500,
                             'dnis_number_format': ('+e164', 'e164')[n % 2]},
                 'outbound': {'localization': ('US', 'DE', 'CA')[n % 3], 'channel_limit': 1 + n % 50}}
        if profile:
            entry['outbound']['outbound_voice_profile'] = profile
        if kind == 'credentials':
            entry.update(username='%su%04d' % (prefix.replace('-', '')[:8], n), password='Pw-%s-%04d-secret' % (prefix, n))
        elif kind == 'ip':
            ips = [{'address': '10.%d.%d.1' % (n // 250, n % 250), 'port': 5060 + n % 3}, {'address': '10.%d.%d.2' % (n // 250, n % 250)}]
            entry.update(ips=ips[:1] if sparse_addresses and n % 10 else ips,
                         ip_auth_method='token', token='Tk-%s-%04d-secret' % (prefix, n), routing_method='sequential')
            entry['inbound'].update(sip_subdomain='%ss%04d' % (prefix.replace('-', '')[:8], n), transport='UDP')
        else:
            entry.update(fqdns=[{'fqdn': 'sbc%d.%s.example.net' % (n, prefix), 'port': 5061}],
                         tech_prefix='%04d' % (1000 + n % 9000))
            entry['inbound'].update(sip_subdomain='%sf%04d' % (prefix.replace('-', '')[:8], n))
        fleet.append(entry)
    return fleet


def secrets_of_fleet(fleet):
    return [v for e in fleet for k, v in e.items() if k in ('password', 'token')]


# ------------------------------------------------------------------------------------------ playbooks

class Runner:
    """Writes playbooks/inventories into a directory and runs ``ansible-playbook`` on them (bounded in time)."""

    def __init__(self, workdir):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.count = 0

    def env(self, **extra):
        env = dict(os.environ)
        env.update({
            'ANSIBLE_COLLECTIONS_PATH': collections_path(),
            'ANSIBLE_PYTHON_INTERPRETER': sys.executable,
            'ANSIBLE_LOCALHOST_WARNING': 'false',
            'ANSIBLE_INVENTORY_UNPARSED_WARNING': 'false',
            'ANSIBLE_HOST_KEY_CHECKING': 'false',
            'ANSIBLE_RETRY_FILES_ENABLED': 'false',
            'ANSIBLE_NOCOLOR': '1',
            'ANSIBLE_FORKS': '5',
            'ANSIBLE_PIPELINING': 'true',
            'PATH': os.path.dirname(sys.executable) + os.pathsep + env.get('PATH', ''),
        })
        env.pop('ANSIBLE_CONFIG', None)
        env.update(extra)
        return env

    def write(self, name, data):
        path = self.workdir / name
        path.write_text(yaml.safe_dump(data, sort_keys=False, width=1000), encoding='utf-8')
        return path

    def start(self, plays, args=(), env=None, inventory=None):
        """Start ansible-playbook on ``plays`` (a list, or a path); returns (Popen, stdout path)."""
        self.count += 1
        book = plays if isinstance(plays, (str, Path)) else self.write('play%d.yml' % self.count, plays)
        inv = inventory or 'localhost,'
        command = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', str(inv), str(book)] + list(args)
        log = self.workdir / ('run%d.out' % self.count)
        with open(log, 'wb') as handle:
            proc = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    cwd=str(self.workdir), env=self.env(**(env or {})), start_new_session=True)
        return proc, log

    @staticmethod
    def finish(proc, log, timeout=PLAYBOOK_TIMEOUT):
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError('ansible-playbook ran over %d s:\n%s' % (timeout, log.read_text(errors='replace')[-4000:])) from None
        finally:  # over time, or the test interrupted: stop the playbook's process group (its forks too)
            if proc.poll() is None:
                os.killpg(proc.pid, 9)
                proc.wait(10)
        return proc.returncode, log.read_text(errors='replace')

    def run(self, plays, args=(), env=None, inventory=None, timeout=PLAYBOOK_TIMEOUT):
        """Run to the end: (return code, combined output)."""
        proc, log = self.start(plays, args, env, inventory)
        return self.finish(proc, log, timeout)


def failures_of(text, tail=1500):
    """The ``fatal:``/``FAILED!`` lines of an ansible output (each cut to 1,500 characters), then its tail."""
    lines = [line[:1500] for line in text.splitlines() if 'fatal:' in line or 'FAILED!' in line or 'ERROR!' in line]
    return '\n'.join(lines[:10] + ['...', text[-tail:]])


def dump_task(names, path):
    """A task writing the registered results ``names`` as JSON to ``path``."""
    content = '{{ {%s} | to_json }}' % ', '.join("'%s': %s" % (n, n) for n in names)
    return {'name': 'Keep the registered results', 'ansible.builtin.copy': {'content': content, 'dest': str(path), 'mode': '0600'}}


def api_defaults(emu, **extra):
    """module_defaults for the collection's action group, pointing at ``emu``."""
    options = {'api_key': emu.api_key, 'api_url': emu.url}
    options.update(extra)
    return {'group/byoc.carrier.telnyx': options}
