#!/usr/bin/env bash
# Counter baselines survive the process (issue #12 item 2), checked against the kernel's own
# counters of a veth that only our traffic moves:
#  1. three `netpulsed --once` runs with traffic between them store exactly that traffic;
#  2. a foreground daemon kill -9'd while traffic flows (its open 5-minute bucket held in
#     memory, not stored) and restarted loses nothing: once the restarted daemon stopped
#     cleanly, the stored bytes and packets equal the kernel's counters between the first
#     reading and the last, and no verdict discarded anything.
# The daemon writes a 5-minute rollup row once its bucket has closed, and everything it holds
# when it stops cleanly (end of --once, SIGTERM): the sums are read after it stopped, from
# rollup_5m, and the hourly and daily rollups folded at the stop must hold the same totals.
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
source "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || { echo "SKIP: needs the sqlite3 CLI"; exit 77; }

# npa (watched, in $NS) <-> npb (in $NS2, the sender). npa has no IPv4 address and IPv6 is off
# on both ends: npa never sends, and receives only the datagrams we send it.
make_netns
NS2="np-it2-$$-$RANDOM"
ip netns add "$NS2"
CLEANUP+=("ip netns del $NS2")
ip -n "$NS" link add npa type veth peer name npb netns "$NS2"
ip netns exec "$NS" sysctl -qw net.ipv6.conf.npa.disable_ipv6=1
ip netns exec "$NS2" sysctl -qw net.ipv6.conf.npb.disable_ipv6=1
ip -n "$NS" link set npa up
ip -n "$NS2" link set npb up
ip -n "$NS2" addr add 10.99.0.2/24 dev npb
mac=$(ip -n "$NS" -j link show npa | json_get "j[0]['address']")
ip -n "$NS2" neigh add 10.99.0.1 lladdr "$mac" dev npb nud permanent

# send N SIZE: N datagrams of SIZE bytes from npb to npa (dropped there: no address).
send() {
	ip netns exec "$NS2" bash -c '
		payload=$(head -c "$2" /dev/zero | tr "\0" x)
		for ((i = 0; i < $1; i++)); do echo -n "$payload" >/dev/udp/10.99.0.1/9; done' _ "$1" "$2"
}
# kernel FIELD: npa's rx counter (bytes|packets) as the kernel reports it.
kernel() { ip -n "$NS" -s -j link show npa | json_get "j[0]['stats64']['rx']['$1']"; }
sql() { sqlite3 "$T/np.db" "$1"; }
npa_id() { sql "SELECT id FROM series WHERE interface = 'npa'"; }
# stored FIELD [TABLE]: the sum of npa's FIELD in TABLE (default rollup_5m).
stored() { sql "SELECT coalesce(sum(r.$1), 0) FROM ${2:-rollup_5m} r JOIN series x ON x.id = r.series WHERE x.interface = 'npa'"; }
# same_in_folds FIELD WANT: rollup_1h and rollup_1d hold WANT too (folded when the daemon stopped).
same_in_folds() {
	local t
	for t in rollup_1h rollup_1d; do
		[ "$(stored "$1" $t)" = "$2" ] || fail "$t holds $(stored "$1" $t) $1, rollup_5m $2"
	done
}
baseline() { sql "SELECT b.$1 FROM baselines b JOIN series x ON x.id = b.series WHERE x.interface = 'npa'"; }
bad_verdicts() { sql "SELECT count(*) FROM verdicts v JOIN series x ON x.id = v.series WHERE x.interface = 'npa' AND v.verdict IN ('spike', 'clock', 'reset')"; }

cat >"$T/once.yaml" <<EOC
daemon: { database: $T/np.db }
sources:
  - { name: ns-host, type: local, interval: 60s, include: ["^npa\$"] }
EOC
once() { ip netns exec "$NS" "$NETPULSED" --once -c "$T/once.yaml" >>"$T/once.log" 2>&1 || fail "--once run $1 failed"; }

