#!/usr/bin/env bash
# End to end on this host's interfaces: a namespace with a veth pair, netpulsed polling at 1 s
# inside it, a real rsyslogd as the remote sink. The peer goes down and up: rsyslog must
# receive exactly one IFDOWN and one IFUP with the right MSGID, SD params and outage_seconds,
# and `netpulse downtime --format json` must report the same outage.
source "$(dirname "$0")/lib.sh"
require_root
require_cmd sqlite3 python3
make_netns
make_veth_pair
start_rsyslog

cat >"$T/netpulse.yaml" <<EOC
daemon: { database: $T/np.db, log_level: debug }
sources:
  - { name: ns-host, type: local, interval: 1s, include: ["^npa\$"] }
alerts:
  - { type: syslog, server: "tcp://127.0.0.1:5515", hostname: testhost }
  - { type: syslog, server: "udp://127.0.0.1:5514", hostname: testhost }
EOC
"$NETPULSED" --check-config -c "$T/netpulse.yaml" >"$T/check.log" || fail "config rejected"
start_daemon "$T/netpulse.yaml"
HOST=$(hostname)

np() { "$NETPULSE" --db "$T/np.db" "$@"; }
wait_for 20 'test "$(link_state)" = up' || fail "npa never reported up"
pass "npa is up"

ip -n "$NS" link set npb down
wait_for 20 'test "$(count_lines msgid=IFDOWN "$T/received.log")" -ge 2' || fail "no IFDOWN on both sinks"
pass "IFDOWN received on TCP and UDP"
test "$(link_state)" = down || fail "status does not say down"
# Let the outage last a measurable time: until the daemon stored a poll of ns-host (which
# watches npa alone) 3 s (its clock, whole seconds) after the link went down.
down_since=$(sqlite3 "$T/np.db" "SELECT since FROM links WHERE interface = 'npa' AND state = 'down'")
[ -n "$down_since" ] || fail "no down row for npa in links"
wait_for 30 'test "$(last_poll ns-host)" -ge $((down_since + 3))' || fail "the daemon stopped polling npa"
ip -n "$NS" link set npb up
wait_for 20 'test "$(count_lines msgid=IFUP "$T/received.log")" -ge 2' || fail "no IFUP on both sinks"
pass "IFUP received on TCP and UDP"
# Two more polls, every alert handed to both sinks: nothing else must arrive.
wait_polls ns-host 2 || fail "the daemon stopped polling"
wait_outbox_empty "$T/np.db" || fail "alerts stuck in the outbox"

test "$(count_lines 'msgid=IFDOWN' "$T/received.log")" -eq 2 || fail "IFDOWN count != 2 (one per sink)"
test "$(count_lines 'msgid=IFUP' "$T/received.log")" -eq 2 || fail "IFUP count != 2 (one per sink)"

down=$(grep -m1 'msgid=IFDOWN' "$T/received.log")
echo "$down"
[[ $down == *"app=netpulse"* ]] || fail "APP-NAME is not netpulse"
[[ $down == *"sev=err"* ]] || fail "IFDOWN severity is not err"
[[ $down == *"pri=27"* ]] || fail "IFDOWN PRI is not daemon.err (27)"
[[ $down =~ \[netpulse@32473\ id=\"([0-9]+)\"\ device=\"$HOST\"\ interface=\"npa\"\ state=\"down\"\ previous=\"up\" ]] \
	|| fail "IFDOWN SD element wrong"
down_id=${BASH_REMATCH[1]}
# One id per alert, the same on every sink; the receiver can tell a resend from a repeat.
[ "$(grep -c "msgid=IFDOWN .*id=\"$down_id\"" "$T/received.log")" = 2 ] || fail "IFDOWN id differs between sinks"
[[ $down == *'source="ns-host"'* ]] || fail "IFDOWN source param missing"
up=$(grep -m1 'msgid=IFUP' "$T/received.log")
echo "$up"
[[ $up == *"sev=notice"* ]] || fail "IFUP severity is not notice"
[[ $up == *"state=\"up\" previous=\"down\""* ]] || fail "IFUP SD state wrong"
[[ $up =~ id=\"([0-9]+)\" ]] && [ "${BASH_REMATCH[1]}" != "$down_id" ] || fail "IFUP has no id of its own"
up_id=${BASH_REMATCH[1]}
outage=$(sed -n 's/.*outage_seconds="\([0-9]*\)".*/\1/p' <<<"$up")
[ -n "$outage" ] || fail "IFUP has no outage_seconds"
[ "$outage" -ge 2 ] && [ "$outage" -le 30 ] || fail "outage_seconds=$outage outside 2..30"
pass "IFUP outage_seconds=$outage"

raw=$(grep -m1 ' IFDOWN ' "$T/raw.log")
[[ $raw =~ ^\<27\>1\ [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z\ testhost\ netpulse\ [0-9]+\ IFDOWN\ \[netpulse@32473\  ]] \
	|| fail "raw RFC 5424 header wrong: $raw"
pass "raw frame: ${raw:0:80}..."

expect_downtime 1h interface=npa 1 "$outage" 1

events=$(np events --since 10m --state down --format json)
[ "$(json_get "len([e for e in j['events'] if e['interface']=='npa'])" <<<"$events")" = 1 ] || fail "events --state down"
[ "$(json_get "[e['alert_id'] for e in j['events'] if e['interface']=='npa'][0]" <<<"$events")" = "$down_id" ] \
	|| fail "events does not show the IFDOWN alert's id $down_id"
# Sub-second time: the header carries the alert's own milliseconds, not .000000.
grep -q "IFDOWN \[netpulse@32473 id=\"$down_id\"" "$T/raw.log" || fail "raw IFDOWN missing"
pass "events --since 10m --state down lists the outage"

kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" && rc=0 || rc=$?
[ "$rc" = 0 ] || fail "netpulsed exited $rc on SIGTERM"
pass "clean stop on SIGTERM"
