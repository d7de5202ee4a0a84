# Shared helpers for integration tests (sourced). Each test makes its own temp dir and network
# namespace, starts its own peers inside it, and removes everything on exit.
# A test that cannot run here exits 77 (ctest: skipped; `make test` fails on it unless
# NP_ALLOW_SKIP=1). A sanitizer report from any process the test started fails the test.
set -euo pipefail

: "${NETPULSED:=${NP_BUILD:-build}/netpulsed}"
: "${NETPULSE:=${NP_BUILD:-build}/netpulse}"
T=$(mktemp -d /tmp/np-it.XXXXXX)
NS=""
CLEANUP=()
# netpulse prints in the local zone (TZ, else /etc/localtime) when neither --tz nor
# daemon.timezone names one: pinned, so outputs do not depend on the host's zone. A test
# about the local zone sets TZ for that command.
export TZ=UTC
# ASan/UBSan builds (make test runs these tests with them too) write every report from every
# process here, whatever its stderr was redirected to; cleanup fails the test on any. 1777:
# tests also run binaries as an unprivileged user.
mkdir -m 1777 "$T/san"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$T/san/asan"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$T/san/ubsan"

# san_reports: prints sanitizer reports (report files, or reports in a log); fails if none.
san_reports() {
	local found=1 f
	for f in "$T"/san/*; do
		[ -f "$f" ] || continue
		echo "== sanitizer report $f"
		cat "$f"
		found=0
	done
	for f in "$T"/*.log; do
		[ -f "$f" ] || continue
		if grep -qE 'ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:' "$f"; then
			echo "== sanitizer report in $f"
			grep -E -A30 'ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:' "$f"
			found=0
		fi
	done
	return $found
}

cleanup() {
	local rc=$?
	for ((i = ${#CLEANUP[@]} - 1; i >= 0; i--)); do eval "${CLEANUP[$i]}" >/dev/null 2>&1 || true; done
	if [ -n "$NS" ]; then ip netns del "$NS" 2>/dev/null || true; fi
	# After the daemons stopped (LeakSanitizer reports at exit); a skip stays a skip.
	if [ $rc -ne 77 ] && san_reports >"$T/san-reports.txt" 2>&1; then
		cat "$T/san-reports.txt"
		echo "FAIL: sanitizer report (see above)" >&2
		[ $rc -ne 0 ] || rc=1
	fi
	if [ $rc -ne 0 ] && [ $rc -ne 77 ]; then
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

# skip REASON: this test cannot run here (exit 77: ctest reports it skipped, not passed).
skip() { echo "SKIP: $*"; exit 77; }
require_root() { [ "$(id -u)" = 0 ] || skip "needs root"; }
# require_cmd CMD...: skips unless every CMD is installed.
require_cmd() {
	local c
	for c in "$@"; do command -v "$c" >/dev/null || skip "needs $c"; done
}

# make_netns: a fresh namespace with lo up; name in $NS.
make_netns() {
	require_cmd ip
	NS="np-it-$$-$RANDOM"
	ip netns add "$NS"
	ip -n "$NS" link set lo up
}

in_ns() { ip netns exec "$NS" "$@"; }

# make_veth_pair: veth npa <-> npb in $NS, both up (the local source watches npa; setting npb
# down takes npa's carrier away).
make_veth_pair() {
	ip -n "$NS" link add npa type veth peer name npb
	ip -n "$NS" link set npa up
	ip -n "$NS" link set npb up
}

# link_state [IFACE]: the state `netpulse status` gives IFACE (default npa) in ${DB:-$T/np.db}.
link_state() {
	"$NETPULSE" --db "${DB:-$T/np.db}" status --format json |
		json_get "[l['state'] for l in j['links'] if l['interface']=='${1:-npa}'][0]"
}

# start_rsyslog: a private rsyslogd in $NS on 127.0.0.1:5514/udp and 5515/tcp writing
# $T/received.log (parsed fields) and $T/raw.log (exact wire text).
start_rsyslog() {
	require_cmd rsyslogd
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

# start_daemon CONFIG: netpulsed in the foreground inside $NS, with debug logging (-v: the
# per-poll lines poll_count reads) appended to $T/netpulsed.log; pid in $DAEMON_PID. If the
# array DAEMON_ENV is set (NAME=VALUE words, e.g. an LD_PRELOAD), the daemon alone gets it.
start_daemon() {
	# env execs the daemon: $! is still netpulsed itself.
	ip netns exec "$NS" env ${DAEMON_ENV[@]+"${DAEMON_ENV[@]}"} "$NETPULSED" --foreground -v \
		-c "$1" >>"$T/netpulsed.log" 2>&1 &
	DAEMON_PID=$!
	CLEANUP+=("kill $DAEMON_PID 2>/dev/null; wait $DAEMON_PID 2>/dev/null")
}

# stored_polls SOURCE: netpulsed's debug lines (in $T/netpulsed.log) of the polls of SOURCE
# whose batch the pipeline took ("SOURCE: poll cpu_us=N wall_us=N obs=N stored=1 at=SECONDS").
# The database no longer has a row per poll: rollup rows are written when their 5-minute
# bucket closes, so the log is where a poll is seen.
stored_polls() {
	grep -F -- ": $1: poll cpu_us=" "$T/netpulsed.log" 2>/dev/null | grep -E ' stored=1 at=[0-9]+( |$)' || true
}
# poll_count SOURCE: how many polls of SOURCE were stored (every daemon run of this test).
poll_count() { stored_polls "$1" | wc -l; }
# last_poll SOURCE: the daemon's wall clock (Unix seconds) at the last stored poll of SOURCE,
# 0 if none.
last_poll() {
	local at
	at=$(stored_polls "$1" | tail -n1 | sed -n 's/.* stored=1 at=\([0-9]*\).*/\1/p')
	echo "${at:-0}"
}
# wait_polls SOURCE N [SECONDS]: until N more polls of SOURCE were stored (default 30 s): the
# daemon has looked again, without guessing how long that takes.
wait_polls() {
	local n0
	n0=$(poll_count "$1")
	wait_for "${3:-30}" "test \"\$(poll_count '$1')\" -ge $((n0 + $2))"
}
# wait_log_count N PATTERN FILE [SECONDS]: until FILE has at least N lines matching PATTERN.
wait_log_count() {
	wait_for "${4:-30}" "test \"\$(count_lines '$2' '$3')\" -ge $1"
}
# wait_outbox_empty DB [SECONDS]: until every queued alert was handed to its sinks.
wait_outbox_empty() {
	wait_for "${2:-30}" "test \"\$(sqlite3 '$1' 'SELECT count(*) FROM outbox_sink WHERE delivered IS NULL')\" = 0"
}

