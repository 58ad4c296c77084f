# -*- coding: utf-8 -*-
# Copyright: byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The trunk role's model validation (filter byoc.carrier.trunk_errors)."""

from __future__ import annotations

import copy

from ansible_collections.byoc.carrier.plugins.filter import trunk_model
from ansible_collections.byoc.carrier.plugins.filter.trunk_model import trunk_errors, trunk_errors_text

GOOD = {
    'sbc-fra1': {
        'byoc_region': 'eu', 'byoc_environment': 'prod',
        'byoc_trunks': [
            {'name': 'acme-eu-prod-fra1', 'type': 'credentials', 'sbc_port': 5060, 'sbc_transport': 'TLS', 'username': 'acmefra1',
             'password': 's3cretPassw0rd', 'inbound': {'codecs': ['G711U', 'G711A'], 'no_answer_timeout': 60, 'encrypted_media': 'SRTP'},
             'outbound': {'localization': 'DE', 'outbound_voice_profile': 'acme-eu', 'encrypted_media': 'SRTP'},
             'numbers': ['+4930123456']},
            {'name': 'acme-eu-prod-fra1-ip', 'type': 'ip', 'sbc_port': 5062, 'ips': [{'address': '198.51.100.10', 'port': 5062}],
             'ip_auth_method': 'token', 'token': 'tok-abcdefghijkl', 'inbound': {'sip_subdomain': 'acmefra1ip'},
             'sbc_note': 'kept for the sbc role'},
        ],
    },
    'sbc-ams1': {
        'byoc_region': 'eu', 'byoc_environment': 'prod',
        'byoc_trunks': [
            {'name': 'acme-eu-prod-ams1', 'type': 'fqdn', 'sbc_port': 5060, 'fqdns': [{'fqdn': 'sbc.ams1.example.com', 'port': 5060}],
             'numbers': ['+31201234567', '+31201234568']},
        ],
    },
    'controller': {'ansible_connection': 'local'},
}


def errors_of(model):
    return trunk_errors(model, list(model))


def fields(errors):
    return {(e['host'], e['trunk'], e['field']) for e in errors}


def test_a_good_model_has_no_errors():
    assert errors_of(GOOD) == []


def test_every_error_is_reported_at_once():
    model = copy.deepcopy(GOOD)
    fra1 = model['sbc-fra1']
    fra1['byoc_region'] = 'us'
    fra1['byoc_trunks'][0]['numbers'] = ['030123456', '+4930123456']
    del fra1['byoc_trunks'][0]['password']
    fra1['byoc_trunks'][0]['outbound']['encrypted_media'] = 'none'
    fra1['byoc_trunks'][1]['ips'] = []
    fra1['byoc_trunks'][1]['inbound']['codec'] = ['G729']
    model['sbc-ams1']['byoc_trunks'][0]['type'] = 'sip'
    model['sbc-ams1']['byoc_environment'] = 'Prod East'
    got = fields(errors_of(model))
    assert {
        ('sbc-fra1', '-', 'byoc_region'),
        ('sbc-fra1', 'acme-eu-prod-fra1', 'numbers.0'),
        ('sbc-fra1', 'acme-eu-prod-fra1', 'password'),
        ('sbc-fra1', 'acme-eu-prod-fra1', 'encrypted_media'),
        ('sbc-fra1', 'acme-eu-prod-fra1-ip', 'ips'),
        ('sbc-fra1', 'acme-eu-prod-fra1-ip', 'inbound.codec'),
        ('sbc-ams1', 'acme-eu-prod-ams1', 'type'),
        ('sbc-ams1', '-', 'byoc_environment'),
    } <= got


def test_names_usernames_subdomains_and_numbers_are_unique_across_the_fleet():
    model = copy.deepcopy(GOOD)
    dup = copy.deepcopy(model['sbc-fra1']['byoc_trunks'][0])
    model['sbc-ams1']['byoc_trunks'].append(dup)
    ip = copy.deepcopy(model['sbc-fra1']['byoc_trunks'][1])
    ip['name'] = 'other-ip'
    model['sbc-ams1']['byoc_trunks'].append(ip)
    errors = errors_of(model)
    got = fields(errors)
    assert ('sbc-ams1', 'acme-eu-prod-fra1', 'name') in got
    assert ('sbc-ams1', 'acme-eu-prod-fra1', 'username') in got
    assert ('sbc-ams1', 'acme-eu-prod-fra1', 'numbers') in got
    assert ('sbc-ams1', 'other-ip', 'inbound.sip_subdomain') in got
    rule = [e['rule'] for e in errors if e['field'] == 'name'][0]
    assert 'sbc-fra1/acme-eu-prod-fra1' in rule


