#!/usr/bin/env bash
# Wall-clock steps on the real daemon: netpulsed runs under libfaketime, which steps only its
# wall clock (CLOCK_REALTIME) while CLOCK_MONOTONIC runs true, in a namespace with a veth pair,
# polling at 1 s, a real rsyslogd as the sink (README "Restarts, clocks, disks and memory").
#  1. The wall clock steps back an hour during an outage: one IFDOWN, one IFUP whose
#     outage_seconds is the real outage (not ~3600, not negative), no STALE, and
#     `netpulse downtime` shows the outage with that length although its end is dated an hour
#     before its start.
#  2. The wall clock steps forward an hour (back to true time) while the link is up and idle:
#     no STALE; an outage after it is one IFDOWN/IFUP pair with the right outage_seconds.
# Across each step the daemon keeps polling at its rate (no stall after the step back).
source "$(dirname "$0")/lib.sh"
require_root
require_cmd sqlite3 python3
FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
[ -f "$FAKETIME_LIB" ] || skip "needs libfaketime ($FAKETIME_LIB)"
make_netns
make_veth_pair
start_rsyslog

cat >"$T/netpulse.yaml" <<EOC
daemon: { database: $T/np.db, log_level: debug }
sources:
  - { name: ns-host, type: local, interval: 1s, include: ["^npa\$"] }
alerts:
  - { type: syslog, server: "tcp://127.0.0.1:5515", hostname: testhost }
EOC
"$NETPULSED" --check-config -c "$T/netpulse.yaml" >"$T/check.log" || fail "config rejected"

# The offset file is re-read on every clock call (NO_CACHE); it is relative to the true time.
# The ASan build links its runtime statically, so libfaketime can be the only preload.
echo "+0" >"$T/offset"
DAEMON_ENV=(LD_PRELOAD="$FAKETIME_LIB" FAKETIME_TIMESTAMP_FILE="$T/offset"
	FAKETIME_DONT_FAKE_MONOTONIC=1 FAKETIME_NO_CACHE=1)
if ldd "$NETPULSED" | grep -q 'libclang_rt.asan\|libasan'; then
	# A dynamically linked ASan runtime must come first in the library list.
	asan_rt=$(ldd "$NETPULSED" | awk '/libclang_rt.asan|libasan/ { print $3; exit }')
	DAEMON_ENV[0]="LD_PRELOAD=$asan_rt $FAKETIME_LIB"
fi
start_daemon "$T/netpulse.yaml"

np() { "$NETPULSE" --db "$T/np.db" "$@"; }
q() { sqlite3 "$T/np.db" "$1"; }
count_msgid() { count_lines "msgid=$1 " "$T/received.log"; }
# Polls go on at 1 s: 3 more stored polls within 15 s (a stall until the wall clock catches
# up with the step back would take an hour).
keeps_polling() { wait_polls ns-host 3 15 || fail "polling stalled $1"; }

wait_for 20 'test "$(link_state)" = up' || fail "npa never reported up"
pass "npa is up"

# ---- 1. step back an hour during an outage
ip -n "$NS" link set npb down
wait_log_count 1 'msgid=IFDOWN ' "$T/received.log" 20 || fail "no IFDOWN"
pass "IFDOWN received"
down_time=$(q "SELECT time FROM transitions WHERE interface = 'npa' AND state = 'down'")
[ -n "$down_time" ] || fail "no down transition stored"

echo "-1h" >"$T/offset"
# The step is in effect once a poll is stored with the daemon's wall clock (its log's at=)
# about an hour before the true time.
wait_for 20 'test "$(last_poll ns-host)" -gt 0 && test "$(last_poll ns-host)" -le $(($(date +%s) - 3000))' \
	|| fail "the daemon's wall clock did not step back (libfaketime not in effect?)"
pass "the daemon's wall clock stepped back 1h"
keeps_polling "after the step back"
pass "polling goes on after the step back"
# The outage lasts a few more polls (real time), then ends.
wait_polls ns-host 2 || fail "the daemon stopped polling"
ip -n "$NS" link set npb up
wait_log_count 1 'msgid=IFUP ' "$T/received.log" 20 || fail "no IFUP"
true_outage_end=$(date +%s)
wait_polls ns-host 2 || fail "the daemon stopped polling"
wait_outbox_empty "$T/np.db" || fail "alerts stuck in the outbox"

[ "$(count_msgid IFDOWN)" = 1 ] || fail "IFDOWN count $(count_msgid IFDOWN) != 1"
[ "$(count_msgid IFUP)" = 1 ] || fail "IFUP count $(count_msgid IFUP) != 1"
[ "$(count_msgid STALE)" = 0 ] || fail "STALE raised after the step back"
up=$(grep -m1 'msgid=IFUP ' "$T/received.log")
echo "$up"
outage=$(sed -n 's/.*outage_seconds="\([0-9]*\)".*/\1/p' <<<"$up")
[ -n "$outage" ] || fail "IFUP has no (non-negative) outage_seconds: $up"
# The outage cannot have lasted longer than from the IFDOWN's date to when the IFUP arrived
# (true time), nor less than the 4 polls waited for.
max_outage=$((true_outage_end - down_time + 1))
[ "$outage" -ge 3 ] && [ "$outage" -le "$max_outage" ] \
	|| fail "outage_seconds=$outage outside 3..$max_outage"
