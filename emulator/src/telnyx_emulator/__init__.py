# Copyright: contributors to byoc.carrier
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A stateful stand-in for the Telnyx API v2 SIP-connection paths (see emulator/README.md)."""
from __future__ import annotations

__version__ = '1.0.0'