def test_kind_rules():
    model = {'h': {'byoc_region': 'ca', 'byoc_environment': 'staging', 'byoc_trunks': [
        {'name': 'c1', 'type': 'credentials', 'sbc_port': 5060, 'username': 'user1', 'password': 'x' * 12, 'fqdns': [{'fqdn': 'a.example'}]},
        {'name': 'i1', 'type': 'ip', 'sbc_port': 5062, 'ips': [{'address': '192.0.2.1', 'port': 5063}],
         'inbound': {'encrypted_media': 'SRTP', 'transport': 'TLS'}, 'outbound': {'encrypted_media': 'SRTP'}},
        {'name': 'f2', 'type': 'fqdn', 'sbc_port': 5064, 'fqdns': [{'fqdn': 'b.example', 'port': 5065}],
         'inbound': {'encrypted_media': 'SRTP', 'transport': 'TLS'}, 'outbound': {'encrypted_media': 'none'}},
        {'name': 'i3', 'type': 'ip', 'sbc_port': 5066, 'ips': [{'address': '192.0.2.3', 'port': 5066}],
         'inbound': {'encrypted_media': 'SRTP'}},
    ]}}
    got = fields(errors_of(model))
    assert ('h', 'c1', 'fqdns') in got
    assert not {e for e in got if e[1] == 'i1'}, 'SRTP with TLS, the IP port is the SBC TLS port (sbc_port + 1)'
    # encrypted_media is one setting at Telnyx on every kind (FQDN writes it to two fields): they must agree
    assert ('h', 'f2', 'encrypted_media') in got
    assert ('h', 'i3', 'encrypted_media') in got, 'SRTP requires TLS'


def test_sbc_port_is_explicit_and_matches_the_telnyx_side():
    trunk = {'name': 't', 'type': 'ip', 'ips': [{'address': '192.0.2.1', 'port': 5060}]}
    model = {'h': {'byoc_region': 'com', 'byoc_environment': 'prod', 'byoc_trunks': [trunk]}}
    assert fields(errors_of(model)) == {('h', 't', 'sbc_port')}
    trunk['sbc_port'] = 5070
    errors = errors_of(model)
    assert fields(errors) == {('h', 't', 'ips[0].port')}
    assert 'the SBC listens for this trunk on 5070' in errors[0]['rule']
    trunk['sbc_port'] = 5060
    assert errors_of(model) == []
    trunk['sbc_port'] = 70000
    assert fields(errors_of(model)) == {('h', 't', 'sbc_port')}


def test_srtp_on_a_credentials_trunk_needs_the_sbc_over_tls():
    """SRTP requires TLS everywhere: a credentials trunk has no Telnyx-side transport, the SBC's is sbc_transport."""
    model = copy.deepcopy(GOOD)
    del model['sbc-fra1']['byoc_trunks'][0]['sbc_transport']
    assert errors_of(model) == [{'host': 'sbc-fra1', 'trunk': 'acme-eu-prod-fra1', 'field': 'encrypted_media',
                                 'rule': "SRTP requires transport TLS (SDES keys travel in the SIP body): set sbc_transport to TLS, "
                                         "the SBC's transport toward Telnyx (got UDP)"}]


def test_a_tls_port_on_sbc_listen_port_is_refused():
    model = copy.deepcopy(GOOD)
    model['sbc-fra1']['sbc_listen_port'] = 5061
    assert errors_of(model) == [{'host': 'sbc-fra1', 'trunk': 'acme-eu-prod-fra1', 'field': 'sbc_port',
                                 'rule': "TLS takes sbc_port + 1 = 5061, which is sbc_listen_port (the SBC's default Contact port): "
                                         "choose another sbc_port or sbc_listen_port"}]


def test_the_one_model_refuses_what_the_sbc_could_not_send():
    trunk = {'name': 't', 'type': 'ip', 'sbc_port': 5060, 'ips': [{'address': '192.0.2.1'}], 'ip_auth_method': 'token', 'token': 'short!tok'}
    model = {'h': {'byoc_region': 'com', 'byoc_environment': 'prod', 'byoc_trunks': [trunk]}}
    assert fields(errors_of(model)) == {('h', 't', 'token')}


def test_no_secret_in_any_message():
    model = copy.deepcopy(GOOD)
    trunk = model['sbc-fra1']['byoc_trunks'][0]
    trunk['password'] = 12345678901
    trunk['username'] = 'acmefra1'
    model['sbc-ams1']['byoc_trunks'].append(dict(trunk, name='again'))
    text = trunk_errors_text(errors_of(model))
    assert 'acmefra1' not in text and '12345678901' not in text and 'tok-abcdefghijkl' not in text


