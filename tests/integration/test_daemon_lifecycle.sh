#!/usr/bin/env bash
# The daemon's contract with its supervisor and its operator: --check-config, sd_notify
# (READY/RELOADING/STOPPING over $NOTIFY_SOCKET), SIGHUP with an invalid file (kept) and a valid
# one (swapped, unchanged source keeps polling), a failing source (one COLLECTOR alert, logged
# once, other source unaffected, recovery alerted once), SIGTERM (exit 0), --once.
source "$(dirname "$0")/lib.sh"
require_root
require_cmd sqlite3 python3
make_netns
start_rsyslog

# --check-config: a bad file names file:line:column and exits 1; a good one exits 0.
cat >"$T/bad.yaml" <<EOC
daemon: { database: $T/np.db }
sources:
  - { name: a, type: local, intervall: 1s }
EOC
if "$NETPULSED" --check-config -c "$T/bad.yaml" >"$T/check.log" 2>&1; then fail "bad config accepted"; fi
grep -q "$T/bad.yaml:3:" "$T/check.log" || fail "no file:line in: $(cat "$T/check.log")"
pass "--check-config rejects with $(head -1 "$T/check.log")"

mkdir -p "$T/proc"
cp "$NP_FIXTURES/network_monitor/synthetic/proc_net_dev_t0.txt" "$T/proc/dev"
cat >"$T/netpulse.yaml" <<EOC
daemon: { database: $T/np.db, log_level: debug }
sources:
  - { name: good, type: local, interval: 1s, include: ["^lo\$"] }
  - { name: flaky, type: local, interval: 1s, netlink: false, proc_path: $T/proc/missing, sys_path: $T/sys }
alerts:
  - { type: syslog, server: "udp://127.0.0.1:5514" }
EOC
"$NETPULSED" --check-config -c "$T/netpulse.yaml" >/dev/null || fail "good config rejected"

# sd_notify receiver.
python3 - "$T/notify.sock" >"$T/notify.log" 2>&1 <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(60)
while True:
    try:
        m = s.recv(4096).decode()
    except socket.timeout:
        break
    print(m, flush=True)
    if "STOPPING=1" in m:
        break
PY
NOTIFY_PID=$!
CLEANUP+=("kill $NOTIFY_PID")
wait_for 5 'test -S "$T/notify.sock"' || fail "notify socket"
NOTIFY_SOCKET="$T/notify.sock" start_daemon "$T/netpulse.yaml"
wait_for 10 'grep -q READY=1 "$T/notify.log"' || fail "no READY=1"
pass "READY=1"
# No HTTP source and no mailed report: libcurl (and its TLS, HTTP/2, LDAP ... libraries) is
# not loaded (lib/io/curl_dl.c loads it on first use).
[ "$(grep -c libcurl "/proc/$DAEMON_PID/maps")" = 0 ] || fail "libcurl mapped by a daemon without HTTP sources"
pass "libcurl not loaded without HTTP sources"

collector_alerts() { count_lines 'msgid=COLLECTOR' "$T/received.log"; }
wait_for 15 'test "$(collector_alerts)" -ge 1' || fail "no COLLECTOR alert for the failing source"
nfail=$(count_lines 'flaky: poll failed' "$T/netpulsed.log")
grep -q 'state="failing"' "$T/received.log" || fail "COLLECTOR alert does not say failing"
wait_polls good 1 15 || fail "good source stopped storing polls"
# Two more failed polls since the alert (backoff doubles the wait each time), every alert
# handed to rsyslog: still exactly one alert and one error line.
wait_log_count $((nfail + 2)) 'flaky: poll failed' "$T/netpulsed.log" 60 || fail "flaky stopped polling"
wait_outbox_empty "$T/np.db" || fail "alerts stuck in the outbox"
test "$(collector_alerts)" -eq 1 || fail "COLLECTOR alert repeated: $(collector_alerts)"
test "$(grep -c 'COLLECTOR source flaky' "$T/netpulsed.log")" -eq 1 || fail "failure logged more than once"
pass "failing source: one COLLECTOR alert, one log line, other source unaffected"

# Recovery: the file appears.
cp "$T/proc/dev" "$T/proc/missing"
wait_for 40 'test "$(collector_alerts)" -ge 2' || fail "no recovery COLLECTOR alert"
grep 'msgid=COLLECTOR' "$T/received.log" | tail -1 | grep -q 'state="ok"' || fail "recovery alert state"
pass "recovery alerted once"

# SIGHUP with an invalid file: kept, still polling.
cp "$T/netpulse.yaml" "$T/good.yaml"
echo "sources: [ { name: x, type: nosuchtype } ]" >"$T/netpulse.yaml"
kill -HUP "$DAEMON_PID"
wait_for 10 'grep -q "reload failed, keeping the running configuration" "$T/netpulsed.log"' \
	|| fail "invalid reload not reported"
kill -0 "$DAEMON_PID" || fail "daemon died on invalid reload"
wait_polls good 1 15 || fail "not polling after invalid reload"
grep -q RELOADING=1 "$T/notify.log" || fail "no RELOADING=1"
pass "invalid reload kept the running configuration"

# SIGHUP with a valid file that drops the flaky source.
grep -v flaky "$T/good.yaml" >"$T/netpulse.yaml"
kill -HUP "$DAEMON_PID"
wait_for 10 'grep -q "configuration reloaded: 1 source" "$T/netpulsed.log"' || fail "valid reload not applied"
wait_polls good 2 15 || fail "the unchanged source stopped polling after the reload"
pass "valid reload applied"

kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" && rc=0 || rc=$?
[ "$rc" = 0 ] || fail "exit $rc on SIGTERM"
wait_for 5 'grep -q STOPPING=1 "$T/notify.log"' || fail "no STOPPING=1"
pass "SIGTERM: STOPPING=1, exit 0"

# --once: polls, stores, exits 0; with a failing source exits 1.
cp "$T/good.yaml" "$T/once.yaml"
sed -i "s#$T/np.db#$T/once.db#" "$T/once.yaml"
rm -f "$T/proc/missing"
if in_ns "$NETPULSED" --once -c "$T/once.yaml" >"$T/once.log" 2>&1; then fail "--once with a failing source exited 0"; fi
grep -v flaky "$T/once.yaml" >"$T/once2.yaml"
in_ns "$NETPULSED" --once -c "$T/once2.yaml" >>"$T/once.log" 2>&1 || fail "--once failed"
[ "$(sqlite3 "$T/once.db" "SELECT count(*) FROM series WHERE interface='lo'")" = 1 ] || fail "--once stored nothing"
pass "--once"
