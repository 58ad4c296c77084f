# Copyright: byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``python -m pytest tests/contract`` alone: ``ansible_collections.byoc.carrier`` importable, by the one rule that
tests/unit/conftest.py holds (loaded here as a plain module: its path set-up runs, its fixtures stay its own)."""
from __future__ import annotations

import importlib.util
import os

_UNIT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'unit', 'conftest.py')
_LOADER = importlib.util.spec_from_file_location('byoc_unit_paths', _UNIT)
_LOADER.loader.exec_module(importlib.util.module_from_spec(_LOADER))
