#!/usr/bin/env python3
"""Peak memory of vaultlint against the number of findings (issue 10), in every format.

Builds (once, in --cache) the vaults of issue 10 whose memory grew with findings:
  2m-findings  2,000 notes of 1,000 broken links each (`[[m0]]` … `[[m999]]`): 2,000,000 findings
  30mb-note    one note of `[[a]]` * 6,000,000 (30 MB; `python3 -c "print('[[a]]'*6000000)"`)
  7.5mb-note   the same note at a quarter of the size (1,500,000 links), so that the 30 MB note
               is its 4n: memory should grow about 4x (notes over 32 MiB are not checked at all)
and runs `vaultlint check VAULT --format F` for each format, with stdout to a file, measuring
peak RSS the way bench.py does (os.wait4 on the tool's own pid, started through /bin/sh as a
child subreaper, so the figure is vaultlint's own). Target: under 300 MiB for 2,000,000
findings in every format; the 30 MB note linear in its size.

    python3 bench/memory.py --vaultlint target/release/vaultlint
    python3 bench/memory.py --vaultlint BIN --cases 2m-findings --formats json,sarif

Python 3 standard library only.
"""

import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (run_once, enable_subreaper)

FORMATS = ["human", "concise", "json", "sarif", "github", "junit", "gitlab"]


def vault(root):
    os.makedirs(os.path.join(root, ".obsidian"), exist_ok=True)
    return root


def build_findings(root, n):
    per = 1000
    body = "".join(f"[[m{i}]]\n" for i in range(per))
    for f in range(max(1, n // per)):
        with open(os.path.join(root, f"n{f:05}.md"), "w") as fh:
            fh.write(body)


def build_note(root, n):
    with open(os.path.join(root, "a.md"), "w") as fh:
        fh.write("[[a]]" * n + "\n")


CASES = {
    "2m-findings": (build_findings, 2_000_000),
    "30mb-note": (build_note, 6_000_000),
    "7.5mb-note": (build_note, 1_500_000),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vaultlint", required=True, help="binary to measure")
    ap.add_argument("--cases", default="2m-findings,7.5mb-note,30mb-note", help=f"comma list of {', '.join(CASES)}")
    ap.add_argument("--formats", default=",".join(FORMATS), help="comma list of formats")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "vaultlint-memory"),
                    help="where the vaults are built (reused when present)")
    ap.add_argument("--timeout", type=float, default=600)
    args = ap.parse_args()
    bench.SUBREAPER = bench.enable_subreaper()
    if not bench.SUBREAPER:
        print("WARNING: not a child subreaper; peak RSS includes this Python process")
    binary = os.path.abspath(args.vaultlint)
    print(f"binary: {binary}; {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f}")
    print("| case | format | CPU s | wall s | peak RSS MiB | output MiB | exit |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for case in args.cases.split(","):
        build, n = CASES[case]
        root = os.path.join(args.cache, case)
        done = os.path.join(root, ".built")
        if not os.path.exists(done):
            vault(os.path.join(root, "v"))
            build(os.path.join(root, "v"), n)
            open(done, "w").close()
        # The note cases make no findings worth a format each: one format says it all.
        formats = args.formats.split(",") if case == "2m-findings" else args.formats.split(",")[:1]
        for fmt in formats:
            out = os.path.join(root, f"out.{fmt}")
            err = os.path.join(root, f"err.{fmt}")
            argv = [binary, "check", "v", "--format", fmt, "--threads", str(args.threads)]
            r = bench.run_once(argv, root, out, err, args.timeout)
            code = "timeout" if r["timeout"] else r["rc"]
            size = os.path.getsize(out) / 2**20
            print(f"| {case} | {fmt} | {r['cpu']:.1f} | {r['wall']:.1f} | {r['rss_mib']:.0f} "
                  f"| {size:.1f} | {code} |", flush=True)
            os.remove(out)


if __name__ == "__main__":
    main()
