# Copyright: contributors to byoc.carrier
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Telnyx's official Python SDK (PyPI ``telnyx``, pinned in requirements-dev.txt) as a client of the emulator.

Full create/read/list/update/delete of every resource the collection uses, with the fields the SDK's typed
parameters send (the newer ``bridge_generate_comfort_noise_on_cn`` and ``conversation_persistence`` among
them), its auto-pagination and its error classes. Loopback only: the emulator listens on 127.0.0.1.
"""
from __future__ import annotations

import pytest
import telnyx


@pytest.fixture
def client(api):
    sdk = telnyx.Telnyx(api_key=api.api_key or 'sdk-test-key', base_url=api.url, max_retries=0, timeout=30)
    yield sdk
    sdk.close()


def test_the_sdk_is_the_pinned_version():
    with open(__file__.rsplit('/tests/', 1)[0] + '/requirements-dev.txt', encoding='utf-8') as handle:
        pins = dict(line.strip().split('==', 1) for line in handle if '==' in line and not line.startswith('#'))
    assert telnyx.__version__ == pins['telnyx']


def test_credential_connection_crud(client, api):
    created = client.credential_connections.create(
        connection_name='sdk-cred', user_name='sdkcred1', password='Secret-pass1', bridge_generate_comfort_noise_on_cn=True,
        inbound={'codecs': ['G711U', 'G722'], 'channel_limit': 10}, outbound={'localization': 'DE', 'ani_override': '+4930123456'},
        tags=['sdk']).data
    assert created.id and created.record_type == 'credential_connection' and created.bridge_generate_comfort_noise_on_cn is True
    assert created.inbound.codecs == ['G711U', 'G722'] and created.outbound.localization == 'DE' and created.conversation_persistence is False
    got = client.credential_connections.retrieve(created.id).data
    assert got.user_name == 'sdkcred1' and got.webhook_event_url is None and got.outbound.outbound_voice_profile_id is None
    updated = client.credential_connections.update(created.id, conversation_persistence=True, active=False,
                                                   inbound={'channel_limit': 5}).data
    assert updated.conversation_persistence is True and updated.active is False and updated.inbound.channel_limit == 5
    assert [item.id for item in client.credential_connections.list(filter={'connection_name': {'contains': 'sdk-c'}})] == [created.id]
    assert client.credential_connections.delete(created.id).data.id == created.id
    with pytest.raises(telnyx.NotFoundError):
        client.credential_connections.retrieve(created.id)
    assert api.call('GET', api.root + '/_emulator/ignored', headers={})[1] == {}


def test_ip_connection_ips_and_default_ip(client, api):
    conn = client.ip_connections.create(connection_name='sdk-ip', transport_protocol='TCP', inbound={'sip_subdomain': 'sdk-ip-sub'},
                                        outbound={'ip_authentication_method': 'token', 'ip_authentication_token': 'tok-sdk-1'}).data
    assert conn.record_type == 'ip_connection' and conn.inbound.sip_subdomain == 'sdk-ip-sub' and conn.inbound.default_primary_ip_id is None
    ip = client.ips.create(ip_address='192.0.2.80', connection_id=conn.id, port=5060).data
    assert ip.record_type == 'ip' and ip.port == 5060
    assert client.ips.update(ip.id, ip_address='192.0.2.81', port=5070, connection_id=conn.id).data.port == 5070
    assert client.ips.retrieve(ip.id).data.ip_address == '192.0.2.81'
    assert [item.id for item in client.ips.list(filter={'connection_id': conn.id})] == [ip.id]
    updated = client.ip_connections.update(conn.id, inbound={'default_primary_ip_id': ip.id}, bridge_generate_comfort_noise_on_cn=True).data
    assert updated.inbound.default_primary_ip_id == ip.id and updated.bridge_generate_comfort_noise_on_cn is True
    assert client.ip_connections.retrieve(conn.id).data.transport_protocol == 'TCP'
    assert client.ips.delete(ip.id).data.id == ip.id
    assert client.ip_connections.retrieve(conn.id).data.inbound.default_primary_ip_id is None
    assert client.ip_connections.delete(conn.id).data.id == conn.id
    assert api.call('GET', api.root + '/_emulator/ignored', headers={})[1] == {}


def test_fqdn_connection_and_fqdns(client, api):
    conn = client.fqdn_connections.create(connection_name='sdk-fqdn', transport_protocol='TLS', encrypted_media='SRTP',
                                          inbound={'default_routing_method': 'round-robin'}).data
    assert conn.record_type == 'fqdn_connection' and conn.user_name is None and conn.password is None and conn.outbound.tech_prefix is None
    fqdn = client.fqdns.create(connection_id=conn.id, fqdn='sbc.example.com', dns_record_type='a', port=5061).data
    srv = client.fqdns.create(connection_id=conn.id, fqdn='example.com', dns_record_type='srv').data
    assert fqdn.port == 5061 and srv.port is None
    assert client.fqdns.update(fqdn.id, fqdn='sbc2.example.com').data.fqdn == 'sbc2.example.com'
    assert client.fqdns.retrieve(srv.id).data.dns_record_type == 'srv'
    assert sorted(item.id for item in client.fqdns.list(filter={'connection_id': conn.id})) == sorted([fqdn.id, srv.id])
    updated = client.fqdn_connections.update(conn.id, inbound={'default_primary_fqdn_id': fqdn.id}, conversation_persistence=True).data
    assert updated.inbound.default_primary_fqdn_id == fqdn.id and updated.conversation_persistence is True
    assert [item.id for item in client.fqdn_connections.list()] == [conn.id]
    assert client.fqdns.delete(srv.id).data.id == srv.id
    assert client.fqdn_connections.delete(conn.id).data.id == conn.id
    with pytest.raises(telnyx.NotFoundError):
        client.fqdns.retrieve(fqdn.id)
    assert api.call('GET', api.root + '/_emulator/ignored', headers={})[1] == {}


def test_outbound_voice_profile_crud(client):
    ovp = client.outbound_voice_profiles.create(name='sdk-ovp', whitelisted_destinations=['US', 'DE'], concurrent_call_limit=10,
                                                daily_spend_limit='100.00', daily_spend_limit_enabled=True,
                                                calling_window={'start_time': '08:00', 'end_time': '20:00'}).data
    assert ovp.record_type == 'outbound_voice_profile' and ovp.whitelisted_destinations == ['US', 'DE'] and ovp.max_destination_rate is None
    assert client.outbound_voice_profiles.retrieve(ovp.id).data.daily_spend_limit == '100.00'
    assert client.outbound_voice_profiles.update(ovp.id, name='sdk-ovp', concurrent_call_limit=3).data.concurrent_call_limit == 3
    assert [item.id for item in client.outbound_voice_profiles.list(filter={'name': {'contains': 'sdk'}})] == [ovp.id]
    conn = client.ip_connections.create(connection_name='sdk-uses-ovp', outbound={'outbound_voice_profile_id': ovp.id}).data
    with pytest.raises(telnyx.UnprocessableEntityError):
        client.outbound_voice_profiles.delete(ovp.id)  # still used by a connection
    client.ip_connections.delete(conn.id)
    assert client.outbound_voice_profiles.delete(ovp.id).data.id == ovp.id


def test_phone_numbers_list_update_delete(client):
    conn = client.credential_connections.create(connection_name='sdk-numbers', user_name='sdknum1', password='Secret-pass1').data
    french = list(client.phone_numbers.list(filter={'country_iso_alpha2': 'FR'}, page_size=2))
    assert len(french) >= 3 and all(item.country_iso_alpha2 == 'FR' for item in french)  # auto-pagination walked several pages
    number = french[0]
    updated = client.phone_numbers.update(number.id, connection_id=conn.id, tags=['sdk']).data
    assert updated.connection_id == conn.id and updated.tags == ['sdk']
    assert client.phone_numbers.retrieve(number.id).data.connection_name == 'sdk-numbers'
    assert [item.id for item in client.phone_numbers.list(filter={'tag': 'sdk'})] == [number.id]
    assert [item.id for item in client.phone_numbers.list(filter={'voice.connection_name': {'starts_with': 'sdk-num'}})] == [number.id]
    assert client.phone_numbers.delete(number.id).data.id == number.id
    with pytest.raises(telnyx.NotFoundError):
        client.phone_numbers.retrieve(number.id)


def test_sdk_errors(client, api):
    with pytest.raises(telnyx.UnprocessableEntityError) as refused:
        client.ip_connections.create(connection_name='bad', inbound={'codecs': ['FOO']})
    assert refused.value.status_code == 422 and 'codecs' in str(refused.value)
    with pytest.raises(telnyx.BadRequestError):
        client.ip_connections.list(page_size=0)
    with pytest.raises(telnyx.BadRequestError):
        client.phone_numbers.list(filter={'phone_number': '12'})
    wrong = telnyx.Telnyx(api_key='wrong-key', base_url=api.url, max_retries=0)
    try:
        if api.api_key:
            with pytest.raises(telnyx.AuthenticationError):
                wrong.ips.list()
    finally:
        wrong.close()
