#!/usr/bin/env bash
# Randomized delivery trials (issue #9): netpulsed watches 4 veth pairs in a namespace (local
# source, 200 ms polls, flap detection out of the way so every change alerts) and sends every
# alert to a real rsyslogd over TCP, RELP and TLS. A trial is one random action at a random
# moment, then a random pause of 0-NP_TRIAL_MAX_MS ms (default 120):
#   ~80 %  toggle one link (ip link set npbN down/up)
#   ~10 %  kill -9 netpulsed, start it again at once
#    ~6 %  kill -9 rsyslogd, start it again at once (without waiting for it to listen)
#    ~4 %  both
# Every NP_TRIAL_CHECK (default 100) trials, a checkpoint (nothing stops): every row the outbox
# marks delivered must be in its receiver's file, and every id received must be an outbox row.
# At the end both run until the outbox is drained, then: 0 alerts lost over TCP, RELP and TLS
# (every outbox id received), nothing received that is not in the outbox, every message
# matches its outbox row (rx_check.py). Duplicates are counted and printed, not failed: TCP and
# TLS re-send what was not yet confirmed when a connection broke or the daemon died, and RELP
# re-sends what the receiver wrote but had not acknowledged when it died, or acknowledged just
# before netpulsed died without recording it.
# NP_TRIALS: number of trials, default 1000 (the issue's figure); 150 when netpulsed is an
# ASan build (about 3x slower per daemon start; `make test` runs this test under ASan too).
# NP_TRIAL_SEED: the RNG seed (default: random, printed; rerun with it to repeat the action
# sequence; the timing of each action relative to the daemon's polls stays random).
source "$(dirname "$0")/lib.sh"
require_root
require_cmd sqlite3 python3
if grep -q __asan_init "$NETPULSED"; then
	: "${NP_TRIALS:=150}"
else
	: "${NP_TRIALS:=1000}"
fi
: "${NP_TRIAL_SEED:=$(((RANDOM << 15) | RANDOM))}"
: "${NP_TRIAL_MAX_MS:=120}"
: "${NP_TRIAL_CHECK:=100}"
SINKS=${NP_DELIVERY_SINKS:-tcp relp tls} # development only
LINKS=4
echo "trials: $NP_TRIALS  seed: $NP_TRIAL_SEED  (NP_TRIALS=$NP_TRIALS NP_TRIAL_SEED=$NP_TRIAL_SEED to repeat)"
RANDOM=$NP_TRIAL_SEED

make_netns
for ((j = 0; j < LINKS; j++)); do
	ip -n "$NS" link add "npa$j" type veth peer name "npb$j"
	ip -n "$NS" link set "npa$j" up
	ip -n "$NS" link set "npb$j" up
	UP[$j]=1
done
rx_start
DB=$T/np.db
declare -A KEY=([tcp]="tcp://127.0.0.1:$RX_TCP_PORT" [relp]="relp://127.0.0.1:$RX_RELP_PORT"
	[tls]="tls://127.0.0.1:$RX_TLS_PORT")
{
	cat <<EOC
daemon: { database: $DB, log_level: info }
state: { flap: { transitions: 1000, window: 1s } }
sources:
  - { name: ns-host, type: local, interval: 200ms, include: ["^npa[0-9]+\$"] }
alerts:
EOC
	for s in $SINKS; do
		case $s in
		tcp) echo "  - { type: syslog, server: \"${KEY[tcp]}\", hostname: testhost }" ;;
		relp) echo "  - { type: syslog, server: \"${KEY[relp]}\", hostname: testhost }" ;;
		tls) echo "  - { type: syslog, server: \"${KEY[tls]}\", hostname: testhost, ca_file: $RX_CA }" ;;
		esac
	done
} >"$T/netpulse.yaml"
"$NETPULSED" --check-config -c "$T/netpulse.yaml" >"$T/check.log" 2>&1 || fail "config rejected: $(cat "$T/check.log")"

