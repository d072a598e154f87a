#!/usr/bin/env python3
"""Build vaultlint's compact ATT&CK tactic table from whole-domain STIX bundles.

A technique's tactics are its STIX `kill_chain_phases` whose `kill_chain_name` is its
domain's (`mitre-attack`, `mitre-mobile-attack`, `mitre-ics-attack`), each `phase_name`
being a tactic's `x_mitre_shortname` in that domain. The table writes them as the tactics'
ATT&CK IDs, in the order ATT&CK lists the phases.

Input: the domain bundles of one release, plain or xz-compressed, such as
../shared/attack/releases/{enterprise,mobile,ics}-attack-18.1.json.xz (mitre/cti at the
release's tag, joined by that folder's mkbundle.py).

Output (UTF-8, LF, tab-separated, one header line), one line per technique or
sub-technique with at least one tactic, revoked and deprecated ones included:
  domain  attack_id  tactics (comma-separated tactic IDs)

Usage:
  make-tactics.py ../shared/attack/releases/*-attack-18.1.json.xz -o data/attack-tactics.tsv
"""
import argparse
import json
import lzma

DOMAINS = ["enterprise-attack", "mobile-attack", "ics-attack"]
KILL_CHAINS = {
    "mitre-attack": "enterprise-attack",
    "mitre-mobile-attack": "mobile-attack",
    "mitre-ics-attack": "ics-attack",
}


def attack_id(obj):
    for ref in obj.get("external_references", []) or []:
        if ref.get("source_name", "").startswith("mitre-") and ref.get("external_id"):
            return ref["external_id"]
    return ""


def id_key(aid):
    i = 0
    while i < len(aid) and not aid[i].isdigit():
        i += 1
    return (aid[:i], tuple(int(p) if p.isdigit() else 0 for p in aid[i:].split(".")))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("bundles", nargs="+")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--source", default="", help="what the header comment names as the source")
    args = ap.parse_args()
    objects = []
    for path in args.bundles:
        opener = lzma.open if path.endswith(".xz") else open
        with opener(path, "rt", encoding="utf-8") as fh:
            objects.extend(json.load(fh)["objects"])
    tactic = {}
    for obj in objects:
        if obj.get("type") == "x-mitre-tactic":
            for domain in obj.get("x_mitre_domains", []):
                tactic[(domain, obj["x_mitre_shortname"])] = attack_id(obj)
    rows = {}
    for obj in objects:
        if obj.get("type") != "attack-pattern" or not attack_id(obj):
            continue
        per_domain = {}
        for phase in obj.get("kill_chain_phases", []) or []:
            domain = KILL_CHAINS.get(phase.get("kill_chain_name"))
            tid = tactic.get((domain, phase.get("phase_name")))
            if domain and tid and tid not in per_domain.setdefault(domain, []):
                per_domain[domain].append(tid)
        for domain, tids in per_domain.items():
            if domain in obj.get("x_mitre_domains", [domain]):
                rows[(domain, attack_id(obj))] = tids
    order = {d: i for i, d in enumerate(DOMAINS)}
    with open(args.output, "w", encoding="utf-8", newline="\n") as out:
        out.write(f"# ATT&CK technique tactics{args.source}; made by scripts/make-tactics.py; see NOTICE\n")
        out.write("domain\tattack_id\ttactics\n")
        for (domain, aid) in sorted(rows, key=lambda k: (order[k[0]], id_key(k[1]))):
            out.write(f"{domain}\t{aid}\t{','.join(rows[(domain, aid)])}\n")


if __name__ == "__main__":
    main()
