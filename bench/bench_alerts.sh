#!/usr/bin/env bash
# Alert delivery bench (issue #9 "Performance"): a backlog of BENCH_ALERTS (default 100,000)
# pending alerts, delivered by netpulsed to a real rsyslogd (lib.sh rx_start: one input per
# protocol, each writing its own file) over TCP, RELP and TLS, one run each on a copy of the
# same database. The database is made by the daemon (`netpulsed --once`: the real schema), the
# backlog inserted with sqlite3 into outbox + outbox_sink as the daemon would queue it.
# Prints per protocol: time until rsyslogd had every alert and the rate (alerts/s), time
# until the outbox was drained (every row marked delivered: for TCP/TLS confirm_after, default
# 2 s, after the send queue was seen empty), duplicates, the largest backlog seen unread in
# rsyslogd's socket; fails if rsyslogd did not get every alert.
# Usage: bench/bench_alerts.sh [tcp|relp|tls ...]   (needs root: a network namespace;
#        env: NETPULSED, BENCH_ALERTS=100000, BENCH_TIMEOUT=900 seconds per run)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
: "${NETPULSED:=$here/${BUILD:-build}/netpulsed}"
N=${BENCH_ALERTS:-100000}
LIMIT=${BENCH_TIMEOUT:-900}
PROTOS=${*:-tcp relp tls}
# lib.sh: $T (removed at exit), the namespace, rx_* (rsyslogd receiver), np_* (netpulsed).
source "$here/tests/integration/lib.sh"
require_root
require_cmd sqlite3
[ -x "$NETPULSED" ] || fail "no $NETPULSED (build first)"
make_netns
rx_config
calc() { awk "BEGIN { print ($1) }"; }
declare -A KEY=([tcp]="tcp://127.0.0.1:$RX_TCP_PORT" [relp]="relp://127.0.0.1:$RX_RELP_PORT"
	[tls]="tls://127.0.0.1:$RX_TLS_PORT")

# config PROTO|none: one sink; a local source watching nothing (no alert of its own).
config() {
	cat <<EOC
daemon: { database: $T/np.db, log: stderr, log_level: info }
sources:
  - { name: none, type: local, interval: 1h, include: ["^no-such-link\$"] }
EOC
	case $1 in
	tcp) echo "alerts: [ { type: syslog, server: \"${KEY[tcp]}\", hostname: benchhost } ]" ;;
	relp) echo "alerts: [ { type: syslog, server: \"${KEY[relp]}\", hostname: benchhost } ]" ;;
	tls) echo "alerts: [ { type: syslog, server: \"${KEY[tls]}\", hostname: benchhost, ca_file: $RX_CA } ]" ;;
	none) echo "alerts: []" ;;
	esac
}

# ---- the backlog: N alerts like IFDOWN/IFUP of N/2 links, created over the last minute ----
config none >"$T/none.yaml"
ip netns exec "$NS" "$NETPULSED" --once -c "$T/none.yaml" >"$T/create.log" 2>&1 || fail "netpulsed --once: $(tail -n 5 "$T/create.log")"
now=$(date +%s)
t=$(date +%s.%N)
sqlite3 "$T/np.db" <<EOS || fail "inserting the backlog"
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N)
INSERT INTO outbox (created, created_ms, msgid, severity, device, interface, state, previous,
                    since, source, outage_seconds, message)
SELECT $now - 60 + i * 60 / $N, ($now - 60) * 1000 + i * 60000 / $N,
       CASE i % 2 WHEN 1 THEN 'IFDOWN' ELSE 'IFUP' END, CASE i % 2 WHEN 1 THEN 3 ELSE 5 END,
       'bench-device-' || (i / 2 % 100), 'eth' || (i / 200),
       CASE i % 2 WHEN 1 THEN 'down' ELSE 'up' END, CASE i % 2 WHEN 1 THEN 'up' ELSE 'down' END,
       $now - 60 + i * 60 / $N, 'bench', CASE i % 2 WHEN 1 THEN NULL ELSE 1 END,
       'link bench-device-' || (i / 2 % 100) || ' eth' || (i / 200) || ' is '
       || CASE i % 2 WHEN 1 THEN 'DOWN' ELSE 'UP' END || ' (bench backlog)'
