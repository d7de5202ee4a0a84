#!/usr/bin/env bash
# End to end for `type: stealthwatch` (issue 3). Two Flow Collectors are two real OpenSSH sshd
# (own ed25519 host keys, key-only auth) in a private network namespace; netpulsed polls both
# every second over SFTP and a real rsyslogd receives its alerts. The test rewrites the FC
# files between polls (atomically, as the FC does) and checks, in order:
#   1. first sight: up/down states, no alert (192.0.2.40 never heard: quiet);
#   2. 192.0.2.10 moves from FC-A to FC-B: A's zero is ignored, no alert;
#      192.0.2.20 goes down on A: one IFDOWN;
#   3. 192.0.2.20 comes back via FC-B: one IFUP with outage_seconds; 192.0.2.50 appears: no
#      alert; downtime JSON and events agree with the alerts;
#   4. malformed rows on FC-B: skipped and counted (log, status --explain), the rest counts;
#   5. 192.0.2.50 disappears from every FC: stale, not down;
#   6. FC-A becomes unreachable: one COLLECTOR alert, no exporter alert (192.0.2.60, seen
#      only by A, goes stale, not down);
#   7. FC-B's host key changes: refused, with the fingerprint, as a COLLECTOR alert.
# FC-B's address (127.0.0.1:2223) is a forwarder in front of its sshd, so step 7 swaps the sshd
# behind it without a moment in which a poll is refused (that would be the alert instead).
# Every wait is on the daemon's state (the database, its log: polls are counted by its debug
# lines), never on time. The bps gauges are checked in `netpulse usage` after the daemon
# stopped cleanly: a 5-minute rollup row is written once its bucket has closed, or at the stop.
source "$(dirname "$0")/lib.sh"
require_root
[ -x /usr/sbin/sshd ] || skip "needs /usr/sbin/sshd"
require_cmd sqlite3
: "${NP_FIXTURES:=$(dirname "$0")/../fixtures}"
make_netns
start_rsyslog
mkdir -p /run/sshd && chmod 755 /run/sshd

ssh-keygen -q -t ed25519 -N '' -f "$T/host_a" -C fc-a
ssh-keygen -q -t ed25519 -N '' -f "$T/host_b" -C fc-b
ssh-keygen -q -t ed25519 -N '' -f "$T/host_evil" -C evil
ssh-keygen -q -t ed25519 -N '' -f "$T/client" -C netpulse
cp "$T/client.pub" "$T/authorized_keys"
{
	echo "[127.0.0.1]:2222 $(cut -d' ' -f1,2 "$T/host_a.pub")"
	echo "[127.0.0.1]:2223 $(cut -d' ' -f1,2 "$T/host_b.pub")"
} >"$T/known_hosts"
EVIL_FP=$(ssh-keygen -lf "$T/host_evil.pub" | awk '{print $2}')

# start_forwarder PORT: relays 127.0.0.1:PORT (inside $NS) to the port written in
# $T/fwd_PORT.to, read at each connection.
start_forwarder() {
	local port=$1
	ip netns exec "$NS" python3 - "$port" "$T/fwd_$port.to" >"$T/forwarder_$port.log" 2>&1 <<'PY' &
import socket, sys, threading
port, to = int(sys.argv[1]), sys.argv[2]
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", port))
ls.listen(16)
def pipe(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    for s in (a, b):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
while True:
    c, _ = ls.accept()
    try:
        u = socket.create_connection(("127.0.0.1", int(open(to).read())))
    except OSError as e:
        print("backend:", e, flush=True)
        c.close()
        continue
    threading.Thread(target=pipe, args=(c, u), daemon=True).start()
    threading.Thread(target=pipe, args=(u, c), daemon=True).start()
PY
	local pid=$!
	CLEANUP+=("kill $pid; wait $pid")
	wait_for 10 "in_ns ss -Hlnt 'sport = :$port' | grep -q ." || fail "forwarder $port did not start"
}

HDR=$(head -n1 "$NP_FIXTURES/fc_device_stats/exporter_device_stats_example.txt")
# row ADDR LAST_ACTIVE BPS: one 46-column row shaped like the real captures.
row() {
	local r i
	r=$(printf '%s\t%s\t0\t4\t0\t0\t1\t1\t1\t9' "$1" "$2")
	for i in $(seq 11 43); do
		case $i in
		24 | 25 | 31 | 32 | 38 | 39) r+=$'\t0.0.0.0' ;;
		*) r+=$'\t0' ;;
		esac
	done
	printf '%s\t%s\t%s\t%s' "$r" "$3" "$3" "$3"
}
# fc NAME ROW...: rewrites FC file NAME atomically (a poll reads the old or the new file).
fc() {
	local f=$T/$1.txt
	shift
	{
		echo "$HDR"
		printf '%s\n' "$@"
	} >"$f.tmp"
	mv "$f.tmp" "$f"
}
NOW=1700000000
NEVER=$(row 192.0.2.40 0 0)

