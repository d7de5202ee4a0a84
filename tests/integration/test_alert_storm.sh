#!/usr/bin/env bash
# No alert storm (issue 9): a Flow Collector (a real sshd serving an exporter file) with 1,000
# exporters, all up, becomes unreachable. A real rsyslogd must receive at most 2 alerts (the
# one COLLECTOR alert, naming the 1,000 links; they go stale under it), while `netpulse status`
# shows all 1,000 stale and every link has its own stale transition. The FC comes back: one
# COLLECTOR alert, the links return from stale without an alert each. Then 300 exporters
# vanish from the healthy FC at once: one STALE alert with the 300 links in its structured
# data. With alerts.group_window (SIGHUP), all 1,000 exporters losing NetFlow at once (700 up
# and 300 stale, all up before): one IFDOWN summary. The FC fails again and returns with the
# 1,000 all up (changed while unobserved): one IFUP summary besides the COLLECTOR alerts.
source "$(dirname "$0")/lib.sh"
require_root
[ -x /usr/sbin/sshd ] || skip "needs /usr/sbin/sshd"
require_cmd sqlite3 python3
: "${NP_FIXTURES:=$(dirname "$0")/../fixtures}"
make_netns
start_rsyslog
mkdir -p /run/sshd && chmod 755 /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$T/host_a" -C fc-a
ssh-keygen -q -t ed25519 -N '' -f "$T/client" -C netpulse
cp "$T/client.pub" "$T/authorized_keys"
echo "[127.0.0.1]:2222 $(cut -d' ' -f1,2 "$T/host_a.pub")" >"$T/known_hosts"

