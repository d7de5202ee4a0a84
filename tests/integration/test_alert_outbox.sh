#!/usr/bin/env bash
# Dead letters end to end: an alert for a TCP syslog server that is down stays pending
# (`netpulse alerts --pending`, with the id its message will carry); once older than
# alerts.max_age it becomes a dead letter (`--dead`), which is not sent when the server is
# back; `--retry` queues it again and the running daemon delivers it to a real rsyslogd, with
# the same id as `netpulse events` shows.
source "$(dirname "$0")/lib.sh"
require_root
require_cmd sqlite3 python3 rsyslogd
make_netns
make_veth_pair

cat >"$T/netpulse.yaml" <<EOC
daemon: { database: $T/np.db, log_level: debug }
sources:
  - { name: ns-host, type: local, interval: 1s, include: ["^npa\$"] }
alerts:
  sinks:
    - { type: syslog, server: "tcp://127.0.0.1:5515", hostname: testhost, confirm_after: 0s }
  max_age: 1h
EOC
"$NETPULSED" --check-config -c "$T/netpulse.yaml" >"$T/check.log" || fail "config rejected"
np() { "$NETPULSE" --db "$T/np.db" "$@"; }

start_daemon "$T/netpulse.yaml"
wait_for 20 'test "$(link_state)" = up' || fail "npa never reported up"
ip -n "$NS" link set npb down
wait_for 20 'test "$(link_state)" = down' || fail "npa never reported down"
# Nobody listens on 5515: the IFDOWN waits in the outbox.
wait_for 20 'np alerts --pending --format json | json_get "len(j[\"alerts\"])" | grep -qx 1' \
	|| fail "the IFDOWN is not listed as pending"
pending=$(np alerts --pending --format json)
echo "$pending"
id=$(json_get "j['alerts'][0]['id']" <<<"$pending")
[ "$(json_get "j['alerts'][0]['msgid']" <<<"$pending")" = IFDOWN ] || fail "pending row is not the IFDOWN"
[ "$(json_get "j['alerts'][0]['sink']" <<<"$pending")" = "tcp://127.0.0.1:5515" ] || fail "pending sink"
[ "$(json_get "j['alerts'][0]['dead']" <<<"$pending")" = None ] || fail "pending row says dead"
events=$(np events --since 10m --state down --format json)
[ "$(json_get "j['events'][0]['alert_id']" <<<"$events")" = "$id" ] || fail "events alert_id != outbox id $id"
pass "IFDOWN id=$id pending for the down server"

# Two hours pass for the row (queued in the past); a restart checks max_age at once.
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "netpulsed exited non-zero on SIGTERM"
sqlite3 "$T/np.db" "UPDATE outbox_sink SET queued = queued - 7200"
start_daemon "$T/netpulse.yaml"
wait_log_count 1 'dead letters now' "$T/netpulsed.log" || fail "no dead-letter line in the log"
[ "$(np alerts --pending --format json | json_get "len(j['alerts'])")" = 0 ] || fail "dead row still pending"
dead=$(np alerts --dead --format json)
echo "$dead"
[ "$(json_get "j['alerts'][0]['id']" <<<"$dead")" = "$id" ] || fail "alerts --dead does not list $id"
# (the restart may have queued a STALE for the link meanwhile: aged and dead with it)
ndead=$(json_get "len(j['alerts'])" <<<"$dead")
[ "$(json_get "j['alerts'][0]['dead'] is not None" <<<"$dead")" = True ] || fail "dead time missing"
np alerts --dead | grep -q "IFDOWN" || fail "text listing lacks the IFDOWN"
pass "after max_age the IFDOWN is a dead letter"

# The server comes back: a dead letter is not sent by itself. Restarting the daemon resets its
# backoff, so what it sends next shows within a poll or two.
start_rsyslog
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || true
start_daemon "$T/netpulse.yaml"
wait_polls ns-host 3 || fail "the daemon stopped polling"
[ "$(count_lines "id=\"$id\"" "$T/received.log")" = 0 ] || fail "a dead letter was sent"
pass "dead letter not sent while the server is up"

out=$(np alerts --retry --sink tcp://127.0.0.1:5515)
[ "$out" = "$ndead dead letter(s) queued again" ] || fail "retry said: $out"
wait_log_count 1 "id=\"$id\"" "$T/received.log" 30 || fail "retried alert never arrived"
grep "id=\"$id\"" "$T/received.log" | grep -q 'msgid=IFDOWN' || fail "retried alert is not the IFDOWN"
wait_for 20 'test "$(np alerts --pending --format json | json_get "len(j[\"alerts\"])")" = 0' \
	|| fail "retried alert still pending after delivery"
[ "$(np alerts --dead --format json | json_get "len(j['alerts'])")" = 0 ] || fail "still dead after retry"
[ "$(np alerts --retry --format json | json_get "j['requeued']")" = 0 ] || fail "second retry"
pass "--retry delivered id=$id to rsyslogd"
