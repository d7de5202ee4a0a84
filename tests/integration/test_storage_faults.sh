#!/usr/bin/env bash
# Storage faults, end to end. The database sits on a small tmpfs (in a private mount
# namespace) that is filled while netpulsed runs; a veth peer goes down and up meanwhile, and
# traffic crosses the link. A poll writes only what must be written (a link-state transition,
# an alert, a closed 5-minute row, runs.last_alive every 30 s), so the first write that fails
# is the IFDOWN transition's, and every poll after it fails while the transition is held.
# A real rsyslogd must receive exactly one STORAGE alert (sent without the database), and
# after space returns the IFDOWN and IFUP exactly once, with `netpulse downtime` showing the
# outage; after a clean stop the rollups hold exactly the bytes and packets the kernel counted
# on the link (nothing ingested while the disk was full was lost). Then: a page-corrupted
# database makes netpulsed exit 1 with advice and no "started"; a 0-byte database starts with
# a warning.
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
if [ -z "${NP_IN_MOUNTNS:-}" ]; then
	# The tmpfs mount must vanish with the test, whatever happens.
	exec env NP_IN_MOUNTNS=1 unshare -m --propagation private bash "$0" "$@"
fi
source "$(dirname "$0")/lib.sh"
make_netns
make_veth_pair
# Only the test's frames cross the link: no IPv6 (the only protocol that would talk on it).
in_ns sysctl -qw net.ipv6.conf.npa.disable_ipv6=1 net.ipv6.conf.npb.disable_ipv6=1
start_rsyslog
# kernel FIELD: npa's rx counter (bytes|packets) as the kernel reports it.
kernel() { ip -n "$NS" -s -j link show npa | json_get "j[0]['stats64']['rx']['$1']"; }
# frames N: N raw Ethernet frames of 200 bytes out of npb (npa receives them).
frames() {
	in_ns python3 -c '
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("npb", 0))
for _ in range(int(sys.argv[1])):
    s.send(b"\xff" * 6 + b"\x02" * 6 + b"\x88\xb5" + b"x" * 186)' "$1"
}

mkdir "$T/disk"
mount -t tmpfs -o size=8m tmpfs "$T/disk"
CLEANUP+=("umount -l $T/disk")
DB=$T/disk/np.db

cat >"$T/netpulse.yaml" <<EOC
daemon: { database: $DB, log_level: debug }
sources:
  - { name: ns-host, type: local, interval: 1s, include: ["^npa\$"] }
alerts:
  - { type: syslog, server: "tcp://127.0.0.1:5515", hostname: testhost }
EOC
b0=$(kernel bytes) p0=$(kernel packets)
start_daemon "$T/netpulse.yaml"
np() { "$NETPULSE" --db "$DB" "$@"; }
wait_for 20 'test "$(link_state)" = up' || fail "npa never reported up"
pass "npa is up"
frames 100

# Fill the disk: the next transaction that grows the WAL fails with "database or disk is full".
dd if=/dev/zero of="$T/disk/fill" bs=64k >/dev/null 2>&1 || true
# failed_polls: polls whose batch could not be stored.
failed_polls() { count_lines ': ns-host: poll cpu_us=.* stored=0 ' "$T/netpulsed.log"; }
ip -n "$NS" link set npb down
wait_for 20 'grep -q "IFDOWN $(hostname)/npa" "$T/netpulsed.log"' || fail "IFDOWN not logged"
wait_for 20 'grep -q "msgid=STORAGE" "$T/received.log"' || fail "no STORAGE alert"
storage=$(grep -m1 'msgid=STORAGE' "$T/received.log")
echo "$storage"
[[ $storage == *"sev=err"* ]] || fail "STORAGE severity is not err"
[[ $storage == *"msg=database $DB cannot be written: database or disk is full; "* ]] \
	|| fail "STORAGE message wrong"
[[ $storage == *"state=\"failing\" previous=\"ok\""* ]] || fail "STORAGE SD state wrong"
pass "one STORAGE alert while the disk is full"

# An outage of a few polls, all of them failing to write (the held IFDOWN).
wait_log_count 3 ': ns-host: poll cpu_us=.* stored=0 ' "$T/netpulsed.log" || fail "no failing polls"
ip -n "$NS" link set npb up
wait_for 20 'grep -q "IFUP $(hostname)/npa" "$T/netpulsed.log"' || fail "IFUP not logged"
# Traffic read by failing polls: held in memory, in the rollups once space is back.
frames 250
nf=$(failed_polls)
wait_log_count $((nf + 2)) ': ns-host: poll cpu_us=.* stored=0 ' "$T/netpulsed.log" || fail "polls stopped failing with the disk full"
[ "$(count_lines 'msgid=STORAGE' "$T/received.log")" = 1 ] || fail "more than one STORAGE alert"
[ "$(count_lines 'msgid=IF' "$T/received.log")" = 0 ] || fail "an IF* alert was sent before it was stored"

