#!/bin/bash
# systemd/netpulsed.service: `systemd-analyze verify` must be silent (it only warns on unknown
# keys, so any output is a failure), the offline security exposure must be <= 1.5, and the
# daemon must keep the contract the unit relies on (Type=notify, WatchdogSec=, ExecReload=HUP)
# when run the way the unit runs it: unprivileged, no capabilities, read-only /, only the state
# directory writable, /proc mounted with subset=pid, the unit's UMask= and StateDirectoryMode=.
# Under those, a member of the daemon's group (not root, not the daemon's user) reads the
# database with the CLI while the daemon writes it and after it stopped; anyone else cannot.
set -u

SRC=${NP_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
UNIT=$SRC/systemd/netpulsed.service
NETPULSED=${NETPULSED:-${NP_BUILD:-$SRC/build}/netpulsed}
NETPULSE=${NETPULSE:-$(dirname "$NETPULSED")/netpulse}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
MAX_EXPOSURE=1.5

fails=0
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}
ok() { echo "ok: $*"; }

T=$(mktemp -d /tmp/np-systemd.XXXXXX)
RECV_PID=
DAEMON_PID=
cleanup() {
	[ -n "$DAEMON_PID" ] && kill -KILL "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null
	[ -n "$RECV_PID" ] && kill -TERM "$RECV_PID" 2>/dev/null && wait "$RECV_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

# The sandbox part needs root (namespaces, mounts, setpriv): skipped, not passed, without.
[ "$(id -u)" = 0 ] || {
	echo "SKIP: needs root"
	exit 77
}
command -v systemd-analyze >/dev/null || {
	echo "FAIL: systemd-analyze not installed (apt-get install systemd)"
	exit 1
}
[ -f "$UNIT" ] || {
	echo "FAIL: $UNIT missing"
	exit 1
}
[ -x "$NETPULSED" ] || {
	echo "FAIL: daemon binary $NETPULSED not built"
	exit 1
}

# --- 1. the settings the daemon and the docs depend on, exactly once each ---------------------
expect_line() {
	local n
	n=$(grep -cxF -- "$1" "$UNIT")
	[ "$n" = 1 ] && ok "unit has '$1'" || fail "unit has '$1' $n times, want 1"
}
expect_line "Type=notify"
expect_line "NotifyAccess=main"
expect_line "ExecStart=/usr/sbin/netpulsed --foreground -c /etc/netpulse/netpulse.yaml"
expect_line 'ExecReload=/bin/kill -HUP $MAINPID'
expect_line "Restart=on-failure"
expect_line "User=netpulse"
expect_line "Group=netpulse"
expect_line "StateDirectory=netpulse"
# A DynamicUser's state lives under /var/lib/private (0700 root): no group could reach it.
grep -q '^DynamicUser=' "$UNIT" && fail "unit sets DynamicUser=: the netpulse group cannot read /var/lib/private"
# The group reads the directory and the files the daemon creates in it, nobody else does.
expect_line "StateDirectoryMode=0750"
expect_line "UMask=0027"
expect_line "ProcSubset=pid"
expect_line "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK"
wd=$(sed -n 's/^WatchdogSec=//p' "$UNIT")
[[ "$wd" =~ ^[0-9]+s$ ]] && ok "WatchdogSec=$wd" || fail "WatchdogSec missing or not in seconds: '$wd'"

# --- 2. systemd-analyze verify on a copy that runs the built binary ---------------------------
mkdir -p "$T/verify"
sed "s#^ExecStart=/usr/sbin/netpulsed #ExecStart=$NETPULSED #" "$UNIT" >"$T/verify/netpulsed.service"
grep -q "^ExecStart=$NETPULSED " "$T/verify/netpulsed.service" || fail "ExecStart rewrite failed"
systemd-analyze verify --man=no "$T/verify/netpulsed.service" >"$T/verify.out" 2>&1
rc=$?
if [ $rc = 0 ] && [ ! -s "$T/verify.out" ]; then
	ok "verify --man=no: silent"
else
	fail "verify --man=no rc=$rc output:"
	cat "$T/verify.out"
fi

# Documentation=man:... must name pages we ship: verify again with MANPATH on our pages.
if command -v man >/dev/null; then
	mkdir -p "$T/man/man1" "$T/man/man5" "$T/man/man8"
	cp "$SRC/daemon/netpulsed.8" "$T/man/man8/"
	cp "$SRC/daemon/netpulse.1" "$T/man/man1/"
	cp "$SRC/daemon/netpulsed.yaml.5" "$T/man/man5/"
	MANPATH="$T/man" systemd-analyze verify "$T/verify/netpulsed.service" >"$T/verify-man.out" 2>&1
	rc=$?
	if [ $rc = 0 ] && [ ! -s "$T/verify-man.out" ]; then
		ok "verify with man pages: silent"
	else
		fail "verify with MANPATH=our pages rc=$rc output:"
		cat "$T/verify-man.out"
	fi
else
	echo "note: man not installed, Documentation= not checked"
fi

# --- 3. exposure score ---------------------------------------------------------------------------
systemd-analyze security --offline=true --no-pager "$UNIT" >"$T/security.out" 2>&1
score=$(sed -n 's/.*Overall exposure level for netpulsed\.service: \([0-9.]*\).*/\1/p' "$T/security.out")
if [ -z "$score" ]; then
	fail "no exposure score in security output:"
	cat "$T/security.out"
else
	echo "systemd-analyze security exposure: $score (limit $MAX_EXPOSURE)"
	if awk -v s="$score" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(s <= m) }'; then
		ok "exposure $score <= $MAX_EXPOSURE"
	else
		fail "exposure $score > $MAX_EXPOSURE"
		grep -E '^✗' "$T/security.out"
	fi
