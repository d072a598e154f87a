#!/usr/bin/env python3
"""Refresh the sample-vault output shown in README.md from the current release build.

Run from the repository root after `cargo build --release`; the README test
(`cli::readme_shows_real_output`) fails until the README shows what vaultlint prints.
"""
import re
import subprocess

BIN = "./target/release/vaultlint"


def run(*args):
    return subprocess.run([BIN, *args], capture_output=True, text=True).stdout


concise = run("check", "fixtures/sample-vault", "--format", "concise")
human = run("check", "fixtures/sample-vault")
blocks = re.split(r"\n(?=[a-z-]+\n\n)", human)
pick = [b for b in blocks if b.startswith("attack-revoked-id") and "mitigations" in b][:1]
pick += [b for b in blocks if b.startswith("broken-link")][:1]
summary = "\n".join(human.rstrip().split("\n")[-2:])
readme = open("README.md", encoding="utf-8").read()
start = readme.index("The first command prints")
end = readme.index("Other formats:")
readme = (
    readme[:start]
    + "The first command prints each finding with its source line (exit code 1: there are\n"
    + "error-level findings). Two of them, and the closing summary:\n\n```text\n"
    + "\n".join(b.rstrip() for b in pick)
    + "\n...\n"
    + summary
    + "\n```\n\nAll findings on the sample vault, as `--format concise` prints them"
    + " (`path:line:column: rule message`):\n\n```text\n"
    + concise.rstrip()
    + "\n```\n\n"
    + readme[end:]
)
rows = []
for line in run("rules").strip().split("\n"):
    name, severity, summary_text = line.split(None, 2)
    rows.append(f"| `{name}` | {severity} | {summary_text} |")
start = readme.index("| rule | default | what it finds |")
end = readme.index("\n\n", start)
readme = readme[:start] + "| rule | default | what it finds |\n| --- | --- | --- |\n" + "\n".join(rows) + readme[end:]
open("README.md", "w", encoding="utf-8").write(readme)