sq() { sqlite3 -cmd '.timeout 20000' "$DB" "$@"; }
undelivered() { sq "SELECT count(*) FROM outbox_sink WHERE delivered IS NULL"; }
# alive: neither daemon died on its own (only this test kills them).
alive() {
	np_alive || { tail -n 30 "$T/netpulsed.log"; fail "netpulsed (pid $NP_PID) died on its own"; }
	kill -0 "$RX_PID" 2>/dev/null || { tail -n 30 "$T/rsyslogd.log"; fail "rsyslogd (pid $RX_PID) died on its own"; }
}
# checkpoint WHEN: delivered (outbox) ⊆ received (files) ⊆ outbox. The outbox is read before
# the files and again after them: rows only ever become delivered and files only grow.
checkpoint() {
	local s miss extra
	for s in $SINKS; do
		sq "SELECT outbox FROM outbox_sink WHERE sink = '${KEY[$s]}' AND delivered IS NOT NULL" | sort -u >"$T/cp.delivered"
		rx_ids "$s" | sort -u >"$T/cp.received"
		sq "SELECT id FROM outbox" | sort -u >"$T/cp.outbox"
		miss=$(comm -23 "$T/cp.delivered" "$T/cp.received" | head -n 20 | tr '\n' ' ')
		[ -z "$miss" ] || fail "$1: $s: marked delivered, never received: $miss"
		extra=$(comm -13 "$T/cp.outbox" "$T/cp.received" | head -n 20 | tr '\n' ' ')
		[ -z "$extra" ] || fail "$1: $s: received, not in the outbox: $extra"
	done
}
ms_sleep() { sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"; }

np_start "$T/netpulse.yaml"
for ((j = 0; j < LINKS; j++)); do
	wait_for 30 "test \"\$(link_state npa$j)\" = up" || fail "npa$j never reported up"
done
pass "$LINKS links up"

toggles=0 np_kills=0 rx_kills=0 both=0
t0=$SECONDS
for ((i = 1; i <= NP_TRIALS; i++)); do
	alive
	r=$((RANDOM % 100))
	if [ $r -lt 80 ]; then
		j=$((RANDOM % LINKS))
		if [ "${UP[$j]}" = 1 ]; then
			ip -n "$NS" link set "npb$j" down
			UP[$j]=0
		else
			ip -n "$NS" link set "npb$j" up
			UP[$j]=1
		fi
		toggles=$((toggles + 1))
	elif [ $r -lt 90 ]; then
		np_kill
		np_start "$T/netpulse.yaml"
		np_kills=$((np_kills + 1))
	elif [ $r -lt 96 ]; then
		rx_restart nowait
		rx_kills=$((rx_kills + 1))
	else
		# One of the two first, the other a random moment later.
		if [ $((RANDOM % 2)) = 0 ]; then np_kill; else rx_kill; fi
		ms_sleep $((RANDOM % (NP_TRIAL_MAX_MS + 1)))
		np_kill
		rx_kill
		np_start "$T/netpulse.yaml"
		rx_start nowait
		both=$((both + 1))
	fi
	ms_sleep $((RANDOM % (NP_TRIAL_MAX_MS + 1)))
	if [ $((i % NP_TRIAL_CHECK)) = 0 ]; then
		checkpoint "after trial $i"
		echo "  trial $i: $(sq 'SELECT count(*) FROM outbox') alerts, $(undelivered) row(s) pending, $((SECONDS - t0)) s"
	fi
done
trial_s=$((SECONDS - t0))
alive
pass "$NP_TRIALS trials in $trial_s s"

# Drain: both run undisturbed (the sinks may sit in a back-off of up to 60 s).
wait_for 20 rx_listening || fail "rsyslogd does not listen"
t1=$SECONDS
wait_for 180 'test "$(undelivered)" = 0' || fail "outbox not drained: $(undelivered) row(s) pending"
drain_s=$((SECONDS - t1))
alive
checkpoint "after the drain"
np_stop

sq "SELECT id FROM outbox ORDER BY id" >"$T/expected.ids"
n=$(wc -l <"$T/expected.ids")
[ "$n" -gt 0 ] || fail "no alert at all"
echo "---- figures (seed $NP_TRIAL_SEED)"
echo "trials $NP_TRIALS: link toggles $toggles, kill -9 netpulsed $np_kills, kill -9 rsyslogd $rx_kills, both $both"
echo "netpulsed starts $NP_STARTS, rsyslogd starts $RX_STARTS; trials took $trial_s s, drain $drain_s s"
echo "alerts (outbox rows) $n"
printf '%-5s %8s %9s %8s %6s %6s\n' sink alerts delivered distinct lost dups
bad=""
for s in $SINKS; do
	sq "SELECT outbox FROM outbox_sink WHERE sink = '${KEY[$s]}' ORDER BY outbox" >"$T/queued.$s"
	cmp -s "$T/expected.ids" "$T/queued.$s" || fail "not every alert was queued for $s"
	rx_tally "$s" "$T/expected.ids"
	printf '%-5s %8d %9d %8d %6d %6d\n' "$s" "$n" "$RX_GOT" "$RX_UNIQ" "$RX_LOST" "$RX_DUPS"
	[ "$RX_LOST" = 0 ] || bad="$bad $s lost $RX_LOST (ids $RX_LOST_IDS);"
	[ "$RX_EXTRA" = 0 ] || bad="$bad $s received $RX_EXTRA id(s) not in the outbox ($RX_EXTRA_IDS);"
	[ "$RX_DUPS" = 0 ] || echo "      $s duplicated ids (first 20): $RX_DUP_IDS"
done
[ -z "$bad" ] || fail "$bad"
files=()
for s in $SINKS; do files+=("$T/rx/$s.log"); done
python3 "$(dirname "$0")/rx_check.py" "$DB" "${files[@]}" || fail "received messages do not match the outbox"
pass "0 alerts lost over: $SINKS"
