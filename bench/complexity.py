#!/usr/bin/env python3
"""Hostile vault shapes (issues 10 and 23) at size n and 4n: CPU time, ratio and peak RSS.

Each case builds a vault in a temp dir, runs the release binary under `/usr/bin/time -v`
and prints CPU seconds (user + sys), wall seconds and peak RSS for n and 4n, and the CPU
ratio 4n / n (goal: at most 5, i.e. about linear; a quadratic shape gives about 16).
Targets at the size the issue names (the `n` column): under 2 CPU-seconds and 200 MiB.

    python3 bench/complexity.py                    # builds with `cargo build --release`
    python3 bench/complexity.py --vaultlint PATH   # measure this binary
    python3 bench/complexity.py --cases table,human

Python 3 standard library only; needs GNU time at /usr/bin/time.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    mode = "wb" if isinstance(text, bytes) else "w"
    with open(path, mode) as f:
        f.write(text)


def vault(root):
    os.makedirs(os.path.join(root, ".obsidian"), exist_ok=True)
    return root


# Each case: (name, n as in the issue, builder(root, n) -> extra args, what the issue saw)
def table(root, n):
    write(os.path.join(root, "a.md"), "|h|\n|-|\n|" + "[[" * n + "|\n")
    return []


def code_comment(root, n):
    write(os.path.join(root, "a.md"), "`a` %% " * n + "\n")
    return []


def headings(root, n, typo=False):
    write(os.path.join(root, "H.md"), "".join(f"# Heading {i}\n" for i in range(n)))
    suffix = "x" if typo else ""
    write(
        os.path.join(root, "links.md"),
        "".join(f"[[H#Heading {i}{suffix}]]\n" for i in range(n)),
    )
    return []


def heading_typos(root, n):
    return headings(root, n, typo=True)


def human(root, n):
    # n broken links on about 1 MB (at n = 12,000) of text: one finding each.
    pad = "x" * 80
    write(os.path.join(root, "a.md"), "".join(f"{pad} [[missing {i}]]\n" for i in range(n)))
    return ["--format", "human"]


def ambiguous(root, n):
    for i in range(n):
        write(os.path.join(root, f"f{i}", "index.md"), "")
        write(os.path.join(root, f"f{i}", "note.md"), "[[index]]\n")
    return ["--format", "sarif"]


def stix(root, n):
    # One object with a `name` of 100 KB and n domains, as a catalogue named by the config.
    obj = {
        "type": "attack-pattern",
        "id": "attack-pattern--1",
        "name": "N" * 100_000,
        "x_mitre_domains": [f"d{i}" for i in range(n)],
        "external_references": [{"source_name": "mitre-attack", "external_id": "T1000"}],
    }
    write(os.path.join(root, "c.json"), json.dumps({"type": "bundle", "objects": [obj]}))
    write(os.path.join(root, "vaultlint.toml"), '[attack]\ncatalog = "c.json"\n')
    write(os.path.join(root, "a.md"), "[[T1000]]\n")
    return []


def many_links(root, n):
    # One line of n `[[a]]` links: the 30 MB note is 4n (n = 1,500,000), just under
    # the 32 MiB note limit.
    write(os.path.join(root, "a.md"), "[[a]]" * n + "\n")
    return []


def delimited_links(unit):
    # One line of n units, each a link and a delimiter (`*`, `_`, `~`, a code span, `$`,
    # `<`, an escape): a paragraph the windows used to parse whole.
    def build(root, n):
        write(os.path.join(root, "a.md"), unit * n + "\n")
        return []
    return build


def container_links(prefix):
    # One line of n `[[a]]` links inside a list item or a block quote: parsed whole (the
    # windows cut top-level paragraphs only).
    def build(root, n):
        write(os.path.join(root, "a.md"), prefix + "[[a]]" * n + "\n")
        return []
    return build


def one_note(make):
    # Attack round of 2026-12-07 (branch hostile): more one-note shapes of the same kind.
    def build(root, n):
        write(os.path.join(root, "a.md"), make(n))
        return []
    return build


def broken_links(root, n):
    per = 1000
    for f in range(max(1, n // per)):
        write(os.path.join(root, f"n{f}.md"), "".join(f"[[m{i}]]\n" for i in range(per)))
    return ["--format", "json"]


def fixes(root, n):
    # n table rows whose link's `|` is unescaped (one safe fix each), planned by --diff.
    write(os.path.join(root, "b.md"), "")
    write(os.path.join(root, "a.md"), "| A |\n| --- |\n" + "| [[b|c]] |\n" * n)
    return ["--diff"]


def stale_links(root, n):
    # A note declaring a revoked ID and n links (1,000 per note) labelled with its
    # replacement: one finding at the note, the links folded into it (findings held in a
    # spill file while the vault is checked).
    write(os.path.join(root, "techniques", "Dynamic Data Exchange.md"), "---\naliases: [T1173]\n---\n")
    row = "| [[techniques/Dynamic Data Exchange\\|T1559.002]] | Dynamic Data Exchange |\n"
    per = 1000
    for f in range(max(1, n // per)):
        write(os.path.join(root, f"n{f}.md"), "| ID | Name |\n| --- | --- |\n" + row * per)
    return ["--format", "json"]


# Issue 23's shapes ("every cost linear, every input bounded").


def canvas_links(root, n):
    # One canvas text node holding n broken links (2.3 MB at n = 160,000).
    text = "".join(f"[[missing {i}]] " for i in range(n))
    node = {"id": "t", "type": "text", "text": text, "x": 0, "y": 0, "width": 1, "height": 1}
    write(os.path.join(root, "Board.canvas"), json.dumps({"nodes": [node], "edges": []}))
    write(os.path.join(root, "a.md"), "# a\n")
    return ["--format", "json"]


def ignore_regex_size(root, n):
    # n userIgnoreFilters regexes of `\w{100}` (3.3 KB at n = 200): refused past the size
    # budget, each compiled only up to it.
    filters = [f"/\\w{{100}}{i}/" for i in range(n)]
    write(os.path.join(root, ".obsidian", "app.json"), json.dumps({"userIgnoreFilters": filters}))
    write(os.path.join(root, "a.md"), "# a\n")
    return ["--format", "json"]


def ignore_regexes(root, n):
    # n ignore regexes (only the first 256 compiled) and n notes.
    filters = [f"/^skip{i}\\.md$/" for i in range(n)]
    write(os.path.join(root, ".obsidian", "app.json"), json.dumps({"userIgnoreFilters": filters}))
    for i in range(n):
        write(os.path.join(root, f"d{i // 1000}", f"n{i}.md"), "")
    return ["--format", "json"]


def exclude_globs(root, n):
    # n exclude globs in vaultlint.toml (refused past 1,000, a config error) and 20,000 notes.
    globs = ",".join(f'"x{i}/**"' for i in range(n))
    write(os.path.join(root, "vaultlint.toml"), f"exclude = [{globs}]\n")
    for i in range(20_000):
        write(os.path.join(root, f"d{i // 1000}", f"n{i}.md"), "")
    return ["--format", "json"]


def same_length_names(root, n):
    # n notes with same-length names, each linking one near miss (did-you-mean). The exact
    # index that makes this linear is another branch's (src/suggest.rs); measured here.
    for i in range(n):
        write(os.path.join(root, f"d{i // 1000}", f"name{i:07d}.md"), f"[[name{i:07d}x]]\n")
    return ["--format", "json"]


def same_named_files(root, n):
    # n files named `index`, each note linking `[[x/index]]` (no such folder).
    for i in range(n):
        write(os.path.join(root, f"f{i}", "index.md"), "[[x/index]]\n")
    return ["--format", "json"]


def catalogue_rows(root, n):
    # A catalogue with n rows for one ID (refused past 64) and 20,000 links to it.
    rows = "".join(f"d{i}\tT1000\tName\ttechnique\tfalse\tfalse\n" for i in range(n))
    write(os.path.join(root, "c.tsv"), "domain\tattack_id\tname\ttype\tdeprecated\trevoked\n" + rows)
    write(os.path.join(root, "vaultlint.toml"), '[attack]\ncatalog = "c.tsv"\n')
    for f in range(20):
        write(os.path.join(root, f"n{f}.md"), "| ID |\n| --- |\n" + "| [[T1000]] |\n" * 1000)
    return ["--format", "json"]


def catalogue_relations(root, n):
    # A STIX catalogue relating one group to n techniques (refused past 10,000), and 1,000
    # notes with a one-row technique table.
    objects = [{"type": "x-mitre-collection", "x_mitre_version": "99.0"},
               {"type": "intrusion-set", "id": "g--1", "name": "G", "x_mitre_domains": ["enterprise-attack"],
                "external_references": [{"source_name": "mitre-attack", "external_id": "G0001"}]}]
    for i in range(n):
        objects.append({"type": "attack-pattern", "id": f"ap--{i}", "name": f"T {i}",
                        "x_mitre_domains": ["enterprise-attack"],
                        "external_references": [{"source_name": "mitre-attack", "external_id": f"T{1000 + i}"}]})
        objects.append({"type": "relationship", "relationship_type": "uses", "source_ref": "g--1",
                        "target_ref": f"ap--{i}"})
    write(os.path.join(root, "c.json"), json.dumps({"type": "bundle", "objects": objects}))
    write(os.path.join(root, "vaultlint.toml"), '[attack]\ncatalog = "c.json"\n')
    for f in range(1000):
        write(os.path.join(root, "Enterprise", "groups", f"G{f}.md"),
              "---\naliases: [G0001]\n---\n## Techniques Used\n\n| ID | Name |\n| --- | --- |\n| [[T1000]] | T 0 |\n")
    return ["--format", "json"]


CASES = {
    "table": (table, 250_000, "31 s"),
    "code-comment": (code_comment, 160_000, "20 s"),
    "headings": (headings, 10_000, "11 s"),
    "heading-typos": (heading_typos, 10_000, "33 s"),
    "human": (human, 12_000, "23 s"),
    "ambiguous": (ambiguous, 3_000, "18 GB SARIF"),
    "stix": (stix, 10_000, "1 GB"),
    "30mb-note": (many_links, 1_500_000, "3.9 GB at 4n (30 MB)"),
    "30mb-note-star": (delimited_links("[[a]]*"), 1_250_000, "parsed whole (issue 23: 3.9 GB at 30 MB)"),
    "30mb-note-underscore": (delimited_links("_[[a]]"), 1_250_000, "parsed whole"),
    "30mb-note-tilde": (delimited_links("[[a]]~"), 1_250_000, "parsed whole"),
    "30mb-note-code": (delimited_links("[[a]]`x`"), 950_000, "parsed whole"),
    "30mb-note-dollar": (delimited_links("[[a]]$"), 1_250_000, "parsed whole"),
    "30mb-note-lt": (delimited_links("[[a]]<"), 1_250_000, "parsed whole"),
    "30mb-note-escape": (delimited_links("[[a]]\\*"), 1_070_000, "parsed whole"),
    "30mb-note-list": (container_links("- "), 1_500_000, "parsed whole"),
    "30mb-note-quote": (container_links("> "), 1_500_000, "parsed whole"),
    "embeds": (one_note(lambda n: "![[a]]" * n + "\n"), 1_250_000, "attack round: not cut (an embed's `![` stays open)"),
    "unclosed-then-links": (one_note(lambda n: "[[x " + "[[a]]" * n + "\n"), 1_250_000, "parsed whole (an unclosed `[[` first)"),
    "emphasis-then-links": (one_note(lambda n: "*" + "[[a]]" * n + "\n"), 1_250_000, "parsed whole (a `*` never closed first)"),
    "nested-quotes": (one_note(lambda n: "> " * n + "[[a]]\n"), 10_000, "attack round"),
    "nested-lists": (one_note(lambda n: "".join("  " * (i % 64) + "- [[a]]\n" for i in range(n))), 100_000, "attack round"),
    "unclosed-wikilinks": (one_note(lambda n: "[[a " * n + "\n"), 1_000_000, "attack round"),
    "unclosed-embeds": (one_note(lambda n: "![[a " * n + "\n"), 1_000_000, "attack round"),
    "brackets": (one_note(lambda n: "[" * n + "]" * n + "\n"), 1_000_000, "attack round"),
    "emphasis-runs": (one_note(lambda n: "*a " * n + "a*" * n + "\n"), 500_000, "attack round"),
    "code-runs": (one_note(lambda n: "".join("`" * (i % 50 + 1) + "[[a]]" for i in range(n)) + "\n"), 200_000, "attack round"),
    "heading-chain": (one_note(lambda n: "[[a" + "#b" * n + "]]\n"), 1_000_000, "attack round"),
    "same-headings": (one_note(lambda n: "# h\n" * n + "[[#h]]\n" * n), 200_000, "attack round"),
    "block-ids": (one_note(lambda n: "".join(f"p ^b{i}\n\n" for i in range(n)) + "".join(f"[[#^b{i}]]\n" for i in range(n))), 100_000, "attack round"),
    "wide-table": (one_note(lambda n: "|" + "h|" * n + "\n|" + "-|" * n + "\n|" + "[[a\\|b]]|" * n + "\n"), 200_000, "attack round"),
    "comments": (one_note(lambda n: "%% [[a]] " * n + "\n"), 800_000, "attack round"),
    "2m-findings": (broken_links, 2_000_000, "10.4 GB SARIF"),
    "fixes": (fixes, 10_000, "not in the issue: quadratic fix planning"),
    "stale-links": (stale_links, 100_000, "not in the issue: every finding held for the fold"),
    "canvas-links": (canvas_links, 160_000, "49.5 CPU-s"),
    "ignore-regex-size": (ignore_regex_size, 200, "1.19 GB, 6.1 s"),
    "ignore-regexes": (ignore_regexes, 20_000, "35 CPU-s"),
    "exclude-globs": (exclude_globs, 150_000, "past 60 s, 1.96 GB"),
    "same-length-names": (same_length_names, 80_000, "past 60 s (another branch: suggest.rs)"),
    "same-named-files": (same_named_files, 20_000, "52.8 CPU-s"),
    "catalogue-rows": (catalogue_rows, 100_000, "39.3 CPU-s"),
    "catalogue-relations": (catalogue_relations, 100_000, "1.16 GB JSON, 83 CPU-s"),
}
DEFAULT = (
    "table,code-comment,headings,heading-typos,human,ambiguous,stix,fixes,stale-links,"
    "canvas-links,ignore-regex-size,ignore-regexes,exclude-globs,same-named-files,"
    "catalogue-rows,catalogue-relations"
)


def measure(binary, build, n, threads, timeout):
    with tempfile.TemporaryDirectory(prefix="vl-complexity-") as tmp:
        root = vault(os.path.join(tmp, "v"))
        extra = build(root, n)
        cmd = ["/usr/bin/time", "-v", binary, "check", root, "--threads", str(threads)] + extra
        with open(os.path.join(tmp, "out"), "wb") as out:
            # A session of its own, so a timeout kills vaultlint and not only `time`.
            p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, start_new_session=True)
            try:
                _, err = p.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, 9)
                p.communicate()
                return {"cpu": float(timeout), "wall": float(timeout), "rss_mib": 0.0,
                        "exit": "timeout", "out_mib": 0.0}
        err = err.decode(errors="replace")
        stats = {}
        for key, pat in [
            ("user", r"User time \(seconds\): ([\d.]+)"),
            ("sys", r"System time \(seconds\): ([\d.]+)"),
            ("rss", r"Maximum resident set size \(kbytes\): (\d+)"),
            ("wall", r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)"),
        ]:
            m = re.search(pat, err)
            stats[key] = m.group(1) if m else "0"
        parts = [float(x) for x in stats["wall"].split(":")]
        wall = 0.0
        for x in parts:
            wall = wall * 60 + x
        code = p.returncode
        if code not in (0, 1):
            said = [l for l in err.splitlines() if l.startswith("vaultlint:")]
            print(f"  exit {code}: " + " | ".join(said[-3:]), file=sys.stderr)
        return {
            "cpu": float(stats["user"]) + float(stats["sys"]),
            "wall": wall,
            "rss_mib": int(stats["rss"]) / 1024,
            "exit": code,
            "out_mib": os.path.getsize(os.path.join(tmp, "out")) / 2**20,
        }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vaultlint", help="binary to measure (default: build the release binary)")
    ap.add_argument("--cases", default=DEFAULT, help=f"comma list of {', '.join(CASES)} (default {DEFAULT})")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=120, help="kill a run after this many seconds")
    args = ap.parse_args()
    binary = args.vaultlint
    if not binary:
        subprocess.run(["cargo", "build", "--release", "--locked"], cwd=REPO, check=True)
        binary = os.path.join(tempfile.mkdtemp(prefix="vl-complexity-bin-"), "vaultlint")
        shutil.copy(os.path.join(REPO, "target", "release", "vaultlint"), binary)
    print(f"binary: {binary}; {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f}")
    header = "| case | n | CPU s (n) | RSS MiB (n) | output MiB (n) | CPU s (4n) | RSS MiB (4n) | ratio 4n/n | exit | issue saw (n) |"
    print(header)
    print("| --- " * 10 + "|")
    for name in args.cases.split(","):
        build, n, saw = CASES[name]
        small = measure(binary, build, n, args.threads, args.timeout)
        big = measure(binary, build, 4 * n, args.threads, args.timeout)
        # Under 10 ms the ratio is noise (e.g. `stix`, refused while loading the catalogue).
        ratio = f"{big['cpu'] / small['cpu']:.1f}" if small["cpu"] >= 0.01 else "-"
        print(
            f"| {name} | {n:,} | {small['cpu']:.2f} | {small['rss_mib']:.0f} | {small['out_mib']:.1f} "
            f"| {big['cpu']:.2f} | {big['rss_mib']:.0f} | {ratio} | {small['exit']}/{big['exit']} | {saw} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