fi
# --threshold is on a 0-100 scale (score x 10); it must agree with the parsed score.
thr=$(awk -v m="$MAX_EXPOSURE" 'BEGIN { printf "%d", m * 10 }')
systemd-analyze security --offline=true --no-pager --threshold="$thr" "$UNIT" >/dev/null 2>&1 &&
	ok "security --threshold=$thr passes" || fail "security --threshold=$thr fails"

# --- 4. the notify/watchdog/reload contract, under an approximation of the sandbox -------------
# Unprivileged uid, no capabilities, no_new_privs, own mount+net namespace, / read-only except
# the state directory, /proc with subset=pid, fresh sysfs for the namespace, the unit's UMask=
# and StateDirectoryMode=. (Seccomp and the rest of the unit's settings need a real systemd and
# are not emulated.) Numeric ids, no passwd entries needed: the daemon's user and group, a
# member of that group, and an outsider.
UID_RUN=64151
GID_RUN=64151
UID_MEMBER=64152
UID_OTHER=64153
UMASK=$(sed -n 's/^UMask=//p' "$UNIT")
STATE_MODE=$(sed -n 's/^StateDirectoryMode=//p' "$UNIT")
mkdir -p "$T/state" "$T/etc" "$T/bin"
# The unprivileged processes run their own copies: the build tree may sit under a directory
# they cannot enter (a clone in root's home or in a mktemp -d).
install -m 755 "$NETPULSED" "$T/bin/netpulsed"
install -m 755 "$NETPULSE" "$T/bin/netpulse"
chown "$UID_RUN:$GID_RUN" "$T/state"
chmod "${STATE_MODE:-0755}" "$T/state"
chmod 755 "$T"
# A secret the daemon reads and the group does not: a stand-in for LoadCredential='s
# /run/credentials/netpulsed.service (0700, the service's user), named as
# ${CREDENTIALS_DIRECTORY}/smtp, which the daemon (given the variable) expands.
mkdir -m 0700 "$T/cred"
echo smtp-secret >"$T/cred/smtp"
chmod 0600 "$T/cred/smtp"
chown -R "$UID_RUN:$GID_RUN" "$T/cred"
cat >"$T/etc/netpulse.yaml" <<EOF
daemon:
  database: $T/state/netpulse.db
  log: stderr
  log_level: debug
mail: { server: "smtp://127.0.0.1:2525", from: netpulse@example.net, user: netpulse,
        password_file: "\${CREDENTIALS_DIRECTORY}/smtp" }
sources:
  - name: this-host
    type: local
    interval: 1s
EOF
chmod 644 "$T/etc/netpulse.yaml"

# Logs each message line, and the sender's pid (SO_PASSCRED) to notify.pids: NotifyAccess=main
# accepts only messages from the main process.
"$PY" - "$T/notify.sock" "$T/notify.log" "$T/notify.pids" <<'EOF' &
import os, socket, struct, sys
path, log, pids = sys.argv[1:4]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
s.bind(path)
os.chmod(path, 0o666)
with open(log, "w") as f, open(pids, "w") as p:
    while True:
        msg, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(12))
        for level, kind, data in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                p.write("%d\n" % struct.unpack("iII", data[:12])[0])
        for line in msg.decode("utf-8", "replace").split("\n"):
            if line:
                f.write(line + "\n")
        p.flush()
        f.flush()