fc fc_a "$(row 192.0.2.10 $NOW 81216)" "$(row 192.0.2.20 $NOW 4096)" "$NEVER" "$(row 192.0.2.60 $NOW 800)"
fc fc_b "$(row 192.0.2.30 $NOW 12000)" "$NEVER"
start_fc a 2222 "$T/host_a"
start_fc b 2233 "$T/host_b"
echo 2233 >"$T/fwd_2223.to"
start_forwarder 2223

cat >"$T/netpulse.yaml" <<EOC
daemon: { database: $T/np.db, log_level: debug }
alerts:
  - { type: syslog, server: "tcp://127.0.0.1:5515", hostname: testhost }
sources:
  - name: fc-a
    type: stealthwatch
    host: 127.0.0.1
    port: 2222
    user: root
    identity_file: $T/client
    known_hosts: $T/known_hosts
    path: $T/fc_a.txt
    link_group: fc
    interval: 1s
    timeout: 5s
  - name: fc-b
    type: stealthwatch
    host: 127.0.0.1
    port: 2223
    user: root
    identity_file: $T/client
    known_hosts: $T/known_hosts
    path: $T/fc_b.txt
    link_group: fc
    interval: 1s
    timeout: 5s
EOC
"$NETPULSED" --check-config -c "$T/netpulse.yaml" >"$T/check.log" 2>&1 || fail "config rejected"
start_daemon "$T/netpulse.yaml"

np() { "$NETPULSE" --db "$T/np.db" "$@"; }
failed_polls() { count_lines "$1: poll failed" "$T/netpulsed.log"; }
status_json() { np status --format json 2>/dev/null; }
# state DEV / sources DEV: from `netpulse status`.
state() { status_json | json_get "[l['state'] for l in j['links'] if l['device']=='$1'][0]"; }
# gauge_max SRC DEV / gauge_min SRC DEV: the largest / smallest bps SRC reported for DEV in
# the last hour (the rollups), or "none" if SRC never listed DEV.
gauge() {
	np usage --period 1h --source "$2" --format json 2>/dev/null |
		json_get "([r['gauge']['$1'] for r in j['rows'] if r['group']['device']=='$3'] or ['none'])[0]"
}
gauge_max() { gauge max "$@"; }
gauge_min() { gauge min "$@"; }
alerts() { count_lines "msgid=$1 .*device=\"$2\"" "$T/received.log"; }
alerts_src() { count_lines "msgid=$1 .*source=\"$2\"" "$T/received.log"; }

# 1. First sight.
wait_for 30 'test "$(state 192.0.2.30)" = up && test "$(state 192.0.2.10)" = up' ||
	fail "exporters never reported (see netpulsed.log)"
test "$(state 192.0.2.20)" = up || fail "192.0.2.20 not up"
test "$(state 192.0.2.60)" = up || fail "192.0.2.60 not up"
test "$(state 192.0.2.40)" = down || fail "192.0.2.40 (never heard) not down"
pass "first sight: .10 .20 .30 .60 up, .40 down (never heard)"