pass "IFUP outage_seconds=$outage (true outage, not ~3600)"
up_time=$(q "SELECT time FROM transitions WHERE interface = 'npa' AND state = 'up' AND previous = 'down'")
[ "$(q "SELECT outage_seconds FROM transitions WHERE interface = 'npa' AND state = 'up'
	AND previous = 'down'")" = "$outage" ] || fail "stored transition outage_seconds differs"
# Dated with the stepped wall clock: the IFUP an hour (less the outage) before the IFDOWN.
[ $((down_time - up_time)) -ge $((3600 - outage - 1)) ] && [ $((down_time - up_time)) -le $((3600 - outage + 1)) ] \
	|| fail "IFUP dated $up_time, IFDOWN $down_time: not an hour back"
pass "IFUP dated an hour back (down $down_time, up $up_time)"

# The CLI runs on the true clock; 2h up to now covers both dates.
expect_downtime 2h interface=npa 1 "$outage" 1

# ---- 2. step forward an hour (back to the true time), link up and idle
polls_before=$(poll_count ns-host)
echo "+0" >"$T/offset"
wait_for 20 'test "$(last_poll ns-host)" -ge $(($(date +%s) - 60))' \
	|| fail "the daemon's wall clock did not step forward"
pass "the daemon's wall clock stepped forward 1h"
# Well past stale_after (3 s) on the stepped clock: STALE would be raised by now.
keeps_polling "after the step forward"
keeps_polling "after the step forward"
wait_outbox_empty "$T/np.db" || fail "alerts stuck in the outbox"
[ "$(count_msgid STALE)" = 0 ] || fail "STALE raised after the step forward"
[ "$(np events --since 3h --format json | json_get "len([e for e in j['events'] if e['state']=='stale'])")" = 0 ] \
	|| fail "netpulse events lists a stale transition"
[ "$(q "SELECT count(*) FROM transitions WHERE state = 'stale'")" = 0 ] || fail "stale transition stored"
[ "$(q "SELECT count(*) FROM outbox WHERE msgid = 'STALE'")" = 0 ] || fail "STALE in the outbox"
[ "$(link_state)" = up ] || fail "npa not up after the step forward"
[ $(($(poll_count ns-host) - polls_before)) -ge 6 ] || fail "polls missing"
pass "no STALE after the step forward; npa still up"

ip -n "$NS" link set npb down
wait_log_count 2 'msgid=IFDOWN ' "$T/received.log" 20 || fail "no second IFDOWN"
down2_time=$(q "SELECT max(time) FROM transitions WHERE interface = 'npa' AND state = 'down'")
wait_polls ns-host 4 || fail "the daemon stopped polling"
ip -n "$NS" link set npb up
wait_log_count 2 'msgid=IFUP ' "$T/received.log" 20 || fail "no second IFUP"
true_outage2_end=$(date +%s)
wait_polls ns-host 2 || fail "the daemon stopped polling"
wait_outbox_empty "$T/np.db" || fail "alerts stuck in the outbox"
[ "$(count_msgid IFDOWN)" = 2 ] || fail "IFDOWN count $(count_msgid IFDOWN) != 2"
[ "$(count_msgid IFUP)" = 2 ] || fail "IFUP count $(count_msgid IFUP) != 2"
[ "$(count_msgid STALE)" = 0 ] || fail "STALE raised"
up2=$(grep 'msgid=IFUP ' "$T/received.log" | tail -n 1)
echo "$up2"
outage2=$(sed -n 's/.*outage_seconds="\([0-9]*\)".*/\1/p' <<<"$up2")
[ -n "$outage2" ] || fail "second IFUP has no outage_seconds"
max2=$((true_outage2_end - down2_time + 1))
[ "$outage2" -ge 3 ] && [ "$outage2" -le "$max2" ] || fail "outage_seconds=$outage2 outside 3..$max2"
up2_time=$(q "SELECT max(time) FROM transitions WHERE interface = 'npa' AND state = 'up'")
[ $((up2_time - down2_time)) -ge $((outage2 - 1)) ] && [ $((up2_time - down2_time)) -le $((outage2 + 1)) ] \
	|| fail "second outage dated $down2_time..$up2_time, outage_seconds $outage2"
pass "second IFUP outage_seconds=$outage2"

expect_downtime 2h interface=npa 2 "$((outage + outage2))" 2

kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" && rc=0 || rc=$?
[ "$rc" = 0 ] || fail "netpulsed exited $rc on SIGTERM"
pass "clean stop on SIGTERM"
