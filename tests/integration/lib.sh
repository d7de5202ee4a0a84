# Shared helpers for integration tests (sourced). Each test makes its own temp dir and network
# namespace, starts its own peers inside it, and removes everything on exit.
set -euo pipefail

: "${NETPULSED:=${NP_BUILD:-build}/netpulsed}"
: "${NETPULSE:=${NP_BUILD:-build}/netpulse}"
T=$(mktemp -d /tmp/np-it.XXXXXX)
NS=""
CLEANUP=()

cleanup() {
	local rc=$?
	for ((i = ${#CLEANUP[@]} - 1; i >= 0; i--)); do eval "${CLEANUP[$i]}" >/dev/null 2>&1 || true; done
	if [ -n "$NS" ]; then ip netns del "$NS" 2>/dev/null || true; fi
	if [ $rc -ne 0 ]; then
		echo "---- failure: logs from $T"
		for f in "$T"/*.log; do [ -f "$f" ] && { echo "== $f"; tail -n 40 "$f"; }; done
	fi
	rm -rf "$T"
	exit $rc
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

# wait_for SECONDS 'SHELL CODE': evaluates the code every 0.1 s until it succeeds (so any
# $(...) inside it is re-run each time: single-quote it); returns 1 after SECONDS.
wait_for() {
	local limit=$1; shift
	local end=$((SECONDS + limit))
	until eval "$*" >/dev/null 2>&1; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.1
	done
}

require_root() { [ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 0; }; }

# make_netns: a fresh namespace with lo up; name in $NS.
make_netns() {
	NS="np-it-$$-$RANDOM"
	ip netns add "$NS"
	ip -n "$NS" link set lo up
}

in_ns() { ip netns exec "$NS" "$@"; }

# start_rsyslog: a private rsyslogd in $NS on 127.0.0.1:5514/udp and 5515/tcp writing
# $T/received.log (parsed fields) and $T/raw.log (exact wire text).
start_rsyslog() {
	mkdir -p "$T/rsyslog"
	cat >"$T/rsyslog.conf" <<EOC
global(workDirectory="$T/rsyslog" maxMessageSize="64k")
module(load="imudp")
module(load="imtcp")
template(name="Fields" type="string"
  string="msgid=%msgid% app=%app-name% pri=%pri% sev=%syslogseverity-text% sd=%structured-data% msg=%msg%\n")
template(name="Raw" type="string" string="%rawmsg%\n")
ruleset(name="r") {
  action(type="omfile" file="$T/received.log" template="Fields")
  action(type="omfile" file="$T/raw.log" template="Raw")
}
input(type="imudp" address="127.0.0.1" port="5514" ruleset="r")
input(type="imtcp" address="127.0.0.1" port="5515" ruleset="r")
EOC
	rsyslogd -N1 -f "$T/rsyslog.conf" >"$T/rsyslog-check.log" 2>&1 || fail "rsyslog config invalid"
	# exec, not the in_ns function: $! must be the daemon itself, not a subshell.
	ip netns exec "$NS" rsyslogd -n -f "$T/rsyslog.conf" -i "$T/rsyslogd.pid" >"$T/rsyslogd.log" 2>&1 &
	RSYSLOG_PID=$!
	CLEANUP+=("kill $RSYSLOG_PID; wait $RSYSLOG_PID")
	wait_for 10 'in_ns ss -Hlnt "sport = :5515" | grep -q . && in_ns ss -Hlnu "sport = :5514" | grep -q .' \
		|| fail "rsyslogd did not start listening"
	touch "$T/received.log" "$T/raw.log"
}

# count_lines PATTERN FILE
count_lines() { grep -c -- "$1" "$2" 2>/dev/null || true; }

# start_daemon CONFIG: netpulsed in the foreground inside $NS; pid in $DAEMON_PID.
start_daemon() {
	ip netns exec "$NS" "$NETPULSED" --foreground -c "$1" >>"$T/netpulsed.log" 2>&1 &
	DAEMON_PID=$!
	CLEANUP+=("kill $DAEMON_PID 2>/dev/null; wait $DAEMON_PID 2>/dev/null")
}

# json_get EXPR: evaluates a Python expression over the JSON document on stdin (as `j`).
json_get() { python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"; }