FROM n;
COMMIT;
EOS
printf 'backlog: %d alerts inserted in %.1f s\n' "$(sqlite3 "$T/np.db" 'SELECT count(*) FROM outbox')" \
	"$(calc "$(date +%s.%N) - $t")"
sqlite3 "$T/np.db" "SELECT id FROM outbox ORDER BY id" >"$T/expected.ids"
cp "$T/np.db" "$T/base.db"

# run PROTO: a fresh receiver, a copy of the backlog queued for PROTO's sink, netpulsed until
# the outbox is drained.
run() {
	local p=$1 key=${KEY[$1]}
	cp "$T/base.db" "$T/np.db"
	rm -f "$T/np.db-wal" "$T/np.db-shm"
	sqlite3 "$T/np.db" "INSERT INTO outbox_sink (outbox, sink) SELECT id, '$key' FROM outbox" || fail "queueing for $p"
	rx_stop
	rm -f "$T/rx/$p.log"
	rx_start
	config "$p" >"$T/$p.yaml"
	local start recv_at="" drain_at="" got pending seen q maxq=0 port
	case $p in tcp) port=$RX_TCP_PORT ;; relp) port=$RX_RELP_PORT ;; tls) port=$RX_TLS_PORT ;; esac
	start=$(date +%s.%N)
	np_start "$T/$p.yaml"
	while [ -z "$recv_at" ] || [ -z "$drain_at" ]; do
		np_alive || fail "netpulsed died during the $p run: $(tail -n 5 "$T/netpulsed.log")"
		# Cheap line count first; distinct ids only once it could be complete.
		if [ -z "$recv_at" ]; then
			seen=$(date +%s.%N)
			if [ "$(wc -l <"$T/rx/$p.log")" -ge "$N" ]; then
				got=$(rx_ids "$p" | sort -u | wc -l)
				[ "$got" -lt "$N" ] || recv_at=$seen
			fi
		fi
		if [ -z "$drain_at" ]; then
			seen=$(date +%s.%N)
			pending=$(sqlite3 -cmd '.timeout 10000' "$T/np.db" \
				"SELECT count(*) FROM outbox_sink WHERE delivered IS NULL")
			[ "$pending" != 0 ] || drain_at=$seen
		fi
		# The most bytes seen waiting unread in rsyslogd's socket (ss Recv-Q).
		q=$(in_ns ss -Htn state established "sport = :$port" | awk '{ s += $1 } END { print s + 0 }')
		[ "$q" -le "$maxq" ] || maxq=$q
		[ "$(calc "$(date +%s.%N) - $start < $LIMIT")" = 1 ] ||
			fail "$p: not done after $LIMIT s (received $(rx_ids "$p" | sort -u | wc -l) of $N, $pending pending)"
		sleep 0.1
	done
	np_stop
	rx_tally "$p" "$T/expected.ids"
	[ "$RX_LOST" = 0 ] || fail "$p: rsyslogd is missing $RX_LOST alert(s): $RX_LOST_IDS"
	[ "$RX_EXTRA" = 0 ] || fail "$p: rsyslogd got $RX_EXTRA unknown id(s)"
	local recv_s drain_s
	recv_s=$(calc "$recv_at - $start")
	drain_s=$(calc "$drain_at - $start")
	printf '%-5s %8d alerts  all received in %7.2f s = %8.0f alerts/s   outbox drained in %7.2f s   duplicates %d   receiver backlog up to %d KiB\n' \
		"$p" "$N" "$recv_s" "$(calc "$N / $recv_s")" "$drain_s" "$RX_DUPS" $((maxq / 1024))
	# TCP/TLS: a row counts as delivered once the receiver's kernel has it and the connection
	# stayed open confirm_after; a receiver slower than the sender may still hold it unread.
	[ "$(calc "$drain_at < $recv_at")" = 0 ] ||
		printf '      %s: the outbox counted every alert delivered %.2f s before rsyslogd had written them all\n' \
			"$p" "$(calc "$recv_at - $drain_at")"
}
for p in $PROTOS; do run "$p"; done
