#!/bin/bash
# The man pages render without warnings (mandoc -T lint, or groff -ww when mandoc is absent).
set -u

SRC=${NP_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
PAGES="$SRC/daemon/netpulsed.8 $SRC/daemon/netpulse.1 $SRC/daemon/netpulsed.yaml.5"

fails=0
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

T=$(mktemp -d /tmp/np-man.XXXXXX)
trap 'rm -rf "$T"' EXIT

for p in $PAGES; do
	[ -f "$p" ] || {
		fail "$p missing"
		continue
	}
	if command -v mandoc >/dev/null; then
		# -W warning: STYLE notes such as "referenced manual not found" depend on what is
		# installed on the machine, not on the page.
		mandoc -T lint -W warning "$p" >"$T/lint" 2>&1
		rc=$?
		tool=mandoc
	else
		groff -mdoc -Tutf8 -ww -z "$p" >"$T/lint" 2>&1
		rc=$?
		tool=groff
	fi
	if [ $rc = 0 ] && [ ! -s "$T/lint" ]; then
		echo "ok: $(basename "$p") ($tool)"
	else
		fail "$(basename "$p"): $tool rc=$rc"
		cat "$T/lint"
	fi
	# Every page has the sections the project promises (a section 5 page has no SYNOPSIS).
	secs=(NAME DESCRIPTION FILES "SEE ALSO")
	[[ "$p" == *.8 ]] && secs+=(SYNOPSIS)
	for sec in "${secs[@]}"; do
		grep -qx "\.Sh $sec" "$p" || fail "$(basename "$p") has no $sec section"
	done
done

# netpulsed.yaml(5) documents exactly the keys the daemon knows (`netpulsed --help-config`,
# generated from the option table): every key named in the page, every page entry a key.
NETPULSED=${NETPULSED:-${NP_BUILD:-$SRC/build}/netpulsed}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
if [ ! -x "$NETPULSED" ]; then
	fail "$NETPULSED not built: cannot compare netpulsed.yaml(5) with --help-config"
elif ! "$NETPULSED" --help-config >"$T/keys" 2>&1; then
	fail "$NETPULSED --help-config failed: $(head -5 "$T/keys")"
else
	"$PY" - "$T/keys" "$SRC/daemon/netpulsed.yaml.5" <<'PYEOF' || fails=$((fails + 1))
import re, sys
# Key lines start in column 1 with a lower-case dotted name; help lines are indented.
keys = set()
lines = open(sys.argv[1]).read().split("\n")
start = next(i for i, l in enumerate(lines) if l.startswith("KEY")) + 1
for line in lines[start:]:
    m = re.match(r"([a-z][a-z0-9_.\[\]]*)(\s+(\S+)|$)", line)
    if m:
        key = m.group(1).replace("[]", "").split(".")[-1]
        keys.add(key)
        if m.group(3) == "path|variable":  # a secret: given as KEY_file or KEY_env only
            keys.update((key + "_file", key + "_env"))
named, entries = set(), set()
for line in open(sys.argv[2]):
    toks = line.split()
    if not line.startswith(".") or not toks:
        continue
    for i, t in enumerate(toks):
        if t not in ("Ic", ".Ic"):
            continue
        for w in toks[i + 1:]:
            if re.fullmatch(r"[A-Z][a-z]{1,2}", w):  # the next macro ends the list
                break
            if re.fullmatch(r"[a-z][a-z0-9_.]*", w):
                named.add(w.split(".")[-1])
    if len(toks) > 2 and toks[0] == ".It" and toks[1] == "Ic":
        entries.add(toks[2])
bad = False
for k in sorted(keys - named):
    print("FAIL: key %s from --help-config is not in netpulsed.yaml(5)" % k)
    bad = True
for e in sorted(entries - keys):
    print("FAIL: netpulsed.yaml(5) documents %s, which --help-config does not list" % e)
    bad = True
if not bad:
    print("ok: netpulsed.yaml(5) names all %d keys of --help-config" % len(keys))
sys.exit(1 if bad else 0)
PYEOF
fi

[ $fails = 0 ] || {
	echo "$fails check(s) failed"
	exit 1
}
echo PASS
