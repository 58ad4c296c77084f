# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plain ``python -m pytest tests/unit`` without PYTHONPATH: make ``ansible_collections.byoc.carrier`` importable.

From a copy at .../ansible_collections/byoc/carrier (what scripts/test runs) the directory above
``ansible_collections`` is used, from the checkout its ``.ansible/collections`` link. Under ansible-test
units the path is already there and nothing changes.
"""

from __future__ import annotations

import os
import sys

_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_PARTS = _ROOT.split(os.sep)
_PARENT = os.sep.join(_PARTS[:-3]) if _PARTS[-3] == 'ansible_collections' else os.path.join(_ROOT, '.ansible', 'collections')
if _PARENT not in sys.path:
    sys.path.append(_PARENT)
