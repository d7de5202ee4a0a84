#!/usr/bin/env bash
# daemon.log to a remote syslog server: a real rsyslogd on loopback in a namespace (TCP).
#  1. The daemon's start-up line arrives as a plain RFC 5424 message (APP-NAME netpulse,
#     MSGID "-", no structured data, severity info), and still goes to stderr too.
#  2. Lines logged while rsyslogd is down wait in memory and arrive once it is back (a
#     SIGHUP's "configuration reloaded" line, logged with the receiver stopped).
#  3. The "stopped" line of a clean stop arrives (the last lines are flushed at exit).
# Also over UDP: the start-up line.
source "$(dirname "$0")/lib.sh"
require_root
require_cmd python3
make_netns
start_rsyslog

cat >"$T/netpulse.yaml" <<EOC
daemon: { database: $T/np.db, log: "tcp://127.0.0.1:5515", log_level: info }
sources:
  - { name: ns-host, type: local, interval: 1s, include: ["^lo\$"] }
EOC
"$NETPULSED" --check-config -c "$T/netpulse.yaml" >"$T/check.log" 2>&1 || fail "config rejected: $(cat "$T/check.log")"
start_daemon "$T/netpulse.yaml"

# ---- 1. the start-up line ----
wait_for 20 "grep -q 'msg=started: ' $T/received.log" || fail "no start-up line at rsyslogd"
line=$(grep -m1 'msg=started: ' "$T/received.log")
echo "$line"
[[ $line == "msgid=- app=netpulse pri=30 sev=info sd=- msg=started: 1 source(s),"* ]] ||
	fail "start-up line fields wrong: $line"
raw=$(grep -m1 ' started: ' "$T/raw.log")
[[ $raw =~ ^\<30\>1\ [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{6}Z\ [^\ ]+\ netpulse\ [0-9]+\ -\ -\ started:\  ]] ||
	fail "raw RFC 5424 frame wrong: $raw"
grep -q 'netpulsed: info: started: ' "$T/netpulsed.log" || fail "the line did not go to stderr too"
grep -q 'msg=netpulsed .* starting (libevent' "$T/received.log" ||
	fail "the line logged before the loop existed was not sent"
pass "start-up line received: ${raw:0:90}..."

# ---- 2. a receiver outage ----
kill "$RSYSLOG_PID"
wait "$RSYSLOG_PID" 2>/dev/null || true
kill -HUP "$DAEMON_PID"
wait_for 20 "grep -q 'info: configuration reloaded' $T/netpulsed.log" || fail "no reload"
! grep -q 'msg=configuration reloaded' "$T/received.log" || fail "received with rsyslogd down?"
start_rsyslog
wait_for 60 "grep -q 'msg=configuration reloaded' $T/received.log" ||
	fail "the line logged during the outage never arrived"
grep -q 'log target tcp://127.0.0.1:5515: ' "$T/netpulsed.log" ||
	fail "the outage was not reported on stderr"
pass "a line logged while rsyslogd was down arrived after its restart"

# ---- 3. the last line ----
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" && rc=0 || rc=$?
[ "$rc" = 0 ] || fail "netpulsed exited $rc on SIGTERM"
wait_for 10 "grep -q 'msg=stopped' $T/received.log" || fail "the stopped line did not arrive"
pass "clean stop; its last line arrived"

# ---- UDP ----
sed -i 's|tcp://127.0.0.1:5515|udp://127.0.0.1:5514|' "$T/netpulse.yaml"
n0=$(count_lines 'msg=started: ' "$T/received.log")
start_daemon "$T/netpulse.yaml"
wait_for 20 "test \$(count_lines 'msg=started: ' $T/received.log) -gt $n0" || fail "no start-up line over UDP"
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "netpulsed exited $? on SIGTERM"
pass "udp: start-up line received"
