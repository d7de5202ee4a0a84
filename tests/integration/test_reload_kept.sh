#!/usr/bin/env bash
# Issue 12, item 1: a source kept across SIGHUP must not point into the configuration the
# reload frees. netpulsed runs under valgrind (or, if $NETPULSED is an ASan build, under ASan)
# with two sources that set every path they can: a `local` source reading a fake
# proc_path / sys_path tree (netlink: false, so both are read on every poll) and a
# `stealthwatch` source with `path:` against a real sshd. Then:
#   1. SIGHUP with the file unchanged, two more polls of each source;
#   2. SIGHUP with an unrelated key changed (storage retention), two more polls of each;
#   3. stop; valgrind (exit code 99) or ASan must report no invalid access, and both sources
#      must have kept polling successfully (stored polls, no poll failure in the log).
# Polls are counted in the daemon's debug log (-v): one "SOURCE: poll ... stored=1" line per
# poll whose batch the pipeline took (poll_count, lib.sh).
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
[ -x /usr/sbin/sshd ] || { echo "SKIP: needs /usr/sbin/sshd"; exit 77; }
source "$(dirname "$0")/lib.sh"
: "${NP_FIXTURES:=$(dirname "$0")/../fixtures}"
command -v sqlite3 >/dev/null || { echo "SKIP: needs sqlite3"; exit 77; }
if grep -q __asan_init "$NETPULSED"; then
	MODE=asan
else
	command -v valgrind >/dev/null || { echo "SKIP: needs valgrind (or an ASan netpulsed)"; exit 77; }
	MODE=valgrind
fi
make_netns
mkdir -p /run/sshd && chmod 755 /run/sshd

# ---- the Flow Collector: one real sshd (start_fc, lib.sh) ----
ssh-keygen -q -t ed25519 -N '' -f "$T/host" -C fc
ssh-keygen -q -t ed25519 -N '' -f "$T/client" -C netpulse
cp "$T/client.pub" "$T/authorized_keys"
echo "[127.0.0.1]:2222 $(cut -d' ' -f1,2 "$T/host.pub")" >"$T/known_hosts"
start_fc rk 2222 "$T/host"
cp "$NP_FIXTURES/fc_device_stats/exporter_device_stats_example.txt" "$T/fc.txt"

# ---- the local source's fake /proc/net/dev and /sys/class/net ----
cp "$NP_FIXTURES/network_monitor/synthetic/proc_net_dev_t0.txt" "$T/net_dev"
for i in lo:1 eth0:2 docker0:3 wlan0:4; do
	d="$T/class_net/${i%%:*}"
	mkdir -p "$d"
	echo "${i##*:}" >"$d/ifindex"
	echo up >"$d/operstate"
	echo 1 >"$d/carrier"
	echo 0 >"$d/carrier_changes"
done

# conf RETENTION: the whole file; only storage.retention.rollup_5m differs between versions.
conf() {
	cat <<EOC
daemon: { database: $T/np.db, log_level: debug }
storage: { retention: { rollup_5m: $1 } }
sources:
  - name: host-local
    type: local
    netlink: false
    proc_path: $T/net_dev
    sys_path: $T/class_net
    include: ['^eth', '^wlan']
    exclude: ['^docker']
    interval: 1s
    timeout: 20s
  - name: fc-one
    type: stealthwatch
    host: 127.0.0.1
    port: 2222
    user: root
    identity_file: $T/client
    known_hosts: $T/known_hosts
    path: $T/fc.txt
    max_file_size: 1048576
    interval: 1s
    timeout: 20s
EOC
}
conf 14d >"$T/netpulse.yaml"
"$NETPULSED" --check-config -c "$T/netpulse.yaml" >"$T/check.log" 2>&1 || fail "config rejected"

# ---- netpulsed under the memory checker ----
if [ $MODE = valgrind ]; then
	ip netns exec "$NS" valgrind --error-exitcode=99 --leak-check=no --track-origins=yes \
		--log-file="$T/valgrind.log" "$NETPULSED" --foreground -v -c "$T/netpulse.yaml" \
		>>"$T/netpulsed.log" 2>&1 &
else
	ip netns exec "$NS" env ASAN_OPTIONS=detect_leaks=0:abort_on_error=0:exitcode=99 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		"$NETPULSED" --foreground -v -c "$T/netpulse.yaml" >>"$T/netpulsed.log" 2>&1 &
fi
DAEMON_PID=$!
CLEANUP+=("kill $DAEMON_PID 2>/dev/null; wait $DAEMON_PID 2>/dev/null")

reloads() { count_lines "configuration reloaded" "$T/netpulsed.log"; }

# Both sources polled successfully at least twice before any reload (valgrind is slow).
wait_for 90 'test "$(poll_count fc-one)" -ge 2 && test "$(poll_count host-local)" -ge 2' ||
	fail "the sources never polled (see netpulsed.log, sshd_rk.log)"
pass "both sources poll ($MODE)"

# hup_and_two_polls N: SIGHUP, wait for reload N, then for two more stored polls of each
# source (the second began after the first ended, so after the reload: polls of a source do
# not overlap).
hup_and_two_polls() {
	kill -HUP $DAEMON_PID
	wait_for 60 "test \$(reloads) -ge $1" || fail "reload $1 not logged"
	local fc hl
	fc=$(poll_count fc-one) hl=$(poll_count host-local)
	wait_for 90 "test \$(poll_count fc-one) -ge $((fc + 2)) && test \$(poll_count host-local) -ge $((hl + 2))" ||
		fail "no two polls after reload $1 (fc-one $(($(poll_count fc-one) - fc)), host-local $(($(poll_count host-local) - hl)))"
	kill -0 $DAEMON_PID 2>/dev/null || fail "netpulsed died after reload $1"
}
hup_and_two_polls 1
pass "SIGHUP with the same file: both sources kept polling"
conf 15d >"$T/netpulse.yaml"
hup_and_two_polls 2
pass "SIGHUP with an unrelated key changed: both sources kept polling"

# The sources were kept (not re-created): one SSH connection for the whole run.
test "$(count_lines 'Accepted publickey' "$T/sshd_rk.log")" = 1 ||
	fail "the kept stealthwatch source reconnected ($(count_lines 'Accepted publickey' "$T/sshd_rk.log") logins)"
grep -q "poll failed" "$T/netpulsed.log" && fail "a poll failed: $(grep -m1 'poll failed' "$T/netpulsed.log")"
grep -q ": poll cpu_us=.* stored=0 " "$T/netpulsed.log" && fail "a poll was not stored: $(grep -m1 ' stored=0 ' "$T/netpulsed.log")"

kill -TERM $DAEMON_PID
rc=0
wait $DAEMON_PID || rc=$?
if [ $MODE = valgrind ]; then
	grep -q "ERROR SUMMARY: 0 errors" "$T/valgrind.log" ||
		{ grep -m5 -A12 "Invalid\|uninitialised" "$T/valgrind.log"; fail "valgrind found errors (rc $rc)"; }
else
	grep -q "AddressSanitizer\|runtime error" "$T/netpulsed.log" &&
		{ grep -m1 -A20 "AddressSanitizer\|runtime error" "$T/netpulsed.log"; fail "ASan/UBSan report (rc $rc)"; }
fi
test $rc = 0 || fail "netpulsed exited $rc"
pass "no invalid memory access across two reloads ($MODE), clean exit"