# 2. .10 moves A -> B; .20 goes down. B first, as NetFlow starts reaching the new FC.
fc fc_b "$(row 192.0.2.30 $((NOW + 300)) 12800)" "$(row 192.0.2.10 $((NOW + 300)) 80800)" "$NEVER"
# Two stored polls of FC-B: the second began after the first ended, so after the rewrite
# (a source's polls do not overlap); its 80800 bps for 192.0.2.10 is checked after the stop.
wait_polls fc-b 2 || fail "fc-b stopped polling"
fc fc_a "$(row 192.0.2.10 $((NOW + 120)) 0)" "$(row 192.0.2.20 $((NOW + 60)) 0)" "$NEVER" "$(row 192.0.2.60 $NOW 800)"
wait_for 20 'test "$(alerts IFDOWN 192.0.2.20)" -ge 1' || fail "no IFDOWN for 192.0.2.20"
test "$(state 192.0.2.20)" = down || fail "status does not say 192.0.2.20 is down"
# Three more polls of each FC, every alert handed to rsyslog: the move must stay silent.
wait_polls fc-a 3 || fail "fc-a stopped polling"
wait_polls fc-b 3 || fail "fc-b stopped polling"
wait_outbox_empty "$T/np.db" || fail "alerts stuck in the outbox"
test "$(state 192.0.2.10)" = up || fail "192.0.2.10 not up after moving to FC-B"
test "$(alerts IFDOWN 192.0.2.10)" -eq 0 || fail "the move of 192.0.2.10 raised IFDOWN"
pass "192.0.2.10 moved A -> B silently; 192.0.2.20 IFDOWN"

# 3. .20 back via B; .50 appears.
fc fc_b "$(row 192.0.2.30 $((NOW + 600)) 12400)" "$(row 192.0.2.10 $((NOW + 600)) 79000)" \
	"$(row 192.0.2.20 $((NOW + 600)) 3904)" "$(row 192.0.2.50 $((NOW + 600)) 1024)" "$NEVER"
wait_for 20 'test "$(alerts IFUP 192.0.2.20)" -ge 1' || fail "no IFUP for 192.0.2.20"
wait_for 20 'test "$(state 192.0.2.50)" = up' || fail "192.0.2.50 never appeared"
up=$(grep -m1 'msgid=IFUP .*device="192.0.2.20"' "$T/received.log")
outage=$(sed -n 's/.*outage_seconds="\([0-9]*\)".*/\1/p' <<<"$up")
[ -n "$outage" ] && [ "$outage" -ge 3 ] && [ "$outage" -le 60 ] || fail "IFUP outage_seconds=$outage"
expect_downtime 1h device=192.0.2.20 1 "$outage" 1
dsec=$(json_get "[l['down_seconds'] for l in j['links'] if l['device']=='192.0.2.20'][0]" <<<"$json")
json_get "abs(j['total']['down_seconds'] - sum(l['down_seconds'] for l in j['links'])) <= 1" <<<"$json" |
	grep -qx True || fail "total downtime is not the sum over links"
# Never heard (Last Active 0): not downtime (DESIGN §6), so the total is 192.0.2.20's alone.
never=$(json_get "[l['down_seconds'] for l in j['links'] if l['device']=='192.0.2.40'] or [0]" <<<"$json")
[ "$never" = "[0]" ] || [ "$never" = "0" ] || fail "never-heard 192.0.2.40 has downtime: $never"
json_get "abs(j['total']['down_seconds'] - $dsec) <= 1" <<<"$json" | grep -qx True ||
	fail "total downtime is not 192.0.2.20's outage"

ev=$(np events --since 10m --state down --format json)
# The never-heard 192.0.2.40 is listed too (first sight: unknown -> down) but alerted nothing.
[ "$(json_get "[e['device'] for e in j['events'] if e['previous']=='up' and e['alert']=='IFDOWN']" <<<"$ev")" = "['192.0.2.20']" ] ||
	fail "events --state down: $ev"