rm -f "$T/disk/fill"
wait_for 20 'test "$(count_lines "msgid=IFUP" "$T/received.log")" -ge 1' || fail "no IFUP after space returned"
wait_for 20 'test "$(count_lines "msgid=STORAGE" "$T/received.log")" -ge 2' || fail "no STORAGE recovery notice"
# Two more stored polls and an empty outbox: whatever the streak left would have arrived.
wait_polls ns-host 2 || fail "no polls stored after space returned"
wait_outbox_empty "$DB" || fail "alerts still queued"
# The whole failing streak, now that it is over: logged once, no per-poll lines.
[ "$(count_lines 'cannot be written' "$T/netpulsed.log")" = 1 ] || fail "the failure was logged more than once"
[ "$(count_lines "IFDOWN $(hostname)/npa" "$T/netpulsed.log")" = 1 ] || fail "IFDOWN logged more than once"
[ "$(count_lines 'storing .* observations' "$T/netpulsed.log")" = 1 ] || fail "per-poll error lines while failing"
pass "one log line for the failing streak, IFDOWN and IFUP logged once each"
[ "$(count_lines 'msgid=IFDOWN' "$T/received.log")" = 1 ] || fail "IFDOWN count != 1"
[ "$(count_lines 'msgid=IFUP' "$T/received.log")" = 1 ] || fail "IFUP count != 1"
[ "$(count_lines 'msgid=STORAGE' "$T/received.log")" = 2 ] || fail "STORAGE count != 2"
notice=$(grep 'msgid=STORAGE' "$T/received.log" | tail -n1)
echo "$notice"
[[ $notice == *"sev=notice"* && $notice == *"msg=database $DB writable again; 2 held transition(s) stored"* ]] \
	|| fail "STORAGE recovery notice wrong"
again=$(grep 'writable again' "$T/netpulsed.log")
echo "$again"
[[ $again =~ writes\ failed\ ([0-9]+)\ time\(s\)\ over\ ([0-9]+)s\;\ 2\ held\ transition\(s\)\ stored ]] \
	|| fail "recovery log line wrong"
[ "${BASH_REMATCH[1]}" -ge 4 ] || fail "only ${BASH_REMATCH[1]} failed writes counted"
pass "space back: IFDOWN, IFUP and the STORAGE notice exactly once (${BASH_REMATCH[1]} failed writes)"

up=$(grep -m1 'msgid=IFUP' "$T/received.log")
outage=$(sed -n 's/.*outage_seconds="\([0-9]*\)".*/\1/p' <<<"$up")
[ -n "$outage" ] && [ "$outage" -ge 2 ] && [ "$outage" -le 30 ] || fail "outage_seconds=$outage outside 2..30"
expect_downtime 1h interface=npa 1 "$outage" 1

frames 50
wait_polls ns-host 2 || fail "the daemon stopped polling"
b1=$(kernel bytes) p1=$(kernel packets)
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" && rc=0 || rc=$?
[ "$rc" = 0 ] || fail "netpulsed exited $rc on SIGTERM"
! grep -q "storing what was held in memory" "$T/netpulsed.log" || fail "the stop could not store what it held"
stored() { sqlite3 "$DB" "SELECT coalesce(sum(r.$1), 0) FROM rollup_5m r JOIN series x ON x.id = r.series WHERE x.interface = 'npa'"; }
[ $((p1 - p0)) = 400 ] || fail "npa received $((p1 - p0)) packets, the test sent 400"
[ "$(stored rx_packets)" = $((p1 - p0)) ] || fail "stored $(stored rx_packets) rx packets, kernel counted $((p1 - p0))"
[ "$(stored rx_bytes)" = $((b1 - b0)) ] || fail "stored $(stored rx_bytes) rx bytes, kernel counted $((b1 - b0))"
pass "rollups after the stop: exactly the $((p1 - p0)) packets / $((b1 - b0)) bytes the kernel counted, disk-full streak included"

# A page-corrupted database: refused before "started", with what to do.
BAD=$T/bad.db
cp "$DB" "$BAD"
root=$(sqlite3 "$BAD" "SELECT rootpage FROM sqlite_schema WHERE name = 'series'")
[ "$root" -gt 1 ] || fail "no series root page"
head -c 4096 /dev/zero | tr '\0' '\245' | dd of="$BAD" bs=4096 seek=$((root - 1)) conv=notrunc status=none
sed "s|database: $DB|database: $BAD|" "$T/netpulse.yaml" >"$T/bad.yaml"
"$NETPULSED" --foreground -c "$T/bad.yaml" >"$T/bad.log" 2>&1 && rc=0 || rc=$?
cat "$T/bad.log"
[ "$rc" = 1 ] || fail "netpulsed exited $rc on a corrupt database"
grep -q "error: database $BAD is corrupt (quick_check: Page $root: .*): with netpulsed stopped, move it aside" \
	"$T/bad.log" || fail "no one-line corruption message"
grep -q "sqlite3 $BAD .recover" "$T/bad.log" || fail "no advice in the message"
! grep -q started "$T/bad.log" || fail "netpulsed said started"
"$NETPULSE" --db "$BAD" db check >"$T/check.log" 2>&1 && rc=0 || rc=$?
cat "$T/check.log"
[ "$rc" = 1 ] || fail "db check exited $rc on a corrupt database"
grep -q "database $BAD is corrupt (quick_check: " "$T/check.log" || fail "db check message differs"
pass "corrupt database refused with advice; db check says the same"

# A 0-byte database (pre-created by an admin, or truncated): a new one, with a warning.
EMPTY=$T/empty.db
: >"$EMPTY"
sed "s|database: $DB|database: $EMPTY|" "$T/netpulse.yaml" >"$T/empty.yaml"
ip netns exec "$NS" "$NETPULSED" --once -c "$T/empty.yaml" >"$T/empty.log" 2>&1 || fail "--once on an empty file failed"
grep -q "database $EMPTY was empty (0 bytes): starting a new database" "$T/empty.log" || fail "no warning"
grep -q started "$T/empty.log" || fail "not started"
[ "$("$NETPULSE" --db "$EMPTY" db check)" = ok ] || fail "new database does not check ok"
pass "0-byte database starts fresh with a warning"
