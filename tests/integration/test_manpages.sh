#!/bin/bash
# The man pages render without warnings (mandoc -T lint, or groff -ww when mandoc is absent).
set -u

SRC=${NP_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
PAGES="$SRC/daemon/netpulsed.8 $SRC/daemon/netpulse.8 $SRC/daemon/netpulsed.yaml.5"

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

[ $fails = 0 ] || {
	echo "$fails check(s) failed"
	exit 1
}
echo PASS
