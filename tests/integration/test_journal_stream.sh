#!/usr/bin/env bash
# Under systemd (JOURNAL_STREAM names the stream stderr is connected to), every daemon log line
# on stderr starts with the sd-daemon "<N>" priority prefix, so `journalctl -p err` finds the
# errors, and carries no timestamp of its own (issue #10). JOURNAL_STREAM is "DEV:INODE" of
# that stream: here, of the file the daemon's stderr is redirected to. Without the variable,
# or with one naming another file (a child that inherited it but not the stream), no prefix
# and the daemon's own timestamp.
source "$(dirname "$0")/lib.sh"
require_root
require_cmd python3
make_netns
make_veth_pair

cat >"$T/netpulse.yaml" <<EOC
daemon: { database: $T/np.db, log_level: debug }
sources:
  - { name: ns-host, type: local, interval: 1s, include: ["^npa\$"] }
alerts:
  - { type: syslog, socket: "$T/nobody.sock" }
EOC
LOG=$T/netpulsed.log
touch "$LOG"
stream() { stat -c '%d:%i' "$1"; }

# 1. A daemon whose stderr is "the journal": error (IFDOWN), warning (the sink has no logger),
#    notice (IFUP), info and debug lines.
DAEMON_ENV=(JOURNAL_STREAM="$(stream "$LOG")")
start_daemon "$T/netpulse.yaml"
wait_for 20 'test "$(link_state)" = up' || fail "npa never reported up"
ip -n "$NS" link set npb down
wait_for 20 'test "$(link_state)" = down' || fail "npa never reported down"
ip -n "$NS" link set npb up
wait_for 20 'test "$(link_state)" = up' || fail "npa never came back up"
wait_log_count 1 'netpulsed: notice: IFUP ' "$LOG" || fail "no IFUP line"
wait_log_count 1 'netpulsed: warning: alert sink ' "$LOG" || fail "no warning about the sink"
kill "$DAEMON_PID"
wait "$DAEMON_PID" || fail "netpulsed exited $? on SIGTERM"
cat "$LOG"
for lv in 3:error 4:warning 5:notice 6:info 7:debug; do
	n=${lv%%:*} name=${lv#*:}
	have=$(grep -c "netpulsed: $name: " "$LOG" || true)
	good=$(grep -c "^<$n>netpulsed: $name: " "$LOG" || true)
	[ "$have" -ge 1 ] || fail "no $name line to check"
	[ "$have" = "$good" ] || fail "$((have - good)) $name line(s) without the <$n> prefix"
done
bad=$(grep -vc '^<[0-7]>netpulsed: ' "$LOG" || true)
[ "$bad" = 0 ] || fail "$bad line(s) without a priority prefix: $(grep -v '^<[0-7]>netpulsed: ' "$LOG" | head -n 3)"
pass "journal stream: every line has its <N> prefix, no timestamp"

# 2. A configuration error, reported before logging is configured, is an error too.
printf 'sources: [\n' >"$T/bad.yaml"
: >"$T/bad.log"
rc=0
JOURNAL_STREAM=$(stream "$T/bad.log") "$NETPULSED" --foreground -c "$T/bad.yaml" 2>>"$T/bad.log" || rc=$?
cat "$T/bad.log"
[ $rc = 1 ] || fail "a broken config exited $rc"
grep -q '^<3>.*bad.yaml' "$T/bad.log" || fail "the config error has no <3> prefix"
pass "journal stream: a config error is <3>"

# 3. No JOURNAL_STREAM, and one naming another file: plain, timestamped lines.
for case in unset other; do
	: >"$T/once-$case.log"
	env=(env -u JOURNAL_STREAM)
	[ $case = unset ] || env=(env JOURNAL_STREAM="$(stream "$T/bad.yaml")")
	ip netns exec "$NS" "${env[@]}" "$NETPULSED" --once -v -c "$T/netpulse.yaml" 2>>"$T/once-$case.log" \
		|| fail "--once failed ($case)"
	grep -q 'netpulsed: info: ' "$T/once-$case.log" || fail "no info line ($case)"
	bad=$(grep -vEc '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z netpulsed: ' "$T/once-$case.log" || true)
	[ "$bad" = 0 ] || fail "$case: line(s) without a timestamp: $(head -n 3 "$T/once-$case.log")"
	pass "JOURNAL_STREAM $case: no prefix, timestamped"
done