class _Exploding(dict):
    """A host whose byoc_trunks cannot be templated (an undefined vault variable)."""

    def get(self, key, default=None):
        if key == 'byoc_trunks':
            raise ValueError("'vault_acme_password' is undefined")
        return super().get(key, default)


def test_a_variable_that_cannot_be_templated_is_an_error_not_a_crash():
    model = {'h': _Exploding(byoc_region='com', byoc_environment='prod')}
    errors = errors_of(model)
    assert errors == [{'host': 'h', 'trunk': '-', 'field': 'byoc_trunks',
                       'rule': 'cannot be templated: ValueError (vault_acme_password is undefined)'}]


def test_trunks_must_be_a_list_of_mappings():
    errors = errors_of({'h': {'byoc_region': 'com', 'byoc_environment': 'prod', 'byoc_trunks': {'name': 'x'}}})
    assert fields(errors) == {('h', '-', 'byoc_trunks')}
    errors = errors_of({'h': {'byoc_region': 'com', 'byoc_environment': 'prod', 'byoc_trunks': ['x']}})
    assert fields(errors) == {('h', '#0', '(trunk)')}


def test_text_is_one_line_per_error():
    text = trunk_errors_text([{'host': 'h', 'trunk': 't', 'field': 'f', 'rule': 'r'}] * 2)
    assert text == 'h / t / f: r\nh / t / f: r'


def test_field_rules_come_from_the_settings_table():
    model = copy.deepcopy(GOOD)
    trunk = model['sbc-fra1']['byoc_trunks'][0]
    trunk['username'] = 'abc'
    trunk['inbound']['codecs'] = ['G729']
    trunk['inbound']['no_answer_timeout'] = 900
    got = fields(errors_of(model))
    assert ('sbc-fra1', 'acme-eu-prod-fra1', 'username') in got
    assert ('sbc-fra1', 'acme-eu-prod-fra1', 'inbound.codecs[0]') in got
    assert ('sbc-fra1', 'acme-eu-prod-fra1', 'inbound.no_answer_timeout') in got


def test_duplicates_on_the_same_host_are_found_too():
    model = {'h': {'byoc_region': 'com', 'byoc_environment': 'prod', 'byoc_trunks': [
        {'name': 'dup', 'type': 'ip', 'sbc_port': 5060, 'ips': [{'address': '192.0.2.1'}], 'numbers': ['+13125550100']},
        {'name': 'dup', 'type': 'ip', 'sbc_port': 5060, 'ips': [{'address': '192.0.2.2'}], 'numbers': ['+13125550100']},
    ]}}
    assert fields(errors_of(model)) == {('h', 'dup', 'name'), ('h', 'dup', 'numbers'), ('h', 'dup', 'sbc_port')}


def test_bulk_connections_carry_the_options_but_not_numbers_state_or_sbc_keys():
    model = copy.deepcopy(GOOD)
    model['sbc-ams1']['byoc_trunks'].append({'name': 'gone', 'type': 'ip', 'ips': [], 'state': 'absent'})
    entries = trunk_model.bulk_connections(model, ['sbc-fra1', 'sbc-ams1', 'controller'])
    assert [e['name'] for e in entries] == ['acme-eu-prod-fra1', 'acme-eu-prod-fra1-ip', 'acme-eu-prod-ams1']
    # the trunk's own settings, with the guide baseline (byoc_trunk_defaults) under them
    assert entries[0] == {'name': 'acme-eu-prod-fra1', 'type': 'credentials', 'region': 'eu', 'username': 'acmefra1',
                          'password': 's3cretPassw0rd',
                          'webhook_url': '', 'webhook_failover_url': '', 'webhook_api_version': '2', 'anchorsite': 'Latency',
                          'encode_contact_header': False, 'comfort_noise': True, 'dtmf_type': 'RFC 2833',
                          'rtcp': {'report_frequency': 5, 'port': 'rtp+1', 'capture': False},
                          'inbound': {'codecs': ['G711U', 'G711A'], 'no_answer_timeout': 60, 'encrypted_media': 'SRTP',
                                      'dnis_number_format': 'e164', 'ani_number_format': 'E.164-national', 'no_ringback_timeout': 5,
                                      'subdomain_calls': 'disabled', 'ringback': 'default', 'compact_headers': True},
                          'outbound': {'localization': 'DE', 'outbound_voice_profile': 'acme-eu', 'encrypted_media': 'SRTP',
                                       'caller_id_override': '', 'ringback': 'instant'}}
    assert 'sbc_note' not in entries[1] and 'numbers' not in entries[2]


