# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of byoc.carrier.

Plain ``python -m pytest tests/unit`` (run from the collection root) imports this package first: it
makes ``ansible_collections.byoc.carrier`` importable when the caller did not set PYTHONPATH, from the
directory above ``ansible_collections`` (a copy at .../ansible_collections/byoc/carrier) or from the
repo's ``.ansible/collections`` link. Under ansible-test units it changes nothing.
"""

from __future__ import annotations

import os
import sys


def _collections_root():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    above = os.path.dirname(os.path.dirname(root))
    if os.path.basename(above) == 'ansible_collections':
        return os.path.dirname(above)
    link = os.path.join(root, '.ansible', 'collections')
    return link if os.path.isdir(os.path.join(link, 'ansible_collections', 'byoc', 'carrier')) else None


_ROOT = _collections_root()
if _ROOT and _ROOT not in sys.path:
    sys.path.append(_ROOT)
