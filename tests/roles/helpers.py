# -*- coding: utf-8 -*-
# Copyright: byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the collection's playbooks against the demo inventory and a test emulator."""

from __future__ import annotations

import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DEMO = os.path.join(ROOT, 'inventories', 'demo')
BIN = os.path.dirname(sys.executable)
RECAP = re.compile(r'^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)', re.M)


def ansible_env(emulator, workdir, **extra):
    """Environment of a playbook run: the demo inventory's variables point at this emulator and workdir."""
    env = dict(os.environ)
    env.setdefault('ANSIBLE_COLLECTIONS_PATH', os.path.join(ROOT, '.ansible', 'collections'))
    env.update({
        'PATH': BIN + os.pathsep + env.get('PATH', ''),
        'BYOC_DEMO_API_URL': emulator.url,
        'BYOC_DEMO_API_KEY': emulator.api_key,
        'BYOC_DEMO_DIR': str(workdir),
        'ANSIBLE_NOCOLOR': '1',
        'ANSIBLE_FORCE_COLOR': '0',
    })
    env.update(extra)
    return env


def run_playbook(name, env, *args, inventory=DEMO, cwd=None):
    """Run playbooks/<name>.yml; return (returncode, output, recap {host: {ok, changed, failed}})."""
    command = [os.path.join(BIN, 'ansible-playbook'), '-i', inventory, os.path.join(ROOT, 'playbooks', name + '.yml')] + list(args)
    proc = subprocess.run(command, env=env, cwd=cwd or ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=600, check=False)
    recap = {m[0]: {'ok': int(m[1]), 'changed': int(m[2]), 'unreachable': int(m[3]), 'failed': int(m[4])}
             for m in RECAP.findall(proc.stdout)}
    return proc.returncode, proc.stdout, recap


def writes(stats):
    """Requests that change something, from the emulator's /_emulator/stats."""
    return sum(n for method, n in stats['by_method'].items() if method != 'GET')