# ---- 1. three --once runs ----
send 3 100 # something before the first reading, which only sets the baseline
once 1
b0=$(kernel bytes) p0=$(kernel packets)
[ "$(baseline rx_bytes)" = "$b0" ] || fail "run 1 stored baseline $(baseline rx_bytes), kernel says $b0"
[ "$(stored rx_bytes)" = 0 ] || fail "run 1 stored a delta from nothing"
send 40 1000
once 2
send 25 333
once 3
b3=$(kernel bytes) p3=$(kernel packets)
[ $((b3 - b0)) -gt 50000 ] || fail "the traffic did not reach npa ($b0 -> $b3)"
[ "$(stored rx_bytes)" = $((b3 - b0)) ] || fail "--once runs stored $(stored rx_bytes) bytes, kernel counted $((b3 - b0))"
[ "$(stored rx_packets)" = $((p3 - p0)) ] || fail "--once runs stored $(stored rx_packets) packets, kernel counted $((p3 - p0))"
same_in_folds rx_bytes $((b3 - b0))
same_in_folds rx_packets $((p3 - p0))
[ "$(baseline rx_bytes)" = "$b3" ] || fail "run 3 stored baseline $(baseline rx_bytes), kernel says $b3"
[ "$(sql "SELECT count(*) FROM verdicts")" = 0 ] || fail "verdicts: $(sql "SELECT * FROM verdicts")"
# netpulse usage reads the rollups: the same total.
usage_rx() {
	"$NETPULSE" --db "$T/np.db" usage --period 1h --format json | tee "$T/usage.log" |
		json_get "sum(r['rx_bytes'] for r in j['rows'] if r['group'].get('interface') == 'npa')"
}
[ "$(usage_rx)" = $((b3 - b0)) ] || fail "netpulse usage says $(usage_rx) rx bytes, kernel counted $((b3 - b0))"
pass "3 --once runs stored exactly the $((b3 - b0)) bytes / $((p3 - p0)) packets the kernel counted"

# ---- 2. kill -9 mid-traffic, restart ----
cat >"$T/daemon.yaml" <<EOC
daemon: { database: $T/np.db }
sources:
  - { name: ns-host, type: local, interval: 1s, include: ["^npa\$"] }
EOC
# Traffic until $T/stop exists: 20 datagrams of 500 bytes per round.
ip netns exec "$NS2" bash -c '
	payload=$(head -c 500 /dev/zero | tr "\0" y)
	until [ -e "$1/stop" ]; do
		for ((i = 0; i < 20; i++)); do echo -n "$payload" >/dev/udp/10.99.0.1/9; done
		sleep 0.05
	done' _ "$T" &
TRAFFIC=$!
CLEANUP+=("touch $T/stop; wait $TRAFFIC")

start_daemon "$T/daemon.yaml"
wait_polls ns-host 5 || fail "first daemon run stored no polls"
kill -9 "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
bkill=$(kernel bytes)
before_kill=$(stored rx_bytes)
# The open bucket (and the traffic since the last poll) died with the process: unless the
# stored rows fall short of the kernel here, there is nothing for the restart to recover.
[ $((bkill - b0)) -gt "$before_kill" ] \
	|| fail "nothing was lost at the kill (stored $before_kill, kernel counted $((bkill - b0)))"
pass "killed -9 with traffic flowing (stored $before_kill of $((bkill - b0)) bytes so far)"
start_daemon "$T/daemon.yaml"
wait_polls ns-host 3 || fail "restarted daemon stored no polls"
touch "$T/stop"
wait "$TRAFFIC"
bend=$(kernel bytes) pend=$(kernel packets)
# Two more polls: the second began after the traffic stopped (a source's polls do not
# overlap), so its reading is the kernel's final count.
wait_polls ns-host 2 || fail "the restarted daemon stopped polling"
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" && rc=0 || rc=$?
[ "$rc" = 0 ] || fail "netpulsed exited $rc on SIGTERM"
[ "$(baseline rx_bytes)" = "$bend" ] || fail "stored baseline $(baseline rx_bytes) after the stop, kernel says $bend"
[ "$(bad_verdicts)" = 0 ] || fail "verdicts discarded data: $(sql "SELECT * FROM verdicts")"
[ "$(stored rx_bytes)" = $((bend - b0)) ] || fail "stored $(stored rx_bytes) bytes across kill -9, kernel counted $((bend - b0))"
[ "$(stored rx_packets)" = $((pend - p0)) ] || fail "stored $(stored rx_packets) packets across kill -9, kernel counted $((pend - p0))"
same_in_folds rx_bytes $((bend - b0))
same_in_folds rx_packets $((pend - p0))
[ "$(sql "SELECT count(*) FROM runs")" = 5 ] || fail "runs: $(sql "SELECT count(*) FROM runs"), want 3 --once + 2 daemon runs"
# The CLI reads the same totals from the rollups (fold at stop puts them in every width).
total=$(usage_rx)
[ "$total" = $((bend - b0)) ] || fail "netpulse usage says $total rx bytes, kernel counted $((bend - b0))"
pass "kill -9 + restart mid-traffic: stored $((bend - b0)) bytes / $((pend - p0)) packets, exactly the kernel's count"
