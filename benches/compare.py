#!/usr/bin/env python3
"""Runs trustlint side by side with ripgrep, Checkov and Python's json.load on the same inputs, interleaving
the runs so that machine load hits both sides alike, and prints wall time, CPU time (user + system) and peak
RSS medians and the ratios the README's targets are stated in. Called by benches/compare.sh.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time


def run(cmd, cwd=None):
    """(wall seconds, cpu seconds, peak RSS in KB, exit code) of one run, stdout and stderr discarded."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         stdin=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    p.returncode = os.waitstatus_to_exitcode(status)
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss, p.returncode


def measure(named_cmds, runs, cwd=None):
    """Interleaved runs; {name: (median wall, median cpu, max rss, exit codes)}."""
    samples = {n: [] for n, _ in named_cmds}
    for n, cmd in named_cmds:  # warm the page cache and the binaries once
        run(cmd, cwd)
    for _ in range(runs):
        for n, cmd in named_cmds:
            samples[n].append(run(cmd, cwd))
    out = {}
    for n, s in samples.items():
        out[n] = (statistics.median(x[0] for x in s), statistics.median(x[1] for x in s),
                  max(x[2] for x in s), sorted({x[3] for x in s}))
    return out


def fmt_row(name, r):
    wall, cpu, rss, codes = r
    return "| %-28s | %9.3f s | %9.3f s | %9.1f MB | %s |" % (name, wall, cpu, rss / 1024, ",".join(map(str, codes)))


HEADER = "| %-28s | %11s | %11s | %12s | %s |\n|%s|%s|%s|%s|%s|" % (
    "command", "wall (med)", "cpu (med)", "peak RSS", "exit", "-" * 30, "-" * 13, "-" * 13, "-" * 14, "------")


def ratio_line(label, a, b, target, better):
    """Ratio a/b for wall and CPU time, each judged against the target. The targets speak of time as a user
    waits for it (wall); the CPU ratio is judged too, so a result bought only with more cores shows."""
    rw = a[0] / b[0] if b[0] else float("inf")
    rc = a[1] / b[1] if b[1] else float("inf")
    verdict = lambda r: "met" if better(r, target) else "NOT MET"
    return "%-62s wall %7.2fx %-7s  cpu %7.2fx %-7s  target %s" % (
        label, rw, verdict(rw), rc, verdict(rc), target)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--corpus", required=True, help="the terraform-aws-iam folder of the corpus")
    ap.add_argument("--checkov", help="checkov executable (skipped when absent)")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--plan-mb", type=int, default=200)
    a = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    gen = os.path.join(here, "gen.py")
    tl = [a.bin, "scan", "--format", "json", "--fail-on", "never"]
    lines = []

    def section(title, results, ratios):
        print("\n### " + title)
        print(HEADER)
        for n, r in results.items():
            print(fmt_row(n, r))
        print()
        for r in ratios:
            print(r)
            lines.append(r)

    # 1. terraform-aws-iam (its Terraform files: the whole folder is .tf).
    if os.path.isdir(a.corpus):
        cmds = [("trustlint", tl + [a.corpus]), ("rg -c assume_role", ["rg", "-c", "assume_role", a.corpus])]
        # Runs of 10-20 ms are at the mercy of every hiccup of the machine; more of them cost under a second.
        res = measure(cmds, max(a.runs, 21))
        ratios = [ratio_line("terraform-aws-iam: trustlint / rg (<= 3)", res["trustlint"], res["rg -c assume_role"],
                             3.0, lambda r, t: r <= t)]
        if a.checkov and os.path.exists(a.checkov):
            ck = [a.checkov, "-d", a.corpus, "--framework", "terraform", "--quiet", "--compact", "-o", "json",
                  "--skip-download"]
            cres = measure([("checkov", ck)], max(1, min(3, a.runs)))
            res.update(cres)
            ratios.append(ratio_line("terraform-aws-iam: checkov / trustlint (>= 100)", cres["checkov"],
                                     res["trustlint"], 100.0, lambda r, t: r >= t))
        else:
            ratios.append("terraform-aws-iam: checkov not installed, comparison skipped")
        section("terraform-aws-modules/terraform-aws-iam (%s)" % a.corpus, res, ratios)
    else:
        print("corpus folder %s not found: skipped" % a.corpus)

    # 2. A generated monorepo.
    mono = os.path.join(a.work, "monorepo-%d" % a.files)
    if not os.path.isdir(mono):
        subprocess.run([sys.executable, gen, "monorepo", mono, str(a.files)], check=True, stdout=subprocess.DEVNULL)
    res = measure([("trustlint", tl + [mono]), ("rg -c assume_role", ["rg", "-c", "assume_role", mono])], a.runs)
    section("generated monorepo, %d files" % a.files, res,
            [ratio_line("monorepo: trustlint / rg (<= 3)", res["trustlint"], res["rg -c assume_role"], 3.0,
                        lambda r, t: r <= t)])

    # 3. A generated plan.
    plan = os.path.join(a.work, "plan-%dmb.json" % a.plan_mb)
    if not os.path.exists(plan):
        subprocess.run([sys.executable, gen, "plan", plan, str(a.plan_mb)], check=True, stdout=subprocess.DEVNULL)
    size = os.path.getsize(plan)
    pyload = [sys.executable, "-c", "import json, sys\nwith open(sys.argv[1], 'rb') as f: json.load(f)", plan]
    res = measure([("trustlint", tl + [plan]), ("python json.load", pyload)], max(1, min(5, a.runs)))
    rss_ratio = res["trustlint"][2] * 1024 / size
    section("generated plan, %.1f MB" % (size / 1e6), res, [
        ratio_line("plan: trustlint / python json.load (< 1)", res["trustlint"], res["python json.load"], 1.0,
                   lambda r, t: r < t),
        "%-62s %.2fx the file size  target < 3  %s" % ("plan: trustlint peak RSS", rss_ratio,
                                                        "MET" if rss_ratio < 3 else "NOT MET"),
    ])

    print("\n### summary")
    for l in lines:
        print(l)


if __name__ == "__main__":
    main()
