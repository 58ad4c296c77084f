# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Small constants shared by the modules, module_utils and filters (private).

* ``E164``: the one E.164 pattern (compiled): ``+``, a non-zero digit, 6 to 15 digits in all.
  ``E164_RULE`` says it in words for messages.
"""

from __future__ import annotations

import re

E164_PATTERN = r'^\+[1-9][0-9]{5,14}$'
E164 = re.compile(E164_PATTERN)
E164_RULE = '+ then 6-15 digits, no spaces'
