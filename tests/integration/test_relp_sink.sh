#!/usr/bin/env bash
# End to end over RELP: netpulsed (a local source on a veth pair in a namespace) sends its
# alerts to a real rsyslogd with imrelp on 127.0.0.1:2514 inside the namespace.
# Link down and up: one IFDOWN and one IFUP arrive. Then rsyslogd hangs (SIGSTOP) and the link
# goes down: the alert is sent but stays undelivered (the daemon logs the missing
# acknowledgement, naming the peer); rsyslogd is killed (-9) and restarted: the IFDOWN arrives,
# then the IFUP; the outbox drains and no alert id is in rsyslogd's output twice.
source "$(dirname "$0")/lib.sh"
require_root
require_cmd rsyslogd sqlite3 python3
IMRELP=$(ls /usr/lib/*/rsyslog/imrelp.so /usr/lib/rsyslog/imrelp.so 2>/dev/null | head -n1 || true)
[ -n "$IMRELP" ] || skip "needs imrelp (Debian: rsyslog-relp)"
make_netns
make_veth_pair

mkdir -p "$T/rsyslog"
cat >"$T/rsyslog.conf" <<EOC
global(workDirectory="$T/rsyslog" maxMessageSize="64k")
module(load="imrelp")
template(name="Fields" type="string"
  string="msgid=%msgid% sd=%structured-data% msg=%msg%\n")
ruleset(name="r") { action(type="omfile" file="$T/received.log" template="Fields") }
input(type="imrelp" address="127.0.0.1" port="2514" ruleset="r")
EOC
rsyslogd -N1 -f "$T/rsyslog.conf" >"$T/rsyslog-check.log" 2>&1 || fail "rsyslog config invalid"
RSYSLOG_PID=""
start_relp_rsyslog() {
	rm -f "$T/rsyslogd.pid"
	ip netns exec "$NS" rsyslogd -n -f "$T/rsyslog.conf" -i "$T/rsyslogd.pid" >>"$T/rsyslogd.log" 2>&1 &
	RSYSLOG_PID=$!
	wait_for 10 'in_ns ss -Hlnt "sport = :2514" | grep -q .' || fail "rsyslogd did not start listening"
}
# Cleanup of whichever rsyslogd runs then (a stopped one must be continued to die of TERM).
CLEANUP+=('[ -n "$RSYSLOG_PID" ] && { kill -CONT $RSYSLOG_PID; kill $RSYSLOG_PID; wait $RSYSLOG_PID; }')
start_relp_rsyslog
touch "$T/received.log"

cat >"$T/netpulse.yaml" <<EOC
daemon: { database: $T/np.db, log_level: debug }
sources:
  - { name: ns-host, type: local, interval: 1s, include: ["^npa\$"] }
alerts:
  - { type: syslog, server: "relp://127.0.0.1", hostname: testhost, timeout: 3s, window: 16 }
EOC
"$NETPULSED" --check-config -c "$T/netpulse.yaml" >"$T/check.log" || fail "config rejected"
start_daemon "$T/netpulse.yaml"

undelivered() { sqlite3 "$T/np.db" "SELECT count(*) FROM outbox_sink WHERE delivered IS NULL"; }

wait_for 20 'test "$(link_state)" = up' || fail "npa never reported up"
ip -n "$NS" link set npb down
wait_log_count 1 msgid=IFDOWN "$T/received.log" || fail "no IFDOWN over RELP"
ip -n "$NS" link set npb up
wait_log_count 1 msgid=IFUP "$T/received.log" || fail "no IFUP over RELP"
wait_outbox_empty "$T/np.db" || fail "alerts stuck in the outbox"
pass "IFDOWN and IFUP delivered over RELP (relp:// without a port: 2514)"

# Hung receiver: the alert goes out, is not acknowledged, stays undelivered.
kill -STOP "$RSYSLOG_PID"
# kill returns before every thread stopped: wait until they all are.
stopped() { ! grep -qv '^[0-9]* (.*) [Tt] ' /proc/"$RSYSLOG_PID"/task/*/stat; }
wait_for 5 stopped || fail "rsyslogd did not stop"
ip -n "$NS" link set npb down
wait_for 20 'test "$(link_state)" = down' || fail "npa never reported down"
wait_for 30 'grep -q "relp://127.0.0.1:2514: no acknowledgement for 3000 ms" "$T/netpulsed.log"' \
	|| fail "the daemon did not report the missing acknowledgement"
test "$(undelivered)" = 1 || fail "undelivered: $(undelivered), want 1 while rsyslogd hangs"
pass "hung receiver: the IFDOWN stays undelivered; the daemon: $(grep -m1 -o "alert sink relp://.*no acknowledgement.*" "$T/netpulsed.log")"

# Killed while hung, then restarted: the IFDOWN arrives (once), then the IFUP.
kill -KILL "$RSYSLOG_PID"
wait "$RSYSLOG_PID" 2>/dev/null || true
start_relp_rsyslog
wait_log_count 2 msgid=IFDOWN "$T/received.log" 90 || fail "the IFDOWN never arrived after the restart"
ip -n "$NS" link set npb up
wait_log_count 2 msgid=IFUP "$T/received.log" 60 || fail "no second IFUP"
wait_outbox_empty "$T/np.db" 60 || fail "alerts stuck in the outbox"
pass "after kill -9 and restart of rsyslogd: IFDOWN and IFUP delivered"

# Every alert once: 4 lines, 4 distinct ids, the ids of the outbox.
cat "$T/received.log"
test "$(wc -l <"$T/received.log")" = 4 || fail "rsyslogd received $(wc -l <"$T/received.log") lines, want 4"
ids=$(sed -n 's/.*\[netpulse@32473 id="\([0-9]*\)".*/\1/p' "$T/received.log" | sort -n)
test "$(wc -l <<<"$ids")" = 4 || fail "lines without an id"
dups=$(uniq -d <<<"$ids")
[ -z "$dups" ] || fail "alert id(s) received twice over RELP: $dups"
want=$(sqlite3 "$T/np.db" "SELECT id FROM outbox ORDER BY id")
[ "$ids" = "$want" ] || fail "received ids $(echo $ids) != outbox ids $(echo $want)"
pass "every alert exactly once over RELP (ids $(echo $ids))"
