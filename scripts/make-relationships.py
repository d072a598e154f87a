#!/usr/bin/env python3
"""Build vaultlint's compact ATT&CK relationship table from mitre/cti (STIX 2.0).

Reads the per-object JSON files of enterprise-attack/, mobile-attack/ and ics-attack/ from
a git directory of github.com/mitre/cti at a revision (no work tree needed), like
make-catalog.py in ../shared/attack. Keeps the relationships a vault's tables show:

  mitigates        mitigation -> technique   ("Techniques Addressed by Mitigation")
  uses             group/software/campaign -> technique or software ("Techniques Used")
  subtechnique-of  sub-technique -> technique ("Sub-techniques")

Relationships that are revoked or deprecated, or whose ends are revoked, deprecated or
have no ATT&CK ID, are left out: ATT&CK's pages do not show them.

Output (UTF-8, LF, tab-separated, one header line), one line per source object and type:
  domain  source  type  targets (comma-separated ATT&CK IDs, sorted)

Usage:
  make-relationships.py --git-dir path/to/cti/.git --rev <commit> -o data/attack-relationships.tsv
"""
import argparse
import json
import subprocess
import sys

DOMAINS = ["enterprise-attack", "mobile-attack", "ics-attack"]
KEEP = {"mitigates", "uses", "subtechnique-of"}
OBJECT_DIRS = {"attack-pattern", "course-of-action", "intrusion-set", "malware", "tool", "campaign"}


def objects(git_dir, rev):
    ls = subprocess.run(
        ["git", "--git-dir", git_dir, "ls-tree", "-r", "-z", rev, "--"] + DOMAINS,
        check=True, capture_output=True,
    ).stdout.split(b"\0")
    wanted = []
    for rec in ls:
        if not rec:
            continue
        meta, path = rec.split(b"\t", 1)
        parts = path.decode().split("/")
        if len(parts) == 3 and parts[1] in OBJECT_DIRS | {"relationship"} and parts[2].endswith(".json"):
            wanted.append((parts[0], meta.split()[2].decode()))
    proc = subprocess.Popen(["git", "--git-dir", git_dir, "cat-file", "--batch"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    for domain, sha in wanted:
        proc.stdin.write(sha.encode() + b"\n")
        proc.stdin.flush()
        header = proc.stdout.readline().split()
        data = proc.stdout.read(int(header[2]))
        proc.stdout.read(1)
        for obj in json.loads(data).get("objects", []):
            yield domain, obj
    proc.stdin.close()
    proc.wait()


def attack_id(obj):
    for ref in obj.get("external_references", []) or []:
        if str(ref.get("source_name", "")).startswith("mitre-") and ref.get("external_id"):
            return ref["external_id"]
    return ""


def id_key(aid):
    i = 0
    while i < len(aid) and not aid[i].isdigit():
        i += 1
    return (aid[:i], tuple(int(p) if p.isdigit() else 0 for p in aid[i:].split(".")))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--git-dir", required=True)
    ap.add_argument("--rev", required=True)
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args()
    live = {}
    rels = []
    for domain, obj in objects(args.git_dir, args.rev):
        if obj.get("type") == "relationship":
            if obj.get("relationship_type") in KEEP and not obj.get("revoked") \
                    and not obj.get("x_mitre_deprecated"):
                rels.append((domain, obj))
            continue
        aid = attack_id(obj)
        if aid and not obj.get("revoked") and not obj.get("x_mitre_deprecated"):
            live[obj["id"]] = aid
    grouped = {}
    for domain, rel in rels:
        src, dst = live.get(rel["source_ref"]), live.get(rel["target_ref"])
        if src and dst:
            grouped.setdefault((domain, src, rel["relationship_type"]), set()).add(dst)
    order = {d: i for i, d in enumerate(DOMAINS)}
    with open(args.output, "w", encoding="utf-8", newline="\n") as out:
        out.write(f"# ATT&CK relationships, mitre/cti {args.rev}; made by scripts/make-relationships.py; see NOTICE\n")
        out.write("domain\tsource\ttype\ttargets\n")
        for (domain, src, kind) in sorted(grouped, key=lambda k: (order[k[0]], id_key(k[1]), k[2])):
            targets = ",".join(sorted(grouped[(domain, src, kind)], key=id_key))
            out.write(f"{domain}\t{src}\t{kind}\t{targets}\n")
    total = sum(len(v) for v in grouped.values())
    for d in DOMAINS:
        n = sum(len(v) for k, v in grouped.items() if k[0] == d)
        print(f"{d}: {n} relationships", file=sys.stderr)
    print(f"total: {total} relationships in {len(grouped)} lines", file=sys.stderr)


if __name__ == "__main__":
    main()
