#!/usr/bin/env bash
# The local syslog sink loses nothing when the logger is missing (issue #10): netpulsed's
# local sink points at a socket nobody listens on (as /dev/log in a container or a minimal
# host). An IFDOWN and an IFUP happen; both stay pending in the outbox (none marked
# delivered), the daemon says once that the sink is down, and once a real rsyslogd (imuxsock
# on that socket) appears, both alerts arrive there and are marked delivered.
source "$(dirname "$0")/lib.sh"
require_root
require_cmd sqlite3 python3 rsyslogd
make_netns
make_veth_pair

SOCK=$T/log.sock
cat >"$T/netpulse.yaml" <<EOC
daemon: { database: $T/np.db, log_level: debug }
sources:
  - { name: ns-host, type: local, interval: 1s, include: ["^npa\$"] }
alerts:
  - { type: syslog, facility: local3, socket: "$SOCK" }
EOC
"$NETPULSED" --check-config -c "$T/netpulse.yaml" >"$T/check.log" 2>&1 || fail "config rejected"
start_daemon "$T/netpulse.yaml"
wait_for 20 'test "$(link_state)" = up' || fail "npa never reported up"

sql() { sqlite3 "$T/np.db" "$1"; }
pending() { sql "SELECT count(*) FROM outbox_sink WHERE sink = 'local:$SOCK' AND delivered IS NULL"; }
delivered() { sql "SELECT count(*) FROM outbox_sink WHERE sink = 'local:$SOCK' AND delivered IS NOT NULL"; }

ip -n "$NS" link set npb down
wait_for 20 'test "$(link_state)" = down' || fail "npa never reported down"
ip -n "$NS" link set npb up
wait_for 20 'test "$(link_state)" = up' || fail "npa never came back up"
wait_for 20 'test "$(pending)" = 2' || fail "expected 2 pending alerts, have $(pending)"
# The sink tried them (the warning is written by the first failed send).
wait_log_count 1 "alert sink local:$SOCK: .*No such file or directory (alerts stay queued; retrying)" \
	"$T/netpulsed.log" || fail "no warning about the missing logger"
test "$(delivered)" = 0 || fail "$(delivered) alert(s) marked delivered with no logger"
pass "no logger: IFDOWN and IFUP pending, none marked delivered"

# A few more failed retries (1 s, 2 s, ... backoff) are not logged again.
wait_for 30 'test "$(sql "SELECT max(attempts) FROM outbox_sink WHERE sink = '"'local:$SOCK'"'")" -ge 2' \
	|| fail "the sink is not retried"
test "$(count_lines "alert sink local:$SOCK: " "$T/netpulsed.log")" = 1 || fail "the down sink was logged more than once"
pass "retried with backoff, logged once"

# The logger appears: rsyslogd with imuxsock on the socket, nothing else.
mkdir -p "$T/rsyslog"
cat >"$T/rsyslog.conf" <<EOC
global(workDirectory="$T/rsyslog" maxMessageSize="64k")
module(load="imuxsock" SysSock.Use="off")
template(name="Fields" type="string"
  string="pri=%pri% tag=%syslogtag% msg=%msg%\n")
ruleset(name="r") {
  action(type="omfile" file="$T/received.log" template="Fields")
}
input(type="imuxsock" Socket="$SOCK" ruleset="r" RateLimit.Interval="0")
EOC
rsyslogd -N1 -f "$T/rsyslog.conf" >"$T/rsyslog-check.log" 2>&1 || fail "rsyslog config invalid: $(cat "$T/rsyslog-check.log")"
touch "$T/received.log"
rsyslogd -n -f "$T/rsyslog.conf" -i "$T/rsyslogd.pid" >"$T/rsyslogd.log" 2>&1 &
RSYSLOG_PID=$!
CLEANUP+=("kill $RSYSLOG_PID; wait $RSYSLOG_PID")

# The retry backoff is at most a minute.
wait_for 90 'test "$(count_lines "IFUP: " "$T/received.log")" -ge 1' || fail "IFUP never reached the logger"
wait_for 30 'test "$(pending)" = 0' || fail "alerts still pending after delivery"
cat "$T/received.log"
test "$(count_lines "IFDOWN: interface npa" "$T/received.log")" = 1 || fail "IFDOWN not received exactly once"
test "$(count_lines "IFUP: interface npa" "$T/received.log")" = 1 || fail "IFUP not received exactly once"
# local3 (19 << 3): err 155 for IFDOWN, notice 157 for IFUP.
grep -q '^pri=155 tag=netpulse\[[0-9]*\]: msg= \?IFDOWN: ' "$T/received.log" || fail "IFDOWN priority or tag wrong"
grep -q '^pri=157 tag=netpulse\[[0-9]*\]: msg= \?IFUP: ' "$T/received.log" || fail "IFUP priority or tag wrong"
test "$(delivered)" = 2 || fail "expected 2 delivered rows, have $(delivered)"
wait_log_count 1 "alert sink local:$SOCK: delivering again" "$T/netpulsed.log" || fail "recovery not logged"
pass "the logger appeared: both alerts arrived once and are marked delivered"
