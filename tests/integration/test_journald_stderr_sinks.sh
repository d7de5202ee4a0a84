#!/usr/bin/env bash
# The sinks of the shipped defaults deliver end to end (issue #10): netpulsed with a `journald`
# sink (its socket a datagram socket of ours standing in for journald, which parses the native
# protocol) and a `stderr` sink (the container's and `make run`'s default). An IFDOWN and an
# IFUP: the journal gets each with its structured fields, stderr one RFC 5424 line each with
# the same alert id, and every outbox row is marked delivered. Then the journal goes away: the
# next alert stays pending for it (not marked delivered) while stderr still delivers it.
source "$(dirname "$0")/lib.sh"
require_root
require_cmd sqlite3 python3
make_netns
make_veth_pair

JSOCK=$T/journal.sock
# The stand-in journal: each datagram's fields as one JSON object a line.
cat >"$T/journal.py" <<'EOP'
import json, os, socket, struct, sys
path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
open(path + ".ready", "w").close()
while True:
    data = s.recv(1 << 20)
    f, i = {}, 0
    while i < len(data):
        j = data.index(b"\n", i)
        line = data[i:j]
        if b"=" in line:
            k, v = line.split(b"=", 1)
            i = j + 1
        else:
            k = line
            (n,) = struct.unpack_from("<Q", data, j + 1)
            v = data[j + 9 : j + 9 + n]
            assert data[j + 9 + n : j + 10 + n] == b"\n"
            i = j + 10 + n
        f[k.decode()] = v.decode()
    with open(out, "a") as o:
        o.write(json.dumps(f) + "\n")
EOP
python3 "$T/journal.py" "$JSOCK" "$T/journal.jsonl" >"$T/journal.log" 2>&1 &
JPID=$!
CLEANUP+=("kill $JPID; wait $JPID")
wait_for 10 'test -e "$JSOCK.ready"' || fail "the stand-in journal did not start"
touch "$T/journal.jsonl"

cat >"$T/netpulse.yaml" <<EOC
daemon: { database: $T/np.db }
sources:
  - { name: ns-host, type: local, interval: 1s, include: ["^npa\$"] }
alerts:
  - { type: journald, socket: "$JSOCK" }
  - { type: stderr, hostname: testhost }
EOC
"$NETPULSED" --check-config -c "$T/netpulse.yaml" >"$T/check.log" 2>&1 || fail "config rejected: $(cat "$T/check.log")"
start_daemon "$T/netpulse.yaml"
wait_for 20 'test "$(link_state)" = up' || fail "npa never reported up"
HOST=$(hostname)
sql() { sqlite3 "$T/np.db" "$1"; }

ip -n "$NS" link set npb down
wait_for 20 'test "$(link_state)" = down' || fail "npa never reported down"
ip -n "$NS" link set npb up
wait_for 20 'test "$(link_state)" = up' || fail "npa never came back up"
wait_outbox_empty "$T/np.db" || fail "alerts stuck in the outbox"
test "$(sql "SELECT count(*) FROM outbox_sink WHERE delivered IS NOT NULL")" = 4 \
	|| fail "expected 4 delivered rows (2 alerts x 2 sinks)"
down_id=$(sql "SELECT id FROM outbox WHERE msgid = 'IFDOWN'")
up_id=$(sql "SELECT id FROM outbox WHERE msgid = 'IFUP'")
cat "$T/journal.jsonl"

# jfield ID FIELD: FIELD of the journal entry of alert ID (exactly one entry per alert).
jfield() {
	python3 - "$T/journal.jsonl" "$1" "$2" <<'EOP'
import json, sys
es = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
es = [e for e in es if e.get("NETPULSE_ALERT_ID") == sys.argv[2]]
assert len(es) == 1, "%d entries for alert %s" % (len(es), sys.argv[2])
print(es[0].get(sys.argv[3], "<missing>"))
EOP
}
expect_j() { local got; got=$(jfield "$1" "$2") || fail "journal: alert $1"; [ "$got" = "$3" ] || fail "journal $2 of alert $1: '$got', want '$3'"; }
expect_j "$down_id" NETPULSE_MSGID IFDOWN
expect_j "$down_id" PRIORITY 3
expect_j "$down_id" SYSLOG_FACILITY 3
expect_j "$down_id" SYSLOG_IDENTIFIER netpulse
expect_j "$down_id" NETPULSE_DEVICE "$HOST"
expect_j "$down_id" NETPULSE_INTERFACE npa
expect_j "$down_id" NETPULSE_STATE down
expect_j "$down_id" NETPULSE_PREVIOUS up
expect_j "$down_id" NETPULSE_SOURCE ns-host
expect_j "$down_id" MESSAGE "interface npa on $HOST is DOWN (seen by ns-host)"
expect_j "$up_id" NETPULSE_MSGID IFUP
expect_j "$up_id" PRIORITY 5
expect_j "$up_id" NETPULSE_STATE up
# The alert's own time, to the millisecond as stored.
ms=$(sql "SELECT created_ms FROM outbox WHERE id = $down_id")
want_time=$(python3 -c "import datetime,sys; t=int(sys.argv[1]); print(datetime.datetime.fromtimestamp(t // 1000, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S') + '.%03d000Z' % (t % 1000))" "$ms")
expect_j "$down_id" NETPULSE_TIME "$want_time"
pass "journald: IFDOWN and IFUP with their fields"

grep -E "^<27>1 [0-9T:.-]+Z testhost netpulse [0-9]+ IFDOWN \[netpulse@32473 id=\"$down_id\" device=\"$HOST\" interface=\"npa\" state=\"down\" previous=\"up\" " \
	"$T/netpulsed.log" >/dev/null || fail "no RFC 5424 IFDOWN line on stderr"
grep -E "^<29>1 [0-9T:.-]+Z testhost netpulse [0-9]+ IFUP \[netpulse@32473 id=\"$up_id\" " \
	"$T/netpulsed.log" >/dev/null || fail "no RFC 5424 IFUP line on stderr"
pass "stderr: one RFC 5424 line per alert"

# The journal goes away: the next alert waits for it, stderr still has it.
kill "$JPID"
wait "$JPID" 2>/dev/null || true
rm -f "$JSOCK"
ip -n "$NS" link set npb down
wait_for 20 'test "$(link_state)" = down' || fail "npa never reported down again"
id2=$(sql "SELECT max(id) FROM outbox WHERE msgid = 'IFDOWN'")
[ "$id2" != "$down_id" ] || fail "no second IFDOWN"
wait_for 20 "sqlite3 '$T/np.db' \"SELECT 1 FROM outbox_sink WHERE outbox = $id2 AND sink = 'stderr' AND delivered IS NOT NULL\" | grep -q 1" \
	|| fail "stderr did not deliver the second IFDOWN"
wait_log_count 1 "alert sink journald:$JSOCK: .*No such file or directory (alerts stay queued; retrying)" "$T/netpulsed.log" \
	|| fail "the missing journal was not logged"
test "$(sql "SELECT count(*) FROM outbox_sink WHERE outbox = $id2 AND sink = 'journald:$JSOCK' AND delivered IS NULL")" = 1 \
	|| fail "the alert was marked delivered to a missing journal"
pass "no journal: the alert stays pending for it"
