#!/usr/bin/env bash
# Deleted interfaces end to end: real veth pairs in a namespace, netpulsed polling at 1 s inside
# it, a real rsyslogd as the sink. Deleting a watched veth makes it `removed` in status (never
# stale) and no IFDOWN reaches rsyslog; one matching alert_on_delete sends IFDOWN "deleted".
# Re-created with the same name it is up again: IFUP only for the one whose deletion alerted.
# Restarted with a short state.forget_after, the removed link leaves status; its events stay.
source "$(dirname "$0")/lib.sh"
require_root
require_cmd sqlite3 python3
make_netns
make_veth_pair # npa <-> npb: watched, deleted quietly
add_pair() {
	ip -n "$NS" link add "$1" type veth peer name "$2"
	ip -n "$NS" link set "$1" up
	ip -n "$NS" link set "$2" up
}
add_pair npc npd # npc: watched, alert_on_delete
start_rsyslog

write_config() {
	cat >"$T/netpulse.yaml" <<EOC
daemon: { database: $T/np.db, log_level: debug }
state: { forget_after: $1 }
sources:
  - { name: ns-host, type: local, interval: 1s, include: ["^np[ac]\$"], alert_on_delete: ["^npc\$"] }
alerts:
  - { type: syslog, server: "tcp://127.0.0.1:5515", hostname: testhost }
EOC
	"$NETPULSED" --check-config -c "$T/netpulse.yaml" >"$T/check.log" 2>&1 || fail "config rejected"
}
np() { "$NETPULSE" --db "$T/np.db" "$@"; }
alerts_for() { grep -F "interface=\"$2\"" "$T/received.log" | grep -c "msgid=$1" || true; }
settled() { # three more polls stored, every alert handed to rsyslog
	wait_polls ns-host 3 || fail "the daemon stopped polling"
	wait_outbox_empty "$T/np.db" || fail "alerts stuck in the outbox"
}

write_config 7d
start_daemon "$T/netpulse.yaml"
wait_for 20 'test "$(link_state npa)" = up && test "$(link_state npc)" = up' || fail "npa/npc never up"
pass "npa and npc are up"

# A quiet deletion: removed, not down, and nothing sent, however many polls follow.
ip -n "$NS" link del npa
wait_for 20 'test "$(link_state npa)" = removed' || fail "status does not say npa removed"
settled
test "$(link_state npa)" = removed || fail "npa left removed: $(link_state npa)"
[ "$(alerts_for IFDOWN npa)" = 0 ] || fail "an IFDOWN for npa reached rsyslog"
[ "$(sqlite3 "$T/np.db" "SELECT count(*) FROM outbox WHERE interface='npa'")" = 0 ] \
	|| fail "an alert for npa was queued"
[ "$(sqlite3 "$T/np.db" "SELECT count(*) FROM transitions WHERE interface='npa' AND state IN ('down','stale')")" = 0 ] \
	|| fail "npa went down or stale on its way out"
pass "npa deleted: removed, no IFDOWN"

# alert_on_delete matches npc: one IFDOWN saying so, state removed.
ip -n "$NS" link del npc
wait_for 20 'test "$(alerts_for IFDOWN npc)" -ge 1' || fail "no IFDOWN for the deleted npc"
test "$(link_state npc)" = removed || fail "status does not say npc removed"
line=$(grep -F 'interface="npc"' "$T/received.log" | grep -m1 'msgid=IFDOWN')
echo "$line"
[[ $line == *'state="removed" previous="up"'* ]] || fail "IFDOWN SD state/previous wrong"
[[ $line == *"msg=interface npc on $(hostname) is DOWN: deleted (seen by ns-host)"* ]] \
	|| fail "IFDOWN message does not say deleted"
pass "npc deleted: IFDOWN 'deleted' received"

# Back with the same names: a new life. npa (quiet) comes back without IFUP; npc, whose
# deletion was announced, with one.
make_veth_pair
add_pair npc npd
wait_for 20 'test "$(alerts_for IFUP npc)" -ge 1' || fail "no IFUP for npc back"
wait_for 20 'test "$(link_state npa)" = up' || fail "npa not up again"
settled
[ "$(alerts_for IFUP npa)" = 0 ] || fail "an IFUP for npa reached rsyslog"
[ "$(alerts_for IFDOWN npc)" = 1 ] && [ "$(alerts_for IFUP npc)" = 1 ] || fail "npc alert counts"
[ "$(grep -c 'msgid=' "$T/received.log")" = 2 ] || fail "other alerts reached rsyslog"
pass "back: npa up quietly, npc IFUP"

# `events --state removed` and downtime: removed is not down.
events=$(np events --since 10m --state removed --format json)
[ "$(json_get "len([e for e in j['events'] if e['interface']=='npa' and e['previous']=='up'])" <<<"$events")" = 1 ] \
	|| fail "events --state removed does not list npa"
[ "$(json_get "len([e for e in j['events'] if e['interface']=='npc'])" <<<"$events")" = 1 ] \
	|| fail "events --state removed does not list npc"
expect_downtime 1h interface=npa 0 0 0
expect_downtime 1h interface=npc 0 0 0
pass "events list the removals; no downtime"

ip -n "$NS" link del npa
wait_for 20 'test "$(link_state npa)" = removed' || fail "npa not removed again"
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "netpulsed exited $? on SIGTERM"

# Restarted with a short forget_after: the restored removed link leaves status (checked at
# the daemon's housekeeping, once a minute); its history stays.
write_config 2s
start_daemon "$T/netpulse.yaml"
wait_for 150 '! np status --format json | grep -q "\"npa\""' || fail "npa never left status"
test "$(link_state npc)" = up || fail "npc is not up in status"
events=$(np events --since 10m --format json)
[ "$(json_get "len([e for e in j['events'] if e['interface']=='npa' and e['state']=='removed'])" <<<"$events")" = 2 ] \
	|| fail "npa's removals are not in events any more"
[ "$(alerts_for IFDOWN npa)" = 0 ] || fail "an IFDOWN for npa reached rsyslog"
pass "npa left status after forget_after; its events stay"