# fc N [BPS]: the FC file with exporters 10.0.0.0 .. N-1, all active before, now at BPS
# (default 8000) NetFlow bps (46 columns, as captured).
HDR=$(head -n1 "$NP_FIXTURES/fc_device_stats/exporter_device_stats_example.txt")
fc() {
	python3 - "$1" "$HDR" "${2:-8000}" >"$T/fc_a.txt.tmp" <<'PY'
import sys
n, hdr, bps = int(sys.argv[1]), sys.argv[2], sys.argv[3]
print(hdr)
for i in range(n):
    cols = ["10.0.%d.%d" % (i // 256, i % 256), "1700000000", "0", "4", "0", "0", "1", "1", "1", "9"]
    cols += ["0.0.0.0" if c in (24, 25, 31, 32, 38, 39) else "0" for c in range(11, 44)]
    cols += [bps, bps, bps]
    print("\t".join(cols))
PY
	mv "$T/fc_a.txt.tmp" "$T/fc_a.txt"
}
fc 1000
start_fc a 2222 "$T/host_a"

# conf GROUP_WINDOW
conf() {
	cat >"$T/netpulse.yaml" <<EOC
daemon: { database: $T/np.db, log_level: debug }
alerts:
  sinks:
    - { type: syslog, server: "tcp://127.0.0.1:5515", hostname: testhost, confirm_after: 0s }
  group_window: $1
sources:
  - name: fc-a
    type: stealthwatch
    host: 127.0.0.1
    port: 2222
    user: root
    identity_file: $T/client
    known_hosts: $T/known_hosts
    path: $T/fc_a.txt
    interval: 1s
    timeout: 5s
EOC
}
conf 0s
"$NETPULSED" --check-config -c "$T/netpulse.yaml" >"$T/check.log" || fail "config rejected"
np() { "$NETPULSE" --db "$T/np.db" "$@"; }
count() { sqlite3 "$T/np.db" "SELECT count(*) FROM links WHERE state = '$1'"; }

start_daemon "$T/netpulse.yaml"
wait_for 60 'test "$(count up)" = 1000' || fail "the 1,000 exporters never all showed up"
pass "1,000 exporters up (first sight: no alert)"

# The FC becomes unreachable: one COLLECTOR alert covers its 1,000 links.
before=$(wc -l <"$T/received.log")
stop_fc a
wait_for 60 'test "$(count stale)" = 1000' || fail "not every link went stale"
wait_outbox_empty "$T/np.db" || fail "alerts stuck in the outbox"
after=$(wc -l <"$T/received.log")
sent=$((after - before))
echo "FC unreachable, 1,000 links: $sent alert(s) received"
tail -n "$sent" "$T/received.log" | cut -c1-160
[ "$sent" -ge 1 ] && [ "$sent" -le 2 ] || fail "$sent alerts for an unreachable FC with 1,000 links, want 1..2"
[ "$(tail -n "$sent" "$T/received.log" | grep -c 'msgid=COLLECTOR')" = 1 ] || fail "no COLLECTOR alert"
tail -n "$sent" "$T/received.log" | grep 'msgid=COLLECTOR' | grep -q '(1000 links observed by it alone)' \
	|| fail "the COLLECTOR alert does not say it leaves 1,000 links unobserved"
[ "$(sqlite3 "$T/np.db" "SELECT count(DISTINCT device) FROM transitions WHERE state = 'stale'")" = 1000 ] \
	|| fail "not every exporter has its stale transition"
[ "$(np status --format json | json_get "sum(1 for l in j['links'] if l['state']=='stale')")" = 1000 ] \
	|| fail "netpulse status does not show 1,000 stale links"
[ "$(count_lines 'fc-a: 1000 links -> stale (covered by its COLLECTOR alert)' "$T/netpulsed.log")" = 1 ] \
	|| fail "the daemon log does not say in one line that the 1,000 links went stale under the COLLECTOR alert"
pass "unreachable FC with 1,000 links: $sent alert(s); status shows all 1,000 stale"

# The FC is back with its 1,000 exporters: one COLLECTOR alert; no IFUP per link.
before=$(wc -l <"$T/received.log")
start_fc a 2222 "$T/host_a"
wait_for 60 'test "$(count up)" = 1000' || fail "the 1,000 exporters did not come back up"
wait_outbox_empty "$T/np.db" || fail "alerts stuck in the outbox"
sent=$(($(wc -l <"$T/received.log") - before))
echo "FC back, 1,000 links stale -> up: $sent alert(s) received"
[ "$sent" = 1 ] || fail "$sent alerts when the FC came back, want 1"
tail -n 1 "$T/received.log" | grep -q 'msgid=COLLECTOR.*state="ok"' || fail "no COLLECTOR recovery alert"
pass "FC back: one COLLECTOR alert, the links' return raised none"

# Healthy FC, 300 exporters gone at once (the FC's file lists 700): one STALE alert.
fc 700
wait_for 60 'test "$(count stale)" = 300' || fail "the 300 vanished exporters never went stale"
wait_outbox_empty "$T/np.db" || fail "alerts stuck in the outbox"
stale_alerts=$(count_lines 'msgid=STALE' "$T/received.log")
links=$(grep 'msgid=STALE' "$T/received.log" | grep -o 'link="' | wc -l)
echo "300 exporters vanished: $stale_alerts STALE alert(s), $links link(s) in their SD"
[ "$stale_alerts" = 1 ] || fail "$stale_alerts STALE alerts for 300 vanished exporters, want 1"
omitted=$(grep 'msgid=STALE' "$T/received.log" | grep -o 'links_omitted="[0-9]*"' | tr -dc 0-9)
echo "  $links named, ${omitted:-0} counted as omitted (the message size limit)"
[ "$links" -ge 1 ] || fail "the STALE summary names no link"
[ $((links + ${omitted:-0})) = 300 ] || fail "the STALE summary accounts for $((links + ${omitted:-0})) links, want 300"
pass "300 exporters vanished: one STALE alert"

# alerts.group_window 3s (SIGHUP): the 1,000 exporters lose NetFlow at once -> one summary.
conf 3s
"$NETPULSED" --check-config -c "$T/netpulse.yaml" >"$T/check.log" || fail "config rejected"
kill -HUP "$DAEMON_PID"
wait_log_count 1 "configuration reloaded" "$T/netpulsed.log" || fail "the daemon did not reload"
before=$(wc -l <"$T/received.log")
fc 1000 0
wait_for 60 'test "$(count down)" = 1000' || fail "the 1,000 exporters never all went down"
held() { sqlite3 "$T/np.db" "SELECT count(*) FROM transitions WHERE alert_id = -1"; }
wait_for 30 'test "$(held)" = 0' || fail "alerts still held after the group window"
wait_outbox_empty "$T/np.db" || fail "alerts stuck in the outbox"
sent=$(($(wc -l <"$T/received.log") - before))
last=$(tail -n "$sent" "$T/received.log")
links=$(echo "$last" | grep -o 'link="' | wc -l)
omitted=$(echo "$last" | grep -o 'links_omitted="[0-9]*"' | tr -dc 0-9)
echo "group_window 3s, 1,000 links DOWN: $sent alert(s), $links named + ${omitted:-0} omitted"
echo "$last" | cut -c1-160
[ "$sent" -ge 1 ] && [ "$sent" -le 2 ] || fail "$sent alerts for 1,000 links down, want 1..2"
[ $((links + ${omitted:-0})) = 1000 ] || fail "the summaries account for $((links + ${omitted:-0})) links, want 1000"
echo "$last" | grep -q 'msgid=IFDOWN.*fc-a: 1000 links DOWN' || fail "no IFDOWN summary \"fc-a: 1000 links DOWN\""
pass "group_window: 1,000 links down -> $sent alert(s)"

# group_window 0s again: the FC fails while its 1,000 exporters are down and comes back with
# them all up (they came back while unobserved): the two COLLECTOR alerts and ONE IFUP summary
# "fc-a: 1000 links UP" for the returns, not 1,000 IFUP.
conf 0s
"$NETPULSED" --check-config -c "$T/netpulse.yaml" >"$T/check.log" || fail "config rejected"
kill -HUP "$DAEMON_PID"
wait_log_count 2 "configuration reloaded" "$T/netpulsed.log" || fail "the daemon did not reload"
before=$(wc -l <"$T/received.log")
stop_fc a
wait_for 60 'test "$(count stale)" = 1000' || fail "not every link went stale"
fc 1000
start_fc a 2222 "$T/host_a"
wait_for 60 'test "$(count up)" = 1000' || fail "the 1,000 exporters did not come back up"
wait_outbox_empty "$T/np.db" || fail "alerts stuck in the outbox"
sent=$(($(wc -l <"$T/received.log") - before))
last=$(tail -n "$sent" "$T/received.log")
links=$(echo "$last" | grep 'msgid=IFUP' | grep -o 'link="' | wc -l || true)
omitted=$(echo "$last" | grep 'msgid=IFUP' | grep -o 'links_omitted="[0-9]*"' | tr -dc 0-9 || true)
echo "FC down and back, 1,000 links down -> stale -> up: $sent alert(s), $links named + ${omitted:-0} omitted"
echo "$last" | cut -c1-160
[ "$sent" = 3 ] || fail "$sent alerts for a failing FC whose 1,000 links came back up, want 3"
[ "$(echo "$last" | grep -c 'msgid=COLLECTOR')" = 2 ] || fail "not 2 COLLECTOR alerts"
echo "$last" | grep -q 'msgid=IFUP.*fc-a: 1000 links UP' || fail "no IFUP summary \"fc-a: 1000 links UP\""
[ $((links + ${omitted:-0})) = 1000 ] || fail "the IFUP summary accounts for $((links + ${omitted:-0})) links, want 1000"
[ "$(sqlite3 "$T/np.db" "SELECT count(*) FROM transitions WHERE state = 'up' AND previous = 'stale' AND alert = 'IFUP' AND alert_id = (SELECT max(id) FROM outbox WHERE msgid = 'IFUP')")" = 1000 ] \
	|| fail "the 1,000 returns do not name the IFUP summary as their alert"
pass "FC down and back with its links changed: $sent alerts (2 COLLECTOR + 1 IFUP summary)"
