# Copyright: contributors to byoc.carrier
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A phone number's voice settings: ``GET/PATCH /phone_numbers/{id}/voice`` (Telnyx's PhoneNumberWithVoiceSettings).

Kept per number id in ``State.voice`` (saved with the state, dropped with the number). The reply holds the
spec's fields of the number (id, phone_number, connection_id, customer_reference) and its voice settings,
the spec's defaults where nothing was written. Behaviour chosen here, as the spec leaves it open:
- PATCH merges the nested objects (``call_forwarding``, ``call_recording``, ...) key by key, like the
  connection endpoints; ``forwards_to: ""`` leaves the number without a forwarding target.
- ``call_forwarding.forwards_to``, when not empty, must be +E.164 (the spec: "If set, must be a +E.164-formatted
  phone number"): anything else is a 422 (10015) pointing at it.
- The number's own ``call_forwarding_enabled`` (``GET /phone_numbers/{id}``) follows the voice settings'.
- Fields that are null while the spec types them as non-nullable (a number without connection) are left out.
"""
from __future__ import annotations

import re

from telnyx_emulator.store import clone, invalid, merge, now

E164 = re.compile(r'^\+[1-9][0-9]{6,14}$')
RESPONSE_FIELDS = ('call_forwarding', 'call_recording', 'cnam_listing', 'emergency', 'inbound_call_screening', 'media_features',
                   'tech_prefix_enabled', 'translated_number', 'usage_payment_method')
DEFAULTS = {
    'call_forwarding': {'call_forwarding_enabled': True},
    'call_recording': {'inbound_call_recording_channels': 'single', 'inbound_call_recording_enabled': False,
                       'inbound_call_recording_format': 'wav'},
    'cnam_listing': {'cnam_listing_enabled': False},
    'emergency': {'emergency_enabled': False, 'emergency_status': 'disabled'},
    'inbound_call_screening': 'disabled',
    'media_features': {'accept_any_rtp_packets_enabled': False, 'rtp_auto_adjust_enabled': True, 't38_fax_gateway_enabled': False},
    'tech_prefix_enabled': False,
    'translated_number': '',
    'usage_payment_method': 'pay-per-minute',
}


def settings(state, ident):
    """The stored voice settings of number ``ident`` (404 when there is no such number), defaults filled in."""
    state.find('phone_numbers', ident)
    return merge(clone(DEFAULTS), state.voice.get(ident, {}))


def view(state, ident):
    number = state.find('phone_numbers', ident)
    result = {'id': ident, 'record_type': 'voice_settings', 'phone_number': number['phone_number']}
    for key in ('connection_id', 'customer_reference'):
        if number.get(key) is not None:
            result[key] = number[key]
    stored = settings(state, ident)
    result.update((key, stored[key]) for key in RESPONSE_FIELDS)
    return result


def update(state, ident, body):
    """PATCH: validate against the spec's request schema and the E.164 rule, merge, answer the view."""
    number = state.find('phone_numbers', ident)
    state.check_body('PATCH /phone_numbers/{id}/voice', body)
    target = (body.get('call_forwarding') or {}).get('forwards_to')
    if target and not E164.match(target):
        raise invalid([('/call_forwarding/forwards_to', 'forwards_to must be a +E.164-formatted phone number, got %r.' % target)])
    state.voice[ident] = merge(clone(state.voice.get(ident, {})), body)
    number['call_forwarding_enabled'] = settings(state, ident)['call_forwarding'].get('call_forwarding_enabled', True)
    number['updated_at'] = now()
    state.version += 1
    return view(state, ident)
