# Copyright: contributors to byoc.carrier
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The phone numbers the emulated account owns at start (and again after a reset).

The default seed uses ranges set aside for fiction or documentation (NANP 555-01xx, Ofcom's drama
range, ARCEP's 01 99 00) plus the numbers of the design's examples, so demos never touch real
subscribers. ``--numbers FILE`` replaces it: one E.164 number a line (``#`` starts a comment), or a
JSON list of such strings.
"""
from __future__ import annotations

import json
import re

E164 = re.compile(r'^\+[1-9][0-9]{6,14}$')
COUNTRIES = (('+1', 'US'), ('+44', 'GB'), ('+49', 'DE'), ('+33', 'FR'))


def default_numbers():
    numbers = ['+1312555%04d' % n for n in range(100, 112)]
    numbers += ['+1416555%04d' % n for n in range(100, 104)]
    numbers += ['+44207946%04d' % n for n in range(10, 20)]
    numbers += ['+4930123456'] + ['+4930123456%d' % n for n in range(0, 8)]
    numbers += ['+33199001%03d' % n for n in range(100, 110)]
    return numbers


def country_of(number):
    if number.startswith('+1416'):
        return 'CA'
    for prefix, country in COUNTRIES:
        if number.startswith(prefix):
            return country
    return 'US'


def number_id(number):
    """A stable int64-like id per number, so ids survive a reset of the number seed."""
    return str(4000000000000000000 + int(number[1:]))


def load_numbers(path):
    """Read a --numbers file; raise ValueError naming the first bad entry."""
    with open(path, encoding='utf-8') as handle:
        text = handle.read()
    if text.lstrip().startswith('['):
        numbers = json.loads(text)
    else:
        numbers = [line.split('#', 1)[0].strip() for line in text.splitlines()]
        numbers = [number for number in numbers if number]
    for number in numbers:
        if not isinstance(number, str) or not E164.match(number):
            raise ValueError('%s: not an E.164 number: %r' % (path, number))
    return numbers