[ "$(json_get "[e['device'] for e in j['events'] if e['alert']]" <<<"$ev")" = "['192.0.2.20']" ] ||
	fail "events --state down: an alert other than 192.0.2.20's: $ev"
ev=$(np events --since 10m --state up --format json)
[ "$(json_get "[e['device'] for e in j['events'] if e['previous']=='down' and e['alert']=='IFUP']" <<<"$ev")" = "['192.0.2.20']" ] ||
	fail "events --state up: $ev"
np downtime --period last-month --format json | json_get "j['total']['links']" >/dev/null ||
	fail "downtime --period last-month"
pass "192.0.2.20 IFUP outage_seconds=$outage; downtime JSON $dsec s, 1 outage; events agree"

# 4. Malformed rows on B: a short row and a non-numeric bps; the rest still counts.
fc fc_b "$(row 192.0.2.30 $((NOW + 900)) 12400)" "$(row 192.0.2.10 $((NOW + 900)) 79000)" \
	"$(row 192.0.2.20 $((NOW + 900)) 3904)" "$(row 192.0.2.50 $((NOW + 900)) 1024)" "$NEVER" \
	"$(row 192.0.2.99 $NOW 8 | cut -f1-45)" "$(row 192.0.2.98 $NOW 12x)"
wait_for 20 'grep -q "fc-b: skipped 2 unusable row(s); first: line 7: 45 fields, header has 46" "$T/netpulsed.log"' ||
	fail "skipped rows not logged"
ex=$(np status --explain --format json)
[ "$(json_get "[c['skipped'] for c in j['collectors'] if c['source']=='fc-b'][0]" <<<"$ex")" = 2 ] ||
	fail "status --explain does not count 2 skipped rows for fc-b"
wait_polls fc-b 2 || fail "fc-b stopped polling"
for d in 192.0.2.10 192.0.2.20 192.0.2.30 192.0.2.50; do
	test "$(state $d)" = up || fail "$d not up with malformed rows around it"
done
status_json | json_get "[l['device'] for l in j['links']]" | grep -q '192.0.2.9[89]' && fail "malformed rows became links"
pass "malformed rows skipped (2, logged, in status --explain); the other rows count"

# 5. .50 disappears from every FC: stale, not down.
fc fc_b "$(row 192.0.2.30 $((NOW + 1200)) 12400)" "$(row 192.0.2.10 $((NOW + 1200)) 79000)" \
	"$(row 192.0.2.20 $((NOW + 1200)) 3904)" "$NEVER"
wait_for 30 'test "$(state 192.0.2.50)" = stale' || fail "192.0.2.50 did not become stale"
test "$(alerts IFDOWN 192.0.2.50)" -eq 0 || fail "192.0.2.50 raised IFDOWN"
pass "192.0.2.50 disappeared: stale, no IFDOWN"

# 6. FC-A unreachable.
stop_fc a
wait_for 30 'test "$(alerts_src COLLECTOR fc-a)" -ge 1' || fail "no COLLECTOR alert for fc-a"
nfail=$(failed_polls fc-a)
wait_for 30 'test "$(state 192.0.2.60)" = stale' || fail "192.0.2.60 (only on FC-A) did not go stale"
# Two more failed polls since the alert (with backoff), every alert handed to rsyslog: still
# one alert.
wait_log_count $((nfail + 2)) "fc-a: poll failed" "$T/netpulsed.log" 60 ||
	fail "fc-a stopped polling"
wait_outbox_empty "$T/np.db" || fail "alerts stuck in the outbox"
test "$(alerts_src COLLECTOR fc-a)" -eq 1 || fail "more than one COLLECTOR alert for fc-a"
grep 'msgid=COLLECTOR .*source="fc-a"' "$T/received.log" | grep -q 'fc-a (127.0.0.1:2222): connect: Connection refused' ||
	fail "COLLECTOR alert for fc-a does not say why"
