# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the collection ships (every file `ansible-galaxy collection build` packs, galaxy.yml's build_ignore applied)
explains itself: no shipped file points at a design document or notes outside the collection. The tests are the
exception: they locate Telnyx's OpenAPI spec, which is not part of the collection, beside the repository."""

from __future__ import annotations

import fnmatch
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
# words that only make sense beside this repository, not in an installed collection
OUTSIDE = ('DESIGN.md', '../shared', 'shared/notes', 'shared/telnyx-api')


def shipped_files():
    ignore = yaml.safe_load((ROOT / 'galaxy.yml').read_text())['build_ignore']
    listed = subprocess.run(['git', 'ls-files', '-co', '--exclude-standard'], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout.split()
    for path in listed:
        if (ROOT / path).is_file() and not any(
                fnmatch.fnmatch(path, pattern) or path.startswith(pattern.rstrip('/') + '/') for pattern in ignore):
            yield path


def test_the_shipped_set_is_what_galaxy_build_packs():
    files = set(shipped_files())
    assert 'roles/sbc/README.md' in files and 'plugins/modules/sip_connection.py' in files
    assert not any(f.startswith(('emulator/', 'scripts/', 'bench/', '.ci/', 'docs/dev/')) for f in files)


def test_no_shipped_file_refers_to_a_file_outside_the_collection():
    found = []
    for path in shipped_files():
        if path.startswith('tests/'):
            continue
        try:
            text = (ROOT / path).read_text(encoding='utf-8')
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            found.extend('%s:%d: %s' % (path, number, word) for word in OUTSIDE if word in line)
    assert not found, 'shipped files refer to files outside the collection:\n' + '\n'.join(found)