# json_get EXPR: evaluates a Python expression over the JSON document on stdin (as `j`).
json_get() { python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"; }

# expect_downtime PERIOD KEY=VALUE OUTAGES SECONDS TOLERANCE: `netpulse downtime` over PERIOD
# (DB ${DB:-$T/np.db}) gives the link whose KEY (device or interface) is VALUE exactly OUTAGES
# outages and SECONDS (± TOLERANCE) down. Leaves the JSON in $json for further checks.
expect_downtime() {
	local period=$1 key=${2%%=*} value=${2#*=} nout dsec
	json=$("$NETPULSE" --db "${DB:-$T/np.db}" downtime --period "$period" --format json)
	echo "$json"
	nout=$(json_get "[l['outages'] for l in j['links'] if l['$key']=='$value'][0]" <<<"$json")
	dsec=$(json_get "[l['down_seconds'] for l in j['links'] if l['$key']=='$value'][0]" <<<"$json")
	[ "$nout" = "$3" ] || fail "downtime: $nout outage(s) for $value, expected $3"
	python3 -c "import sys; sys.exit(0 if abs(float(sys.argv[1]) - float(sys.argv[2])) <= float(sys.argv[3]) else 1)" \
		"$dsec" "$4" "$5" || fail "downtime of $value is $dsec s, expected $4 ± $5"
	pass "downtime JSON: $dsec s in $nout outage(s) for $value"
}

# ---- Flow Collector peers: a real sshd (key auth, internal-sftp) inside $NS ----
# Needs $T/authorized_keys. Pid in SSHD_<NAME>; log in $T/sshd_<NAME>.log; stopped at cleanup.
# start_fc NAME PORT HOSTKEY: sshd for FC NAME on 127.0.0.1:PORT inside $NS.
start_fc() {
	local name=$1 port=$2 key=$3
	cat >"$T/sshd_$name.conf" <<EOC
Port $port
ListenAddress 127.0.0.1
HostKey $key
PidFile $T/sshd_$name.pid
AuthorizedKeysFile $T/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin prohibit-password
StrictModes no
Subsystem sftp internal-sftp
LogLevel VERBOSE
EOC
	/usr/sbin/sshd -t -f "$T/sshd_$name.conf" || fail "sshd config $name invalid"
	ip netns exec "$NS" /usr/sbin/sshd -D -e -f "$T/sshd_$name.conf" >>"$T/sshd_$name.log" 2>&1 &
	local pid=$!
	eval "SSHD_$name=$pid"
	CLEANUP+=("stop_fc $name")
	wait_for 10 "in_ns ss -Hlnt 'sport = :$port' | grep -q ." || fail "sshd $name did not start"
}

# descendants PID: every process below PID (sshd's per-connection processes).
descendants() {
	local kid
	for kid in $(ps -o pid= --ppid "$1"); do
		echo "$kid"
		descendants "$kid"
	done
}

# stop_fc NAME: the FC goes away, kept connections included.
stop_fc() {
	local pid
	eval "pid=\${SSHD_$1:-}"
	[ -n "$pid" ] || return 0
	local kids
	kids=$(descendants "$pid")
	kill "$pid" $kids 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	eval "SSHD_$1="
}

# ---- Meraki Dashboard API simulator (tests/sim/meraki_sim.py; see tests/sim/README.md) ----
SIM_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../sim" && pwd)"

# sim_certs DIR: a throwaway CA (DIR/ca.pem) and a server certificate it signed (DIR/server.pem,
# DIR/server.key) for IP:127.0.0.1, IP:127.0.0.2 and DNS:localhost.
sim_certs() {
	local d=$1
	mkdir -p "$d"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-subj "/CN=netpulse test CA" -keyout "$d/ca.key" -out "$d/ca.pem" \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
		>"$d/openssl.log" 2>&1 || { cat "$d/openssl.log"; return 1; }
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=localhost" \
		-keyout "$d/server.key" -out "$d/server.csr" >>"$d/openssl.log" 2>&1 || return 1
	printf '%s\n' "subjectAltName=IP:127.0.0.1,IP:127.0.0.2,DNS:localhost" \
		"basicConstraints=CA:FALSE" "extendedKeyUsage=serverAuth" >"$d/server.ext"
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
		-days 2 -extfile "$d/server.ext" -out "$d/server.pem" >>"$d/openssl.log" 2>&1 \
		|| { cat "$d/openssl.log"; return 1; }
}

# meraki_sim_start DIR SCENARIO [ARGS...]: starts the simulator with the certificates in DIR
# (made by sim_certs if absent) on a free port, logging to $T/meraki_sim.log; prints the port
# once it answers. Sets SIM_PORT, SIM_PID, SIM_CA (the CA file a client must trust),
# SIM_BASE (https://127.0.0.1:PORT/api/v1). Stopped at cleanup. Run it in the namespace of
# its client: `NS= meraki_sim_start ...` outside one; inside $NS when make_netns ran.
# Call it without $( ): it sets variables; the port is also on stdout.
meraki_sim_start() {
	local d=$1 sc=$2
	shift 2
	[ -f "$d/server.pem" ] || sim_certs "$d" || fail "sim_certs failed"
	rm -f "$d/sim.port"
	local pre=()
	[ -z "$NS" ] || pre=(ip netns exec "$NS")
	"${pre[@]}" python3 "$SIM_DIR/meraki_sim.py" --scenario "$sc" --cert "$d/server.pem" \
		--key "$d/server.key" --port-file "$d/sim.port" "$@" >>"$T/meraki_sim.log" 2>&1 &
	SIM_PID=$!
	CLEANUP+=("kill $SIM_PID; wait $SIM_PID")
	wait_for 120 "[ -s '$d/sim.port' ] || ! kill -0 $SIM_PID" || fail "meraki_sim did not start"
	[ -s "$d/sim.port" ] || fail "meraki_sim exited: $(tail -n 5 "$T/meraki_sim.log")"
	SIM_PORT=$(cat "$d/sim.port")
	SIM_CA=$d/ca.pem
	SIM_BASE=https://127.0.0.1:$SIM_PORT/api/v1
	echo "$SIM_PORT"
}

# sim_ctl METHOD PATH [JSON]: a call to the simulator's control API (/_sim/...); prints the
# answer, fails on an HTTP error. E.g. sim_ctl POST /_sim/now '{"now": 1767225600}',
# sim_ctl GET /_sim/stats | json_get "j['requests']['network_clients']".
sim_ctl() {
	local m=$1 p=$2 data=${3:-}
	local pre=()
	[ -z "$NS" ] || pre=(ip netns exec "$NS")
	if [ -n "$data" ]; then
		"${pre[@]}" curl -sS --fail-with-body --cacert "$SIM_CA" -X "$m" -H 'Content-Type: application/json' \
			--data-binary "$data" "https://127.0.0.1:$SIM_PORT$p"
	else
		"${pre[@]}" curl -sS --fail-with-body --cacert "$SIM_CA" -X "$m" "https://127.0.0.1:$SIM_PORT$p"
	fi
}

# sim_stat EXPR: a value from the simulator's statistics, e.g. sim_stat "j['status_429']".
sim_stat() { sim_ctl GET /_sim/stats | json_get "$1"; }

# ---- CoPilot and Cato simulators (tests/sim/copilot_sim.py, cato_sim.py; tests/sim/README.md) ----
# xsim_start KIND DIR SCENARIO [ARGS...]: KIND copilot or cato; like meraki_sim_start (certificates
# in DIR, made if absent; in $NS when make_netns ran; log $T/KIND_sim.log; stopped at cleanup).
# Sets SIM_PORT, SIM_PID, SIM_CA and SIM_BASE (copilot: https://127.0.0.1:PORT, cato:
# https://127.0.0.1:PORT/api/v1/graphql2), so sim_ctl and sim_stat talk to it. Call it without $( ).
xsim_start() {
	local kind=$1 d=$2 sc=$3
	shift 3
	[ -f "$d/server.pem" ] || sim_certs "$d" || fail "sim_certs failed"
	rm -f "$d/$kind.port"
	local pre=()
	[ -z "$NS" ] || pre=(ip netns exec "$NS")
	"${pre[@]}" python3 "$SIM_DIR/${kind}_sim.py" --scenario "$sc" --cert "$d/server.pem" \
		--key "$d/server.key" --port-file "$d/$kind.port" "$@" >>"$T/${kind}_sim.log" 2>&1 &
	SIM_PID=$!
	CLEANUP+=("kill $SIM_PID; wait $SIM_PID")
	wait_for 120 "[ -s '$d/$kind.port' ] || ! kill -0 $SIM_PID" || fail "${kind}_sim did not start"
	[ -s "$d/$kind.port" ] || fail "${kind}_sim exited: $(tail -n 5 "$T/${kind}_sim.log")"
	SIM_PORT=$(cat "$d/$kind.port")
	SIM_CA=$d/ca.pem
	SIM_BASE=https://127.0.0.1:$SIM_PORT
	[ "$kind" != cato ] || SIM_BASE=$SIM_BASE/api/v1/graphql2
	echo "$SIM_PORT"
}

# sim_certs_ft DIR: like sim_certs, but made under libfaketime at 2026-01-01 and valid 1000 days,
# for tests whose daemon runs with a faked clock far from the real one. Needs $FAKETIME_LIB.
sim_certs_ft() {
	local dir=$1
	mkdir -p "$dir"
	local ft=(env LD_PRELOAD=$FAKETIME_LIB FAKETIME="@2026-01-01 00:00:00" TZ=UTC)
	"${ft[@]}" openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1000 \
		-subj "/CN=netpulse test CA" -keyout "$dir/ca.key" -out "$dir/ca.pem" \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
		>"$dir/openssl.log" 2>&1 || fail "CA: $(cat "$dir/openssl.log")"
	"${ft[@]}" openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=localhost" \
		-keyout "$dir/server.key" -out "$dir/server.csr" >>"$dir/openssl.log" 2>&1 || fail "csr"
	printf '%s\n' "subjectAltName=IP:127.0.0.1,IP:127.0.0.2,DNS:localhost" \
		"basicConstraints=CA:FALSE" "extendedKeyUsage=serverAuth" >"$dir/server.ext"
	"${ft[@]}" openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
		-CAcreateserial -days 1000 -extfile "$dir/server.ext" -out "$dir/server.pem" \
		>>"$dir/openssl.log" 2>&1 || fail "server cert: $(cat "$dir/openssl.log")"
}

# ft_once UNIX CONFIG [ENV...]: one `netpulsed --once -v -c CONFIG` in $NS with its wall clock at
# UNIX (libfaketime; monotonic real), extra NAME=VALUE environment; output in $T/run.out (also
# appended to $T/netpulsed.log), exit status in $RC.
ft_once() {
	local when
	when=$(date -u -d "@$1" '+%Y-%m-%d %H:%M:%S')
	local cfg=$2
	shift 2
	RC=0
	ip netns exec "$NS" env LD_PRELOAD=$FAKETIME_LIB FAKETIME="@$when" FAKETIME_DONT_FAKE_MONOTONIC=1 \
		TZ=UTC "$@" "$NETPULSED" --once -v -c "$cfg" >"$T/run.out" 2>&1 || RC=$?
	cat "$T/run.out" >>"$T/netpulsed.log"
}

# ---- rsyslogd as an alert receiver on TCP, RELP and TLS (issue #9 delivery tests) ----
# One rsyslogd inside $NS on 127.0.0.1: imtcp plain on $RX_TCP_PORT, imrelp on $RX_RELP_PORT,
# imtcp with the gtls driver on $RX_TLS_PORT (server certificate for IP:127.0.0.1 from a CA in
# $RX_CA, made with sim_certs). Each input writes the exact wire text (%rawmsg%, one message a
# line) to its own file $T/rx/<tcp|relp|tls>.log. The rulesets run with a Direct queue, so a
# message is in its file (written, not buffered) before rsyslogd reads the next one, and
# before imrelp answers `rsp 200`: a kill -9 loses only what rsyslogd had not acknowledged or
# not read yet, never something it acknowledged over RELP.
# The daemon is controlled by pid ($RX_PID); rx_* helpers hang, resume, kill -9 and restart
# it; it survives restarts in the same files (omfile appends). Stopped at cleanup.
: "${RX_TCP_PORT:=5515}" "${RX_RELP_PORT:=2514}" "${RX_TLS_PORT:=6514}"
RX_PID=""
RX_STARTS=0
RX_INPUTS="tcp relp tls"

# rx_config: writes $T/rx.conf and the certificates (once).
rx_config() {
	require_cmd rsyslogd openssl
	[ -f /usr/lib/x86_64-linux-gnu/rsyslog/imrelp.so ] || [ -n "$(find /usr/lib -name imrelp.so -print -quit 2>/dev/null)" ] \
		|| skip "needs rsyslog-relp (imrelp)"
	[ -n "$(find /usr/lib -name lmnsd_gtls.so -print -quit 2>/dev/null)" ] || skip "needs rsyslog-gnutls"
	mkdir -p "$T/rx" "$T/rx/work"
	[ -f "$T/rx/certs/server.pem" ] || sim_certs "$T/rx/certs" || fail "test certificates"
	RX_CA=$T/rx/certs/ca.pem
	local in
	cat >"$T/rx.conf" <<EOC
global(workDirectory="$T/rx/work" maxMessageSize="64k"
  defaultNetstreamDriverCAFile="$T/rx/certs/ca.pem"
  defaultNetstreamDriverCertFile="$T/rx/certs/server.pem"
  defaultNetstreamDriverKeyFile="$T/rx/certs/server.key")
module(load="imtcp" maxSessions="1000")
module(load="imrelp")
template(name="Raw" type="string" string="%rawmsg%\n")
EOC
	for in in $RX_INPUTS; do
		cat >>"$T/rx.conf" <<EOC
ruleset(name="$in" queue.type="Direct") {
  action(type="omfile" file="$T/rx/$in.log" template="Raw")
}
EOC
	done
	cat >>"$T/rx.conf" <<EOC
input(type="imtcp" address="127.0.0.1" port="$RX_TCP_PORT" ruleset="tcp")
input(type="imrelp" address="127.0.0.1" port="$RX_RELP_PORT" ruleset="relp")
input(type="imtcp" address="127.0.0.1" port="$RX_TLS_PORT" ruleset="tls"
  streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")
EOC
	rsyslogd -N1 -f "$T/rx.conf" >"$T/rx-check.log" 2>&1 || fail "rsyslog config invalid: $(cat "$T/rx-check.log")"
}

# rx_listening: every input listens.
rx_listening() {
	local p
	for p in "$RX_TCP_PORT" "$RX_RELP_PORT" "$RX_TLS_PORT"; do
		in_ns ss -Hlnt "sport = :$p" | grep -q . || return 1
	done
}

# rx_start [nowait]: starts the receiver (config made on first use); waits until every input
# listens unless "nowait".
rx_start() {
	[ -f "$T/rx.conf" ] || rx_config
	[ -z "$RX_PID" ] || fail "rx_start: receiver $RX_PID still running"
	[ $RX_STARTS -gt 0 ] || CLEANUP+=("rx_stop")
	rm -f "$T/rx/rsyslogd.pid"
	touch "$T/rx/tcp.log" "$T/rx/relp.log" "$T/rx/tls.log"
	# exec (ip netns exec): $! is rsyslogd itself.
	ip netns exec "$NS" rsyslogd -n -f "$T/rx.conf" -i "$T/rx/rsyslogd.pid" >>"$T/rsyslogd.log" 2>&1 &
	RX_PID=$!
	RX_STARTS=$((RX_STARTS + 1))
	[ "${1:-}" = nowait ] && return 0
	wait_for 20 rx_listening || fail "rsyslogd did not start listening"
}

# rx_stop: SIGTERM, wait (a running or hung receiver alike).
rx_stop() {
	[ -n "$RX_PID" ] || return 0
	kill -CONT "$RX_PID" 2>/dev/null || true
	kill -TERM "$RX_PID" 2>/dev/null || true
	wait "$RX_PID" 2>/dev/null || true
	RX_PID=""
}
# rx_hang / rx_resume: SIGSTOP / SIGCONT (its sockets stay open; the kernel still takes data
# into the receive buffers until they fill). rx_hang returns once every thread is stopped
# (kill returns before: a thread may still answer for a moment).
rx_stopped() {
	local f st
	for f in /proc/"$RX_PID"/task/*/stat; do
		st=$(sed 's/^.*) //' "$f" 2>/dev/null | cut -d' ' -f1)
		[ "$st" = T ] || [ -z "$st" ] || return 1
	done
}
rx_hang() {
	kill -STOP "$RX_PID"
	wait_for 10 rx_stopped || fail "rsyslogd $RX_PID did not stop"
}
rx_resume() { kill -CONT "$RX_PID"; }
# rx_kill: kill -9 (also of a hung receiver); what sat unread in its sockets is gone.
rx_kill() {
	[ -n "$RX_PID" ] || return 0
	kill -KILL "$RX_PID" 2>/dev/null || true
	wait "$RX_PID" 2>/dev/null || true
	RX_PID=""
}
# rx_restart [nowait]: kill -9 if running, then start.
rx_restart() {
	rx_kill
	rx_start "${1:-}"
}

# rx_ids INPUT: the alert ids INPUT received, one line per message, in arrival order (the
# SD's first parameter id="N"; lines without one, e.g. plain daemon log lines, are skipped).
# (awk: 40x faster than sed with a back-reference on 100k lines.)
rx_ids() {
	awk 'match($0, /\[[^] ]+@[0-9]+ id="[0-9]+"/) {
		s = substr($0, RSTART, RLENGTH); sub(/.*id="/, "", s); sub(/"$/, "", s); print s
	}' "$T/rx/$1.log" 2>/dev/null || true
}
# rx_count INPUT ID: how often INPUT received alert ID.
rx_count() { rx_ids "$1" | grep -cx -- "$2" || true; }

# rx_tally INPUT EXPECTED_FILE: compares what INPUT received with the ids in EXPECTED_FILE
# (one a line). Sets RX_GOT (messages with an id), RX_UNIQ (distinct ids), RX_LOST (expected,
# never received), RX_DUPS (extra copies: RX_GOT - RX_UNIQ), RX_EXTRA (received, not
# expected); RX_LOST_IDS / RX_DUP_IDS / RX_EXTRA_IDS list them (space separated, at most 20).
rx_tally() {
	local in=$1 exp=$2
	rx_ids "$in" | sort -n >"$T/rx/$in.ids"
	sort -nu "$exp" >"$T/rx/$in.exp"
	sort -nu "$T/rx/$in.ids" >"$T/rx/$in.uniq"
	RX_GOT=$(wc -l <"$T/rx/$in.ids")
	RX_UNIQ=$(wc -l <"$T/rx/$in.uniq")
	RX_DUPS=$((RX_GOT - RX_UNIQ))
	comm -23 <(sort "$T/rx/$in.exp") <(sort "$T/rx/$in.uniq") | sort -n >"$T/rx/$in.lost"
	comm -13 <(sort "$T/rx/$in.exp") <(sort "$T/rx/$in.uniq") | sort -n >"$T/rx/$in.extra"
	uniq -d "$T/rx/$in.ids" >"$T/rx/$in.dupids"
	RX_LOST=$(wc -l <"$T/rx/$in.lost")
	RX_EXTRA=$(wc -l <"$T/rx/$in.extra")
	RX_LOST_IDS=$(head -n 20 "$T/rx/$in.lost" | tr '\n' ' ')
	RX_EXTRA_IDS=$(head -n 20 "$T/rx/$in.extra" | tr '\n' ' ')
	RX_DUP_IDS=$(head -n 20 "$T/rx/$in.dupids" | tr '\n' ' ')
}

# ---- netpulsed under kill -9 (the delivery tests restart it many times) ----
# np_start CONFIG: like start_daemon, but one cleanup entry for every run (the pid of the
# current run in NP_PID; old pids are never signalled again). NP_STARTS counts the runs.
NP_PID=""
NP_STARTS=0
np_start() {
	[ -z "$NP_PID" ] || fail "np_start: netpulsed $NP_PID still running"
	[ $NP_STARTS -gt 0 ] || CLEANUP+=("np_kill")
	ip netns exec "$NS" env ${DAEMON_ENV[@]+"${DAEMON_ENV[@]}"} "$NETPULSED" --foreground -v \
		-c "$1" >>"$T/netpulsed.log" 2>&1 &
	NP_PID=$!
	NP_STARTS=$((NP_STARTS + 1))
}
# np_stop: SIGTERM and wait; fails the test if it exited other than 0 (a clean stop).
np_stop() {
	[ -n "$NP_PID" ] || return 0
	local rc=0
	kill -TERM "$NP_PID" 2>/dev/null || true
	wait "$NP_PID" 2>/dev/null || rc=$?
	NP_PID=""
	[ $rc = 0 ] || fail "netpulsed exited $rc on SIGTERM"
}
# np_kill: kill -9 and reap.
np_kill() {
	[ -n "$NP_PID" ] || return 0
	kill -KILL "$NP_PID" 2>/dev/null || true
	wait "$NP_PID" 2>/dev/null || true
	NP_PID=""
}
# np_alive: the current run is still running (not crashed).
np_alive() { [ -n "$NP_PID" ] && kill -0 "$NP_PID" 2>/dev/null; }