EOF
RECV_PID=$!
for _ in $(seq 1 100); do [ -S "$T/notify.sock" ] && break; sleep 0.05; done
[ -S "$T/notify.sock" ] || fail "notify receiver did not start"

# Waits (up to ~20 s) until the notify log has at least $2 lines equal to $1.
wait_msg() {
	local i n
	for i in $(seq 1 200); do
		n=$(grep -cxF -- "$1" "$T/notify.log" 2>/dev/null)
		[ "${n:-0}" -ge "$2" ] && return 0
		kill -0 "$DAEMON_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# A veth pair in the daemon's namespace: np1 is set down and up below, so the daemon writes
# transitions while the group member reads.
NOTIFY_SOCKET="$T/notify.sock" WATCHDOG_USEC=2000000 CREDENTIALS_DIRECTORY="$T/cred" \
	unshare -m -n sh -c '
		set -e
		mount --bind "$1/state" "$1/state"
		mount -o remount,bind,ro /
		mount -t proc -o subset=pid,hidepid=invisible proc /proc
		mount -t sysfs sysfs /sys
		ip link add np0 type veth peer name np1
		ip link set np0 up
		ip link set np1 up
		umask "$2"
		shift 2
		exec setpriv --reuid='$UID_RUN' --regid='$GID_RUN' --clear-groups --no-new-privs \
			--inh-caps=-all --bounding-set=-all "$@"' \
	sandbox "$T" "${UMASK:-0022}" "$T/bin/netpulsed" --foreground -c "$T/etc/netpulse.yaml" >"$T/daemon.log" 2>&1 &
DAEMON_PID=$!
MAIN_PID=$DAEMON_PID # unshare, sh and setpriv exec each other: the daemon keeps this pid

if wait_msg "READY=1" 1; then ok "READY=1 received"; else fail "no READY=1"; fi
if wait_msg "WATCHDOG=1" 2; then ok "WATCHDOG=1 received repeatedly"; else fail "no repeated WATCHDOG=1 with WATCHDOG_USEC=2s"; fi
[ -f "$T/state/netpulse.db" ] && ok "database created in the state directory" || fail "no $T/state/netpulse.db"
# The local source works inside the sandbox: the CLI (root, read-only, while the daemon runs)
# lists the namespace's only interface.
seen=0
for _ in $(seq 1 100); do
	if "$NETPULSE" -c "$T/etc/netpulse.yaml" --format json status >"$T/status.json" 2>"$T/status.err" &&
		"$PY" -c 'import json,sys; sys.exit(0 if any(l.get("interface") == "lo" for l in json.load(sys.stdin)["links"]) else 1)' \
			<"$T/status.json" 2>/dev/null; then
		seen=1
		break
	fi
	sleep 0.2
done
[ $seen = 1 ] && ok "netpulse status lists lo, polled inside the sandbox" ||
	fail "netpulse status does not list lo: $(head -c 400 "$T/status.json" "$T/status.err")"

# --- 5. the netpulse group reads the database, while the daemon writes it ----------------------
# as_member/as_other CMD...: runs CMD as a non-root member of the daemon's group / an outsider.
as_member() { setpriv --reuid=$UID_MEMBER --regid=$UID_MEMBER --groups=$GID_RUN "$@"; }
as_other() { setpriv --reuid=$UID_OTHER --regid=$UID_OTHER --clear-groups "$@"; }
DB=$T/state/netpulse.db
mode=$(stat -c %a "$DB" 2>/dev/null)
[ "$mode" = 640 ] && ok "database mode 640 (UMask=$UMASK)" || fail "database mode '$mode', want 640"
as_member "$T/bin/netpulse" --db "$DB" status >"$T/member.out" 2>&1 &&
	ok "group member: netpulse status" || fail "group member cannot run status: $(head -c 300 "$T/member.out")"
# With the service's configuration, as `netpulse status` does by default: the credential in it
# is the service's alone, the CLI does not need it.
as_member "$T/bin/netpulse" -c "$T/etc/netpulse.yaml" status >"$T/member.out" 2>&1 &&
	ok "group member: netpulse -c (the service's file, naming a credential) status" ||
	fail "group member cannot use the service's configuration: $(head -c 300 "$T/member.out")"
if as_other "$T/bin/netpulse" --db "$DB" status >"$T/other.out" 2>&1; then
	fail "an outsider read the database: $(head -c 300 "$T/other.out")"
else
	grep -q 'Permission denied' "$T/other.out" && ok "outsider refused (Permission denied)" ||
		fail "outsider failed, but not for permissions: $(head -c 300 "$T/other.out")"
fi
# np1 goes down and up 10 times; between each step the member reads the events (every read
# must succeed) until it sees the step: 20 transitions of np0 read back through the -wal and
# the read-only -shm while the daemon writes them.
# np0_events STATE: how many events of np0 entering STATE the member reads.
np0_events() {
	as_member "$T/bin/netpulse" --db "$DB" --format csv events --since 1h 2>>"$T/member.err" |
		grep -c ",np0,$1,"
}
read_fail=0
for i in $(seq 1 10); do
	for st in down up; do
		nsenter -t "$DAEMON_PID" -n ip link set np1 "$st" || fail "ip link set np1 $st"
		want=$i
		[ $st = up ] && want=$((i + 1)) # np0's first sighting (unknown -> up) is an up row too
		got=0
		for _ in $(seq 1 200); do
			n=$(np0_events $st) || true
			as_member "$T/bin/netpulse" --db "$DB" status >/dev/null 2>>"$T/member.err" ||
				read_fail=$((read_fail + 1))
			[ "${n:-0}" -ge $want ] && got=1 && break
			sleep 0.05
		done
		[ $got = 1 ] || fail "group member never saw np0 $st #$i (saw ${n:-0})"
	done
done
[ $read_fail = 0 ] && [ ! -s "$T/member.err" ] && ok "group member read 20 transitions as they were written" ||
	fail "$read_fail reads of the group member failed while the daemon wrote: $(head -c 400 "$T/member.err")"
[ -f "$DB-wal" ] && [ -f "$DB-shm" ] && [ "$(stat -c %a "$DB-shm")" = 640 ] &&
	ok "-wal and -shm exist, -shm 640" || fail "-wal/-shm: $(ls -l "$DB"* 2>&1)"

kill -HUP "$DAEMON_PID" 2>/dev/null
if wait_msg "RELOADING=1" 1 && wait_msg "READY=1" 2; then
	ok "SIGHUP: RELOADING=1 then READY=1"
else
	fail "SIGHUP did not give RELOADING=1 + READY=1"
fi
kill -0 "$DAEMON_PID" 2>/dev/null && ok "daemon alive after reload" || fail "daemon died on SIGHUP"

kill -TERM "$DAEMON_PID" 2>/dev/null
wait_msg "STOPPING=1" 1 && ok "STOPPING=1 received" || fail "no STOPPING=1"
wait "$DAEMON_PID"
rc=$?
DAEMON_PID=
[ $rc = 0 ] && ok "daemon exited 0 on SIGTERM" || fail "daemon exit status $rc on SIGTERM"
# Stopped (the -wal and -shm are gone): the member still reads everything.
n=$(as_member "$T/bin/netpulse" --db "$DB" --format csv events --since 1h 2>"$T/member.err" | grep -c ',np0,')
[ "$n" -ge 21 ] && ok "group member reads the stopped daemon's database ($n np0 events)" ||
	fail "group member after stop: $n np0 events, want >= 21: $(head -c 300 "$T/member.err")"
others=$(grep -cvxF "$MAIN_PID" "$T/notify.pids")
[ -s "$T/notify.pids" ] && [ "$others" = 0 ] && ok "every notification came from the main pid $MAIN_PID" ||
	fail "notifications from pids other than $MAIN_PID: $(sort -u "$T/notify.pids" | tr '\n' ' ')"

# An ASan/UBSan build (make test runs this test with one too) reports on stderr.
if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T/daemon.log"; then
	fail "sanitizer report in the daemon's output"
else
	ok "no sanitizer report from the daemon"
fi

if [ $fails != 0 ]; then
	echo "--- notify messages"
	uniq -c "$T/notify.log" 2>/dev/null
	echo "--- daemon output (last 40 lines)"
	tail -n 40 "$T/daemon.log"
	echo "$fails check(s) failed"
	exit 1
fi
echo "PASS (exposure $score)"
