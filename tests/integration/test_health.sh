#!/usr/bin/env bash
# What the operator and the container HEALTHCHECK read about failing sources, on databases a
# real netpulsed wrote: `netpulse health` (exit 0 healthy / 1 when every source fails or an
# alert is stuck in the outbox), `netpulse status` saying which sources fail even with no
# link, `status --explain` showing a collector's latest error and its failure count, and
# CSV --explain as one file per table.
source "$(dirname "$0")/lib.sh"
require_root
require_cmd sqlite3 python3
make_netns

np() { "$NETPULSE" -c "$T/np.yaml" "$@"; }
once() { in_ns "$NETPULSED" --once -c "$T/np.yaml" >>"$T/once.log" 2>&1 || true; }
# config GOOD_SOURCE FLAKY_PROC: a working source (or none) and one reading FLAKY_PROC; alerts
# go to a TCP port nothing listens on, so they stay in the outbox.
config() {
	{
		echo "daemon: { database: $T/np.db }"
		echo "alerts:"
		echo "  - { type: syslog, server: \"tcp://127.0.0.1:9\", timeout: 1s }"
		echo "sources:"
		[ "$1" = yes ] && echo "  - { name: good, type: local, interval: 1s, include: [\"^lo\$\"] }"
		echo "  - { name: flaky, type: local, netlink: false, proc_path: $2, sys_path: $T/sys }"
	} >"$T/np.yaml"
}

# Every source failing, from the first poll: no link at all.
config no "$T/missing"
once
once
out=$(np health) && fail "health passed with every source failing: $out"
[ "$out" = "unhealthy: every source is failing: flaky since $(np --format json status --explain | json_get "j['collectors'][0]['since']") (2 failed polls, last error: $T/missing: No such file or directory)" ] \
	|| fail "health: $out"
pass "every source failing: health exits 1 ($out)"

st=$(np status)
[ "$(sqlite3 "$T/np.db" 'SELECT count(*) FROM links')" = 0 ] || fail "links appeared"
grep -qx "1 of 1 source failing: flaky since .* (2 failed polls, last error: $T/missing: No such file or directory)" <<<"$st" \
	|| fail "status with no links says nothing of the failing source: $st"
np --format json status >"$T/status.json" 2>"$T/status.err"
[ "$(tr -d ' \n' <"$T/status.json")" = '{"version":1,"links":[]}' ] ||
	fail "JSON status carries more than the links: $(cat "$T/status.json")"
grep -q "^netpulse: 1 of 1 source failing: flaky" "$T/status.err" || fail "JSON status: no line on stderr"
pass "status with no links: one line names the failing source (stdout in text, stderr beside JSON)"

# The error changes: the latest one and the count, not the first one forever.
mkdir -p "$T/dir-not-file"
config no "$T/dir-not-file"
once
ex=$(np --format json status --explain)
[ "$(json_get "j['collectors'][0]['failures']" <<<"$ex")" = 3 ] || fail "failures: $ex"
last=$(json_get "j['collectors'][0]['last_error']" <<<"$ex")
case "$last" in *missing*|"") fail "last_error still the first one: $last" ;; esac
grep -q "source flaky (local) is still failing, now: " "$T/once.log" || fail "new reason not logged"
pass "status --explain: the latest error ($last), 3 failed polls"

# CSV --explain: one file per table, each with its own header.
np --format csv status --explain && fail "CSV --explain without --output accepted"
np --format csv status --explain --output "$T/csv" || fail "CSV --explain --output"
[ "$(ls "$T/csv" | tr '\n' ' ')" = "alert_sinks.csv collectors.csv links.csv verdicts.csv " ] || fail "files: $(ls "$T/csv")"
[ "$(head -1 "$T/csv/collectors.csv")" = "source,ok,since,failures,last_error,skipped,skip_reason" ] || fail "collectors.csv header"
[ "$(sed -n 2p "$T/csv/collectors.csv" | cut -d, -f1,2,4)" = "flaky,no,3" ] || fail "collectors.csv: $(cat "$T/csv/collectors.csv")"
for f in "$T"/csv/*.csv; do
	[ "$(grep -c '^#' "$f")" = 0 ] || fail "$f holds a section title"
	python3 -c 'import csv,sys; r=list(csv.reader(open(sys.argv[1]))); assert all(len(x)==len(r[0]) for x in r), r' "$f" \
		|| fail "$f is not one table"
done
pass "CSV --explain: links, verdicts, collectors, alert_sinks, one table per file"

# One source polling, one failing: healthy while the COLLECTOR alert waits for its sink...
rm -f "$T/np.db"
config yes "$T/missing"
once
out=$(np health) || fail "health failed with one source polling: $out"
pending=$(sqlite3 "$T/np.db" 'SELECT count(*) FROM outbox_sink WHERE delivered IS NULL AND dead IS NULL')
[ "$pending" -ge 1 ] || fail "no alert waiting in the outbox"
[ "$out" = "healthy: 1 of 2 sources polling, $pending alert(s) undelivered" ] || fail "health: $out"
pass "one of two sources failing: healthy ($out)"
# ... and unhealthy once it has waited longer than --stuck-after (time moved with --now).
queued=$(sqlite3 "$T/np.db" 'SELECT min(o.created) FROM outbox o JOIN outbox_sink s ON s.outbox = o.id WHERE s.delivered IS NULL')
out=$(np --now $((queued + 901)) health) && fail "outbox stuck past 15m but healthy: $out"
[ "$out" = "unhealthy: outbox stuck: $pending alert(s) undelivered, the oldest queued 15m 1s ago (more than 15m)" ] || fail "health: $out"
np --now $((queued + 901)) health --stuck-after 1h >/dev/null || fail "--stuck-after 1h not honoured"
sqlite3 "$T/np.db" "UPDATE outbox_sink SET delivered = $queued"
np --now $((queued + 901)) health >/dev/null || fail "delivered alerts still counted"
pass "outbox stuck: health exits 1; --stuck-after moves the bound; delivered rows do not count"
