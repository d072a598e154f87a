#!/usr/bin/env python3
"""Builds the fuzz targets' seed corpora (fuzz/corpus/<target>/) from the repository's
fixtures, the shared cases and the README's examples. Only small files are taken, so the
seeds stay small; run from the repository root: python3 fuzz/seed.py [/work/shared/cases]."""

import hashlib
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
SHARED = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path("/work/shared/cases")
MAX_FILE = 8 * 1024  # bytes: larger fixtures teach the fuzzer nothing a small one does not
MAX_VAULT_FILES = 6  # as common::MAX_FILES


def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    if not data or len(data) > 4 * MAX_FILE:
        return
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / ("seed-" + hashlib.sha1(data).hexdigest()[:16])).write_bytes(data)


def small_files(base, pattern):
    if not base.exists():
        return []
    return sorted(p for p in base.rglob(pattern) if p.is_file() and p.stat().st_size <= MAX_FILE
                  and "target" not in p.parts)


sources = [ROOT / "fixtures", SHARED]
notes = [p for s in sources for p in small_files(s, "*.md")]
for p in notes:
    data = p.read_bytes()
    put("parse_note", data)
    m = re.match(rb"---\r?\n(.*?\n)---[ \t]*\r?\n", data, re.S)
    if m:
        put("front_matter", m.group(1))
for p in (p for s in sources for p in small_files(s, "*.canvas")):
    put("canvas", p.read_bytes())
for p in (p for s in sources for p in small_files(s, "app.json")):
    put("app_json", p.read_bytes())
put("app_json", json.dumps({"userIgnoreFilters": ["Templates/", "/^Archive\\/.*\\.md$/", "/[/"]}))

# Catalogues: the head of the built-in TSV, and small STIX bundles.
tsv = (ROOT / "data" / "attack-catalog.tsv").read_text().splitlines(keepends=True)
put("catalogue", "".join(tsv[:40]))
for p in (p for s in sources for p in small_files(s, "*.tsv")):
    put("catalogue", p.read_bytes())


def stix(domain, version, objects):
    return json.dumps({"type": "bundle", "id": "bundle--1", "objects": [
        {"type": "x-mitre-collection", "id": "x-mitre-collection--1", "name": "Enterprise ATT&CK",
         "x_mitre_version": version},
        *objects]}, indent=1)


def technique(ext_id, name, domain, **extra):
    return {"type": "attack-pattern", "id": f"attack-pattern--{ext_id}", "name": name,
            "x_mitre_domains": [domain], "x_mitre_is_subtechnique": "." in ext_id,
            "external_references": [{"source_name": "mitre-attack", "external_id": ext_id,
                                     "url": f"https://attack.mitre.org/techniques/{ext_id}"}],
            **extra}


put("catalogue", stix("enterprise-attack", "19.0", [
    technique("T1059", "Command and Scripting Interpreter", "enterprise-attack"),
    technique("T1059.001", "PowerShell", "enterprise-attack"),
    technique("T1086", "PowerShell", "enterprise-attack", revoked=True),
    {"type": "relationship", "id": "relationship--1", "relationship_type": "revoked-by",
     "source_ref": "attack-pattern--T1086", "target_ref": "attack-pattern--T1059.001"},
    {"type": "course-of-action", "id": "course-of-action--M1042", "name": "Disable or Remove Feature",
     "x_mitre_domains": ["enterprise-attack"],
     "external_references": [{"source_name": "mitre-attack", "external_id": "M1042"}]},
    {"type": "relationship", "id": "relationship--2", "relationship_type": "mitigates",
     "source_ref": "course-of-action--M1042", "target_ref": "attack-pattern--T1059"},
    {"type": "x-mitre-tactic", "id": "x-mitre-tactic--TA0002", "name": "Execution",
     "x_mitre_shortname": "execution",
     "external_references": [{"source_name": "mitre-attack", "external_id": "TA0002"}]},
]))
put("catalogue", stix("mobile-attack", "18.1", [
    technique("T1404", "Exploitation for Privilege Escalation", "mobile-attack", x_mitre_deprecated=True),
]))

# Config files: the README's `toml` examples.
for text in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
    if text.exists():
        for block in re.findall(r"```toml\n(.*?)```", text.read_text(), re.S):
            put("config", block)
put("config", 'select = ["attack", "broken-link"]\nignore = ["attack-name-mismatch"]\n'
              'exclude = ["Templates/**"]\n[rules.broken-link]\nseverity = "warning"\n'
              '[attack]\ncatalog = ["e.json"]\ndomains = { enterprise = "enterprise-attack" }\n'
              '[attack.kinds.technique]\npattern = "^T\\\\d{4}$"\nfolders = ["Techniques"]\n')

# Baselines.
put("baseline", json.dumps({"version": 1, "findings": [
    {"rule": "broken-link", "path": "a.md", "subject": "[[missing]]"},
    {"rule": "missing-heading", "path": "a.md", "subject": "[[b#nope]]"}]}, indent=2))

# Vaults for check_vault and fix_texts: files of one fixture vault, `path\ntext` joined by NUL.
vault_dirs = set()
for p in notes:
    for parent in p.parents:
        if parent.name == "vault" or parent.parent.name in ("rules", "attack-layouts") \
                or parent.name == "sample-vault":
            vault_dirs.add(parent)
            break
for d in sorted(vault_dirs):
    files = [p for p in small_files(d, "*") if p.suffix in (".md", ".canvas")
             and not any(part.startswith(".") for part in p.relative_to(d).parts)]
    for i in range(0, len(files), MAX_VAULT_FILES):
        group = files[i:i + MAX_VAULT_FILES]
        data = b"\0".join(str(p.relative_to(d)).encode() + b"\n" + p.read_bytes() for p in group)
        put("check_vault", data)
        put("fix_texts", data)

# Escaping sinks and --diff (issue 23): hostile strings, then a few notes' texts.
HOSTILE = [
    "plain name", "\x1b]0;title\x07", "\x1b]8;;https://x\x1b\\link\x1b]8;;\x1b\\", "\x1b[2J\x1b[H",
    "::error file=a.md::x", "x\n::add-mask::y", "##[warning]x", "::stop-commands::t\n::t::",
    "a\u202eb", "a\u2028b\u2029c", "a\u0085b", "a\r\nb\rc", "tab\there", "100% done%0A",
    "key:value,more", "a`b``c", "[x](https://y) ![i](z) <b>h</b> www.x.org *e* _u_ # h",
    "| a | b |", "dir/with \"quote\"\n+++ b/conftest.py", "caf\u00e9/\u00fcber.md", "back\\slash",
    "\x00\x7f\u200b\ufeff",
]
for s in HOSTILE:
    for target in ("escape_terminal", "escape_ci", "escape_markdown", "escape_patch"):
        put(target, s)
for p in notes[:40]:
    data = p.read_bytes()
    put("escape_terminal", data)
    put("escape_markdown", data[:512])
    lines = data.split(b"\n")
    changed = b"\n".join(lines[:1] + [b"changed line"] + lines[2:])
    put("diff", str(p.name).encode() + b"\0" + data + b"\0" + changed)
put("diff", b"a.md\0one\ntwo\nthree\n\0one\n2\nthree")
put("diff", b"dir\n+++ b/conftest.py/n\xc3\xa9.md\0a\rb\n\0a\rc\n")
