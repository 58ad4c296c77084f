"""Deterministic benchmark fleet: N connections as a user would declare them for byoc.carrier.sip_connections.

Mix (by index, so any size keeps it): 60% credentials, 25% IP (two IPs each), 15% FQDN (two FQDNs each),
spread round-robin across the regions com, eu and ca. Every connection carries the tags
``bench`` and ``fleet-bench`` and points at the outbound voice profile ``bench-<region>``.

    python bench/fleet.py --size 1000 --out bench/work/fleet.yml
"""

from __future__ import annotations

import argparse
import hashlib
import json

REGIONS = ("com", "eu", "ca")
OVP_NAMES = tuple("bench-%s" % r for r in REGIONS)
TAGS = ["bench", "fleet-bench"]
# region -> (anchorsite, localization, sip_region)
REGION_PROFILE = {
    "com": ("Latency", "US", "US"),
    "eu": ("Frankfurt, Germany", "DE", "Europe"),
    "ca": ("Toronto, Canada", "CA", "US"),
}


def kind_of(index):
    """60% credentials, 25% ip, 15% fqdn, interleaved."""
    slot = index % 20
    if slot < 12:
        return "credentials"
    if slot < 17:
        return "ip"
    return "fqdn"


def _secret(index, salt):
    return "Bx" + hashlib.sha256(("%s-%d" % (salt, index)).encode()).hexdigest()[:18]


def connection(index):
    """The declaration of connection number ``index`` (module form: sip_connection options + inbound/outbound)."""
    kind = kind_of(index)
    region = REGIONS[index % len(REGIONS)]
    anchorsite, country, sip_region = REGION_PROFILE[region]
    abbr = {"credentials": "cred", "ip": "ip", "fqdn": "fqdn"}[kind]
    entry = {
        "name": "bench-%s-%s-%04d" % (region, abbr, index),
        "type": kind,
        "region": region,
        "tags": list(TAGS),
        "anchorsite": anchorsite,
        "dtmf_type": "RFC 2833",
        "encode_contact_header": index % 2 == 0,
        "inbound": {
            "codecs": ["G711U", "G711A"],
            "dnis_number_format": "+e164",
            "ani_number_format": "+E.164",
            "no_answer_timeout": 60,
        },
        "outbound": {
            "localization": country,
            "outbound_voice_profile": "bench-%s" % region,
            "channel_limit": 10 + index % 5,
        },
    }
    if kind == "credentials":
        entry["username"] = "bench%04d%s" % (index, region)
        entry["password"] = _secret(index, "password")
    else:
        entry["inbound"]["transport"] = "UDP" if kind == "ip" else "TCP"
        entry["inbound"]["sip_region"] = sip_region
    if kind == "ip":
        entry["routing_method"] = "sequential"
        entry["ips"] = [
            {"address": "10.%d.%d.%d" % (10 + REGIONS.index(region) * 2 + n, (index >> 8) & 255, index & 255), "port": 5060}
            for n in range(2)
        ]
        if index % 2:
            entry["ip_auth_method"] = "token"
            entry["token"] = _secret(index, "token")
        else:
            entry["ip_auth_method"] = "tech_prefix"
            entry["tech_prefix"] = "%04d" % (index % 10000)
    if kind == "fqdn":
        entry["routing_method"] = "round-robin"
        entry["fqdns"] = [
            {"fqdn": "sbc%d.c%04d.%s.example.net" % (n + 1, index, region), "port": 5060, "dns_record_type": "a"}
            for n in range(2)
        ]
    return entry


def fleet(size):
    """The whole fleet, in index order."""
    return [connection(i) for i in range(size)]


def subset(entries, size):
    """``size`` entries keeping the kind mix (at least one of each kind present), in fleet order."""
    if size >= len(entries):
        return list(entries)
    by_kind = {}
    for entry in entries:
        by_kind.setdefault(entry["type"], []).append(entry)
    counts = dict((kind, max(1, int(round(size * len(items) / float(len(entries)))))) for kind, items in by_kind.items())
    while sum(counts.values()) > size:
        counts[max(counts, key=counts.get)] -= 1
    chosen = set()
    for kind, items in by_kind.items():
        chosen.update(id(e) for e in items[:counts[kind]])
    return [e for e in entries if id(e) in chosen]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--out", default="-", help="file to write (YAML-compatible JSON) or - for stdout")
    args = parser.parse_args(argv)
    text = json.dumps({"bench_connections": fleet(args.size)}, indent=1)
    if args.out == "-":
        print(text)
    else:
        with open(args.out, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
