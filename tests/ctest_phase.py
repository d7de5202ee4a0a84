#!/usr/bin/env python3
"""Runs one phase of `make test` through ctest and keeps the score.

  ctest_phase.py TALLY PHASE BUILD_DIR [CTEST_ARGS...]
      runs ctest in BUILD_DIR, prints "PHASE: N passed, N failed, N skipped" and appends the
      counts to TALLY. Exits 0 even if tests failed, so the later phases still run.
  ctest_phase.py TALLY --total
      prints every phase and the closing "N passed, N failed, N skipped" line; exits 1 if a
      test failed, or if one skipped and NP_ALLOW_SKIP is not 1.

Counts come from ctest's JUnit report: a test that exited 77 (SKIP_RETURN_CODE) is skipped;
one ctest could not start ("Not Run") is failed, as ctest itself counts it.
"""
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET


def skip_reason(case):
    out = case.findtext("system-out") or ""
    for line in out.splitlines():
        if line.startswith("SKIP"):
            return line.strip()
    return case.find("skipped").get("message", "")


def run_phase(tally, phase, build, args):
    junit = os.path.abspath(os.path.join(build, "junit-%s.xml" % phase))
    if os.path.exists(junit):
        os.unlink(junit)
    cmd = ["ctest", "--test-dir", build, "--output-on-failure", "--no-tests=error",
           "--output-junit", junit] + args
    print("== %s: %s" % (phase, " ".join(cmd)), flush=True)
    rc = subprocess.call(cmd)
    passed, failed, skipped = [], [], []
    try:
        root = ET.parse(junit).getroot()
    except (OSError, ET.ParseError) as e:
        failed.append("%s: ctest exited %d, no report (%s)" % (phase, rc, e))
        root = []
    for case in root.iter("testcase"):
        name, status = case.get("name"), case.get("status")
        if status == "run":
            passed.append(name)
        elif status == "notrun" and case.find("skipped") is not None and \
                case.find("skipped").get("message", "").startswith("SKIP_"):
            skipped.append("%s (%s)" % (name, skip_reason(case)))
        elif status == "disabled":
            skipped.append("%s (disabled)" % name)
        else:
            failed.append(name)
    if rc != 0 and not failed:
        failed.append("%s: ctest exited %d" % (phase, rc))
    print("%s: %d passed, %d failed, %d skipped" % (phase, len(passed), len(failed),
                                                    len(skipped)), flush=True)
    for s in skipped:
        print("  skipped: " + s)
    for f in failed:
        print("  failed: " + f)
    with open(tally, "a") as t:
        t.write(json.dumps({"phase": phase, "passed": len(passed), "failed": failed,
                            "skipped": skipped}) + "\n")
    return 0


def total(tally):
    phases = []
    try:
        with open(tally) as t:
            phases = [json.loads(line) for line in t if line.strip()]
    except OSError:
        pass
    if not phases:
        print("no test phase ran")
        print("0 passed, 1 failed, 0 skipped")
        return 1
    print("== test summary")
    p = sum(x["passed"] for x in phases)
    failed = [f for x in phases for f in x["failed"]]
    skipped = ["%s: %s" % (x["phase"], s) for x in phases for s in x["skipped"]]
    width = max(len(x["phase"]) for x in phases) + 1
    for x in phases:
        print("%-*s %d passed, %d failed, %d skipped" % (width, x["phase"] + ":", x["passed"],
                                                         len(x["failed"]), len(x["skipped"])))
    for s in skipped:
        print("skipped: " + s)
    for f in failed:
        print("failed: " + f)
    allow = os.environ.get("NP_ALLOW_SKIP", "0") == "1"
    if skipped and not allow:
        print("%d test(s) skipped: they could not run here, so this run proves nothing about "
              "them (NP_ALLOW_SKIP=1 accepts skips)" % len(skipped))
    print("%d passed, %d failed, %d skipped" % (p, len(failed), len(skipped)))
    return 1 if failed or (skipped and not allow) else 0


def main(argv):
    if len(argv) == 3 and argv[2] == "--total":
        return total(argv[1])
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    return run_phase(argv[1], argv[2], argv[3], argv[4:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