for d in 192.0.2.10 192.0.2.20 192.0.2.30; do
	test "$(state $d)" = up || fail "$d not up while FC-A is unreachable"
done
test "$(count_lines msgid=IFDOWN "$T/received.log")" -eq 1 || fail "FC-A going away raised IFDOWN"
pass "FC-A unreachable: one COLLECTOR alert, no exporter alert, 192.0.2.60 stale"

# 7. FC-B's host key changes (reinstalled or impersonated): refused. The new sshd listens
# first, the forwarder sends new connections to it, then the old one goes away with its kept
# connection (the daemon retries a dead kept session once, on a new connection: the new sshd).
nfail=$(failed_polls fc-b)
start_fc evil 2234 "$T/host_evil"
echo 2234 >"$T/fwd_2223.to"
stop_fc b
wait_for 30 'test "$(alerts_src COLLECTOR fc-b)" -ge 1' || fail "no COLLECTOR alert for fc-b"
line=$(grep -m1 'msgid=COLLECTOR .*source="fc-b"' "$T/received.log")
[[ $line == *"host key mismatch for [127.0.0.1]:2223"* ]] || fail "fc-b alert lacks the mismatch: $line"
[[ $line == *"$EVIL_FP"* ]] || fail "fc-b alert lacks the presented fingerprint $EVIL_FP"
# Two polls refused: never an authentication to the new host.
wait_log_count $((nfail + 2)) "fc-b: poll failed" "$T/netpulsed.log" 60 ||
	fail "fc-b stopped polling"
[ "$(count_lines "Accepted publickey" "$T/sshd_evil.log")" = 0 ] || fail "authenticated to a refused host"
grep -q "Connection from 127.0.0.1" "$T/sshd_evil.log" || fail "the new sshd saw no connection"
pass "FC-B host key changed: refused with $EVIL_FP"

# Never-heard 192.0.2.40 stayed quiet; exactly one IFDOWN and one IFUP in total.
test "$(alerts IFDOWN 192.0.2.40)" -eq 0 || fail "never-heard exporter alerted"
test "$(count_lines msgid=IFDOWN "$T/received.log")" -eq 1 || fail "IFDOWN count != 1"
test "$(count_lines msgid=IFUP "$T/received.log")" -eq 1 || fail "IFUP count != 1"
pass "alerts: 1 IFDOWN, 1 IFUP, COLLECTOR for fc-a and fc-b, nothing for 192.0.2.40"

kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" && rc=0 || rc=$?
[ "$rc" = 0 ] || fail "netpulsed exited $rc"
pass "netpulsed stopped cleanly"

# The bps gauges, in `netpulse usage` now that the stop wrote every open bucket.
test "$(gauge_max fc-a 192.0.2.40)" = 0.0 || fail "FC-A's bps for 192.0.2.40 not stored"
test "$(gauge_max fc-b 192.0.2.40)" = 0.0 || fail "FC-B's bps for 192.0.2.40 not stored"
test "$(gauge_max fc-a 192.0.2.10)" = 81216.0 || fail "FC-A's bps gauge for 192.0.2.10: $(gauge_max fc-a 192.0.2.10)"
test "$(gauge_max fc-b 192.0.2.10)" = 80800.0 || fail "FC-B's bps gauge max for 192.0.2.10: $(gauge_max fc-b 192.0.2.10)"
# 80800 while step 2's file stood, 79000 from step 3 on: both reached the rollups.
test "$(gauge_min fc-b 192.0.2.10)" = 79000.0 || fail "FC-B's bps gauge min for 192.0.2.10: $(gauge_min fc-b 192.0.2.10)"
test "$(gauge_max fc-b 192.0.2.99)" = none || fail "a malformed row reached the rollups"
pass "bps gauges in usage after the stop: FC-A 81216 and FC-B 80800..79000 for 192.0.2.10, 0 for 192.0.2.40"
