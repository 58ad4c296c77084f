# Copyright: contributors to byoc.carrier
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""python -m telnyx_emulator (same as the telnyx-emulator console script)."""
from __future__ import annotations

import sys

from telnyx_emulator.cli import main

sys.exit(main())