def test_bulk_connections_take_each_host_s_byoc_trunk_defaults():
    model = copy.deepcopy(GOOD)
    model['sbc-fra1']['byoc_trunk_defaults'] = {'dtmf_type': 'SIP INFO', 'webhook_url': None, 'ip': {'routing_method': 'round-robin'}}
    entries = dict((e['name'], e) for e in trunk_model.bulk_connections(model, ['sbc-fra1', 'sbc-ams1']))
    assert entries['acme-eu-prod-fra1']['dtmf_type'] == 'SIP INFO' and 'webhook_url' not in entries['acme-eu-prod-fra1']
    assert entries['acme-eu-prod-fra1-ip']['routing_method'] == 'round-robin'
    assert entries['acme-eu-prod-ams1']['dtmf_type'] == 'RFC 2833' and entries['acme-eu-prod-ams1']['webhook_url'] == ''


def test_trunk_errors_check_the_trunks_with_their_defaults_and_name_unknown_default_keys():
    model = copy.deepcopy(GOOD)
    model['sbc-fra1']['byoc_trunk_defaults'] = {'dtmf': 'Inband', 'inbound': {'no_answer_timeout': 9999}}
    errors = trunk_model.trunk_errors(model, ['sbc-fra1'])
    assert {'host': 'sbc-fra1', 'trunk': '-', 'field': 'byoc_trunk_defaults.dtmf',
            'rule': "unknown option 'dtmf' (did you mean 'dtmf_type'?)"} in errors
    # a default that breaks a rule is reported on each trunk it is merged under (the trunk's own 60 wins on fra1)
    assert [e['trunk'] for e in errors if e['field'] == 'inbound.no_answer_timeout'] == ['acme-eu-prod-fra1-ip']


def test_bulk_connections_add_the_owner_tags_of_each_host():
    model = copy.deepcopy(GOOD)
    model['sbc-fra1']['byoc_trunks'][0]['tags'] = ['acme', 'byoc']
    model['sbc-fra1']['cpaas_owner_tags'] = ['byoc', 'sbc:sbc-fra1']
    model['sbc-ams1']['cpaas_owner_tags'] = []
    entries = trunk_model.bulk_connections(model, ['sbc-fra1', 'sbc-ams1'])
    assert [e.get('tags') for e in entries] == [['acme', 'byoc', 'sbc:sbc-fra1'], ['byoc', 'sbc:sbc-fra1'], None]


def plan_model(**tags):
    return dict((host, {'cpaas_owner_tags': value}) for host, value in tags.items())


def test_prune_plan_groups_hosts_by_their_tags():
    model = plan_model(a=['byoc', 'eu'], b=['eu', 'byoc'], c=['byoc', 'sbc:c'])
    plan = trunk_model.prune_plan(model, ['a', 'b', 'c'])
    assert plan == {'problems': [], 'groups': [{'tags': ['byoc', 'eu'], 'hosts': ['a', 'b']}, {'tags': ['byoc', 'sbc:c'], 'hosts': ['c']}]}


def test_prune_plan_in_a_partial_run_needs_tags_naming_each_host():
    model = plan_model(a=['byoc', 'eu'], b=['byoc', 'eu'], c=['byoc', 'sbc:c'], d=['byoc', 'site-x'])
    plan = trunk_model.prune_plan(model, ['a', 'b', 'c', 'd'], partial=True)
    assert plan['groups'] == []
    assert len(plan['problems']) == 2
    assert plan['problems'][0].startswith("a, b: cpaas_prune_tags ['byoc', 'eu'] are not scoped to one host")
    assert plan['problems'][1].startswith("d: cpaas_prune_tags ['byoc', 'site-x'] are not scoped to one host")
    scoped = trunk_model.prune_plan(plan_model(a=['byoc', 'sbc:a'], c=['byoc', 'sbc:c']), ['a', 'c'], partial=True)
    assert scoped == {'problems': [], 'groups': [{'tags': ['byoc', 'sbc:a'], 'hosts': ['a']}, {'tags': ['byoc', 'sbc:c'], 'hosts': ['c']}]}


def test_prune_plan_is_refused_when_a_host_left_the_play_or_has_no_tags_and_the_engine_is_a_no_op():
    model = plan_model(a=['byoc'], b=[], c=['byoc'])
    plan = trunk_model.prune_plan(model, ['a', 'b'], ['a', 'b', 'c'], engine='single')
    assert plan['groups'] == []
    assert plan['problems'] == [
        'c: left the play (failed or unreachable); pruning is refused, as the trunks of these hosts would not be listed '
        'and their connections could be deleted',
        'b: cpaas_prune_tags: required with cpaas_prune (the tags that mark the connections this inventory owns)',
    ]
