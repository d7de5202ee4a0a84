#!/usr/bin/env bash
# The netpulse CLI against real databases.
#  1. Live: netpulsed polls a veth in its own namespace at 1 s; the CLI reads while it writes
#     (WAL), follows an outage (open: it grows until now; closed: downtime == the IFUP
#     event's outage_seconds), vacuums while the daemon runs, and a non-root user reads the
#     database after the daemon stopped.
#  2. Exact: a copy of that database refilled with known rows; every report compared
#     byte for byte (fixed --now and --tz; global options after the command; -c config).
#  3. Exit status: usage errors 2, runtime errors 1, help/version 0.
source "$(dirname "$0")/lib.sh"
require_root
require_cmd sqlite3
chmod 755 "$T" # the non-root reader below
# ...runs its own copy of the CLI: the build tree may sit under a directory it cannot enter
# (a clone in root's home or in a mktemp -d).
install -m 755 "$NETPULSE" "$T/netpulse-ro"

make_netns
ip -n "$NS" link add npr0 type veth peer name npr1
ip -n "$NS" link set npr0 up
ip -n "$NS" link set npr1 up
ip -n "$NS" link add npr2 type veth peer name npr3 # its change is the write the reads overlap
ip -n "$NS" link set npr2 up
ip -n "$NS" link set npr3 up

cat >"$T/live.yaml" <<EOC
daemon: { database: $T/live.db, timezone: Europe/Berlin }
sources:
  - { name: ns-host, type: local, interval: 1s, include: ["^npr[02]\$"] }
EOC
# ip netns exec execs the daemon: $! is netpulsed itself, so the cleanup stops it.
ip netns exec "$NS" "$NETPULSED" --foreground -c "$T/live.yaml" >"$T/netpulsed.log" 2>&1 &
DPID=$!
CLEANUP+=("kill $DPID; wait $DPID")

np() { "$NETPULSE" -c "$T/live.yaml" "$@"; }
state() { np status --format json 2>/dev/null |
	json_get "[l['state'] for l in j['links'] if l['interface']=='npr0'][0]" 2>/dev/null; }
state_is() { test "$(state)" = "$1"; }
epoch() { python3 -c "import datetime,sys; print(int(datetime.datetime.fromisoformat(sys.argv[1]).timestamp()))" "$1"; }

wait_for 20 state_is up || fail "npr0 never reported up"
wait_for 20 'test "$(DB=$T/live.db link_state npr2)" = up' || fail "npr2 never reported up"
pass "status: npr0 up"

# Reads while the daemon writes: at least 30 status + downtime reads, and on until the
# daemon committed a write meanwhile. A poll that has nothing new to say writes nothing and
# runs.last_alive (whole seconds) moves only every 30 s, or with a link-state event: npr2
# goes down after the 15th read, once the clock is past alive0, and its event's commit moves
# last_alive while the reads go on.
alive() { sqlite3 "file:$T/live.db?mode=ro" "SELECT max(last_alive) FROM runs"; }
alive0=$(alive)
end=$((SECONDS + 60)) i=0 npr2_down=no
until [ $i -ge 30 ] && [ "$(alive)" != "$alive0" ]; do
	[ $SECONDS -lt $end ] || fail "runs.last_alive never moved from $alive0 in 60 s"
	i=$((i + 1))
	if [ $npr2_down = no ] && [ $i -ge 15 ] && [ "$(date +%s)" -gt "$alive0" ]; then
		ip -n "$NS" link set npr3 down
		npr2_down=yes
	fi
	np status >/dev/null || fail "status failed while the daemon writes (try $i)"
	np downtime --period 1h --format json >/dev/null || fail "downtime failed while writing"
	[ $i -lt 30 ] || sleep 0.1 # pacing the reads past the first 30, not waiting for anything
done
[ "$(np db check)" = ok ] || fail "db check while running"
pass "$i status + downtime reads and db check while the daemon writes (last_alive $alive0 -> $(alive))"

ip -n "$NS" link set npr1 down
wait_for 20 state_is down || fail "npr0 never reported down"
since=$(np status --format json | json_get "[l['since'] for l in j['links'] if l['interface']=='npr0'][0]")
[[ $since == *+01:00 || $since == *+02:00 ]] || fail "since not in Europe/Berlin: $since"
t_down=$(epoch "$since")
# An open outage counts up to now: with --now 100 s after it began it is exactly 100 s.
json=$(np downtime --period 1h --now $((t_down + 100)) --format json)
d=$(json_get "[l['down_seconds'] for l in j['links'] if l['interface']=='npr0'][0]" <<<"$json")
[ "$d" = 100 ] || fail "open outage: down_seconds=$d at now=since+100, want 100"
[ "$(json_get "j['period']['tz']" <<<"$json")" = Europe/Berlin ] || fail "period.tz"
pass "open outage counts up to now (100 s at since+100)"
n=$(np events --since 10m --state down --format json | json_get "len([e for e in j['events'] if e['interface']=='npr0'])")
[ "$n" = 1 ] || fail "events --state down: $n, want 1"

down_for() { python3 -c "import sys, time; sys.exit(0 if time.time() - $t_down >= $1 else 1)"; }
wait_for 20 down_for 2 || fail "the outage never lasted 2 s"
ip -n "$NS" link set npr1 up
wait_for 20 state_is up || fail "npr0 never came back up"
ev=$(np events --since 10m --format json)
outage=$(json_get "[e['outage_seconds'] for e in j['events'] if e['interface']=='npr0' and e['state']=='up' and e['outage_seconds'] is not None][0]" <<<"$ev")
first=$(json_get "j['events'][0]['state']" <<<"$ev")
[ "$first" = up ] || fail "events not newest first: first is $first"
json=$(np downtime --period 1h --format json)
read -r dsec nout avail obs < <(json_get "' '.join(str(l[k]) for l in j['links'] if l['interface']=='npr0' for k in ('down_seconds','outages','availability','observed_seconds'))" <<<"$json")
[ "$nout" = 1 ] || fail "downtime: $nout outages, want 1"
# Exact against the stored outage (whole seconds); the event's outage_seconds comes from
# millisecond times, so it may differ from the truncated start/end by one second.
row=$(sqlite3 "$T/live.db" "SELECT end - start FROM outages WHERE interface = 'npr0'")
[ "$dsec" = "$row" ] || fail "downtime $dsec s != outages row end - start = $row"
[ $((dsec - outage)) -ge -1 ] && [ $((dsec - outage)) -le 1 ] ||
	fail "downtime $dsec s vs IFUP outage_seconds $outage: more than 1 s apart"
python3 -c "import sys; d,o,a=int(sys.argv[1]),int(sys.argv[2]),float(sys.argv[3]); sys.exit(0 if round(1-d/o,6)==a else 1)" \
	"$dsec" "$obs" "$avail" || fail "availability $avail != 1 - $dsec/$obs"
pass "closed outage: downtime $dsec s == outages row, ~ outage_seconds $outage, availability $avail"

np db vacuum || fail "db vacuum while the daemon runs"
state_is up || fail "status after vacuum"
pass "db vacuum while running"

kill -TERM "$DPID"
wait "$DPID" || true
[ ! -e "$T/live.db-shm" ] || fail "the daemon left live.db-shm (the next check needs none)"
out=$(su -s /bin/sh nobody -c "'$T/netpulse-ro' --db '$T/live.db' --format csv status") ||
	fail "a non-root reader cannot read the stopped daemon's database"
[[ $out == *",npr0,up,"* ]] || fail "non-root status: $out"
[ ! -e "$T/live.db-shm" ] || fail "the reader created live.db-shm"
pass "non-root read of the stopped daemon's database (immutable, nothing created)"

# ---- 2. exact renderings on known rows ----
cp "$T/live.db" "$T/syn.db"
sqlite3 "$T/syn.db" <<'EOS'
DELETE FROM transitions; DELETE FROM outages; DELETE FROM unobserved; DELETE FROM links;
DELETE FROM runs; DELETE FROM verdicts; DELETE FROM baselines; DELETE FROM rollup_5m;
DELETE FROM rollup_1h; DELETE FROM rollup_1d; DELETE FROM collectors; DELETE FROM outbox_sink;
DELETE FROM outbox; DELETE FROM series;
INSERT INTO series (id, source, device, interface, kind, labels, first_seen, last_seen) VALUES
 (1, 'local', 'sw1', 'eth0', 'if', '{"site":"fra"}', 1790805600, 1790935200),
 (2, 'fc-east', '10.0.0.1', '', 'gauge', '{"site":"fra"}', 1790805600, 1790935200);
INSERT INTO links (device, interface, state, since, last_known, ever_up, flapping, sources) VALUES
 ('10.0.0.1', '', 'down', 1790809200, 'down', 1, 0, 'fc-east,fc-west'),
 ('sw1', 'eth0', 'up', 1790812800, 'up', 1, 0, 'local');
INSERT INTO outages (device, interface, start, end) VALUES
 ('sw1', 'eth0', 1790809200, 1790812800), ('10.0.0.1', '', 1790809200, NULL);
INSERT INTO runs (started, last_alive, version) VALUES (1790805600, 1790935200, 't');
INSERT INTO transitions (id, time, device, interface, state, previous, source, outage_seconds,
 alert) VALUES
 (1, 1790809200, '10.0.0.1', '', 'down', 'up', 'fc-east,fc-west', NULL, 'IFDOWN'),
 (2, 1790809200, 'sw1', 'eth0', 'down', 'up', 'local', NULL, 'IFDOWN'),
 (3, 1790812800, 'sw1', 'eth0', 'up', 'down', 'local', 3600, 'IFUP');
INSERT INTO rollup_1d (bucket, series, secs, rx_bytes, tx_bytes, peak_rx, peak_tx) VALUES
 (1790812800, 1, 86400, 1073741824, 536870912, 125000, 100),
 (1790899200, 1, 86400, 999999999, 0, 0, 0);
INSERT INTO rollup_1d (bucket, series, secs, gauge_min, gauge_max, gauge_sum, gauge_n) VALUES
 (1790812800, 2, 86400, 0, 2000, 24000, 24);
EOS
cat >"$T/syn.yaml" <<EOC
daemon: { database: $T/syn.db, timezone: Europe/Berlin }
sources:
  - { name: local, type: local }
EOC
NOW=1790935200 # 2026-10-02T12:00:00+02:00
syn() { "$NETPULSE" --db "$T/syn.db" --now $NOW "$@"; }
expect() { # expect NAME EXPECTED-FILE CMD...
	local name=$1 want=$2; shift 2
	"$@" >"$T/got.$name" 2>"$T/err.$name" || fail "$name: rc $? $(cat "$T/err.$name")"
	diff -u "$want" "$T/got.$name" || fail "$name: output differs"
	pass "$name"
}

cat >"$T/want.downtime.txt" <<'EOW'
period: 2026-10-01T00:00:00+02:00 .. 2026-10-02T00:00:00+02:00 (Europe/Berlin)
device    interface  down  outages  unobserved  availability
10.0.0.1  -           23h        1          0s        4.167%
sw1       eth0         1h        1          0s       95.833%
total     2 links      1d        2          0s       50.000%
EOW
expect downtime-text "$T/want.downtime.txt" syn downtime --period 2026-10-01..2026-10-01 --tz Europe/Berlin

cat >"$T/want.downtime.csv" <<'EOW'
device,interface,down_seconds,outages,unobserved_seconds,availability
10.0.0.1,,82800,1,0,0.041667
sw1,eth0,3600,1,0,0.958333
total,,86400,2,0,0.500000
EOW
# global options after the command, and -c giving database and zone
expect downtime-csv "$T/want.downtime.csv" "$NETPULSE" downtime --period 2026-10-01 -c "$T/syn.yaml" --format=csv --now $NOW

cat >"$T/want.events.csv" <<'EOW'
time,device,interface,state,previous,source,outage_seconds,alert,alert_id
2026-10-01T02:00:00+02:00,sw1,eth0,up,down,local,3600,IFUP,
2026-10-01T01:00:00+02:00,sw1,eth0,down,up,local,,IFDOWN,
2026-10-01T01:00:00+02:00,10.0.0.1,,down,up,"fc-east,fc-west",,IFDOWN,
EOW
expect events-csv "$T/want.events.csv" syn events --since 2026-10-01 --format csv --tz Europe/Berlin
cat >"$T/want.events-up.csv" <<'EOW'
time,device,interface,state,previous,source,outage_seconds,alert,alert_id
2026-10-01T00:00:00+00:00,sw1,eth0,up,down,local,3600,IFUP,
EOW
expect events-up "$T/want.events-up.csv" syn events --since 2d --state up --device sw1 --format csv
# Neither --tz nor daemon.timezone: the local zone, from TZ (a zone name or a POSIX rule).
cat >"$T/want.events-tz.csv" <<'EOW'
time,device,interface,state,previous,source,outage_seconds,alert,alert_id
2026-10-01T05:30:00+05:30,sw1,eth0,up,down,local,3600,IFUP,
EOW
expect events-tz-name "$T/want.events-tz.csv" env TZ=Asia/Kolkata "$NETPULSE" --db "$T/syn.db" \
	--now $NOW events --since 2d --state up --device sw1 --format csv
expect events-tz-rule "$T/want.events-tz.csv" env TZ='<+0530>-5:30' "$NETPULSE" --db "$T/syn.db" \
	--now $NOW events --since 2d --state up --device sw1 --format csv
# A period is a local calendar day too: 2026-10-01 in New York starts at 04:00Z.
json=$(env TZ=:America/New_York "$NETPULSE" --db "$T/syn.db" --now $NOW downtime \
	--period 2026-10-01 --format json)
[ "$(json_get "j['period']['start']" <<<"$json")" = 2026-10-01T00:00:00-04:00 ] ||
	fail "downtime in TZ=:America/New_York: $json"
pass "TZ=:America/New_York: calendar day in that zone"

cat >"$T/want.status.txt" <<'EOW'
device    interface  state  since                      sources          flapping
10.0.0.1  -          down   2026-10-01T01:00:00+02:00  fc-east,fc-west  no
sw1       eth0       up     2026-10-01T02:00:00+02:00  local            no
EOW
expect status-text "$T/want.status.txt" "$NETPULSE" -c "$T/syn.yaml" status
# daemon.timezone wins over TZ
expect status-text-tz "$T/want.status.txt" env TZ=Asia/Kolkata "$NETPULSE" -c "$T/syn.yaml" status

cat >"$T/want.usage.csv" <<'EOW'
site,series,rx_bytes,tx_bytes,rx_packets,tx_packets,rx_errors,tx_errors,rx_drops,tx_drops,avg_rx_bits_per_second,avg_tx_bits_per_second,peak_rx_bits_per_second,peak_tx_bits_per_second,gauge_min,gauge_avg,gauge_max
fra,2,1073741824,536870912,0,0,0,0,0,0,99420.539,49710.270,1000000.000,800.000,0,1000,2000
total,2,1073741824,536870912,0,0,0,0,0,0,99420.539,49710.270,1000000.000,800.000,0,1000,2000
EOW
expect usage-csv "$T/want.usage.csv" syn usage --period 2026-10-01 --tz UTC --group-by site --format csv

cat >"$T/want.usage.txt" <<'EOW'
period: 2026-10-01T00:00:00+00:00 .. 2026-10-02T00:00:00+00:00 (UTC)
source   device    interface  rx_bytes   tx_bytes  avg_rx_rate  avg_tx_rate  peak_rx_rate  peak_tx_rate  gauge_avg
fc-east  10.0.0.1  -               0 B        0 B      0 bit/s      0 bit/s       0 bit/s       0 bit/s       1000
local    sw1       eth0        1.0 GiB  512.0 MiB  99.4 kbit/s  49.7 kbit/s    1.0 Mbit/s     800 bit/s          -
total    -         -           1.0 GiB  512.0 MiB  99.4 kbit/s  49.7 kbit/s    1.0 Mbit/s     800 bit/s       1000
EOW
expect usage-text "$T/want.usage.txt" syn usage --period 2026-10-01 --tz UTC
awk 'length > 120 { print FILENAME ": " length " columns: " $0; bad = 1 } END { exit bad }' \
	"$T/got.usage-text" || fail "usage text wider than 120 columns"
pass "usage text fits 120 columns"

cat >"$T/want.usage-all.txt" <<'EOW'
period: 2026-10-01T00:00:00+00:00 .. 2026-10-02T00:00:00+00:00 (UTC)
source   device    interface  rx_bytes   tx_bytes  rx_packets  tx_packets  rx_errors  tx_errors  rx_drops  tx_drops  avg_rx_rate  avg_tx_rate  peak_rx_rate  peak_tx_rate  gauge_min  gauge_avg  gauge_max
fc-east  10.0.0.1  -               0 B        0 B           0           0          0          0         0         0        0 B/s        0 B/s         0 B/s         0 B/s          0       1000       2000
local    sw1       eth0        1.0 GiB  512.0 MiB           0           0          0          0         0         0   12.1 KiB/s    6.1 KiB/s   122.1 KiB/s       100 B/s          -          -          -
total    -         -           1.0 GiB  512.0 MiB           0           0          0          0         0         0   12.1 KiB/s    6.1 KiB/s   122.1 KiB/s       100 B/s          0       1000       2000
EOW
expect usage-all-bytes "$T/want.usage-all.txt" syn usage --period 2026-10-01 --tz UTC --all --units bytes
cat >"$T/want.usage-cols.csv" <<'EOW'
period: 2026-10-01T00:00:00+00:00 .. 2026-10-02T00:00:00+00:00 (UTC)
source   device    interface  tx_drops  peak_rx_rate
fc-east  10.0.0.1  -                 0       0 bit/s
local    sw1       eth0              0    1.0 Mbit/s
total    -         -                 0    1.0 Mbit/s
EOW
expect usage-columns "$T/want.usage-cols.csv" syn usage --period 2026-10-01 --tz UTC --columns tx_drops,peak_rx_rate
[ "$(syn usage --period 2026-10-01 --tz UTC --units bytes --format json | json_get "(j['total']['peak_rx_bytes_per_second'], j['total']['avg_rx_bytes_per_second'])")" = "(125000.0, 12427.567)" ] ||
	fail "usage --units bytes JSON"
[ "$(syn usage --period 2026-10-01 --tz UTC --format json | json_get "(j['total']['peak_rx_bits_per_second'], 'avg_rx_bytes_per_second' in j['total'])")" = "(1000000.0, False)" ] ||
	fail "usage JSON in bits"
pass "usage JSON: rates in bits per second by default, bytes with --units bytes, the key says which"

json=$(syn downtime --period 2026-10-01..2026-10-01 --tz Europe/Berlin --format json)
[ "$(json_get "(j['period']['start'], j['period']['end'], j['total']['links'], j['total']['down_seconds'], j['total']['availability'], [l['availability'] for l in j['links']])" <<<"$json")" = \
	"('2026-10-01T00:00:00+02:00', '2026-10-02T00:00:00+02:00', 2, 86400, 0.5, [0.041667, 0.958333])" ] ||
	fail "downtime JSON: $json"
pass "downtime JSON values"

# Every JSON document the CLI prints: an object starting with "version": 1, and in every array
# of objects the same keys in the same order (null, not omitted: the events have
# outage_seconds and alert only on some rows).
jdoc=0
for args in "status" "status --explain" "events --since 2026-09-01" "downtime --period 2026-10" \
	"usage --period 2026-10" "usage --period 2026-10 --per day" "egress --period 2026-10" \
	"top --period 2026-10" "export cato-summary --period 2026-10" "alerts" "alerts --dead" \
	"db check" "db dump" "db dump runs"; do
	# shellcheck disable=SC2086 # the words of $args are the arguments
	syn --format json $args >"$T/doc.json" || fail "$args --format json failed"
	python3 - "$T/doc.json" "$args" <<'PY' || fail "JSON of '$args' (above)"
import json, sys
d = json.load(open(sys.argv[1]))
bad = []
if not isinstance(d, dict) or list(d)[:1] != ["version"] or d["version"] != 1:
    bad.append("no leading \"version\": 1")
def walk(v, path):
    if isinstance(v, dict):
        for k, x in v.items():
            walk(x, path + "." + k)
    elif isinstance(v, list):
        objs = [x for x in v if isinstance(x, dict)]
        if objs and len(objs) == len(v) and any(list(o) != list(objs[0]) for o in objs):
            bad.append("%s: keys differ: %s" % (path, sorted({tuple(o) for o in objs})))
        for i, x in enumerate(v):
            walk(x, "%s[%d]" % (path, i))
walk(d, "")
for b in bad:
    print(sys.argv[2] + ": " + b)
sys.exit(1 if bad else 0)
PY
	jdoc=$((jdoc + 1))
done
[ "$(syn --format json events --since 2026-09-01 | json_get "[e['outage_seconds'] for e in j['events']]")" = "[3600, None, None]" ] ||
	fail "events JSON outage_seconds"
pass "$jdoc JSON documents: \"version\": 1 first, the same keys in every object of an array"

cat >"$T/want.runs.csv" <<'EOW'
id,started,last_alive,version
1,1790805600,1790935200,t
EOW
expect dump-runs "$T/want.runs.csv" syn db dump runs
syn db dump --format json | json_get "j['version'] == 1 and sorted(k for k in j if k != 'version') == sorted(['amounts','baselines','collectors','fold','links','maintenance','outages','outbox','outbox_sink','report_runs','rollup_1d','rollup_1h','rollup_5m','runs','series','transitions','unobserved','verdicts']) or sys.exit(1)" >/dev/null ||
	fail "db dump --format json tables"
pass "db dump --format json has every table"

# ---- 3. exit status ----
code() { # code WANT CMD...: exit status WANT, and for 1/2 a "netpulse: " message on stderr
	local want=$1; shift
	"$@" >"$T/out" 2>"$T/err" && rc=0 || rc=$?
	[ "$rc" = "$want" ] || fail "'$*' exited $rc, want $want: $(cat "$T/err")"
	if [ "$want" != 0 ]; then
		grep -q '^netpulse: ' "$T/err" || fail "'$*': no 'netpulse:' message: $(cat "$T/err")"
		[ ! -s "$T/out" ] || fail "'$*' wrote to stdout on error"
	fi
}
code 2 "$NETPULSE"
code 2 "$NETPULSE" frobnicate
grep -q '^usage: netpulse' "$T/err" || fail "unknown command: no usage on stderr"
code 2 "$NETPULSE" --db "$T/syn.db" status --bogus
code 2 "$NETPULSE" --db "$T/syn.db" --format xml status
code 2 "$NETPULSE" --db "$T/syn.db" --tz Mars/Olympus status
grep -q 'unknown time zone "Mars/Olympus"' "$T/err" || fail "bad --tz message: $(cat "$T/err")"
code 2 "$NETPULSE" --db "$T/syn.db" downtime --period last-fortnight
code 2 "$NETPULSE" --db "$T/syn.db" events --state sideways
code 2 "$NETPULSE" --db "$T/syn.db" events --since
code 2 "$NETPULSE" --db "$T/syn.db" usage --units nibbles
code 2 "$NETPULSE" --db "$T/syn.db" usage --columns rx_bytes,rx_bits
grep -q 'unknown column "rx_bits"' "$T/err" || fail "bad --columns message: $(cat "$T/err")"
code 2 "$NETPULSE" --db "$T/syn.db" usage --all --columns rx_bytes
code 2 "$NETPULSE" --db "$T/syn.db" events --since 1500ms
code 2 "$NETPULSE" --db "$T/syn.db" db
code 1 "$NETPULSE" --db "$T/nothing-here.db" status
code 1 "$NETPULSE" -c "$T/no-such.yaml" status
code 1 "$NETPULSE" --db "$T/syn.db" db dump no_such_table
printf 'this is not a database' >"$T/junk.db"
code 1 "$NETPULSE" --db "$T/junk.db" db check
code 0 "$NETPULSE" --help
grep -q '^  downtime ' "$T/out" || fail "--help lists no downtime command"
code 0 "$NETPULSE" downtime --help
grep -q -- '--period PERIOD' "$T/out" || fail "downtime --help"
code 0 "$NETPULSE" --version
[ "$(cat "$T/out")" = "netpulse $(sed -n 's/^project(netpulse VERSION \([0-9.]*\).*/\1/p' "$NP_SRC/CMakeLists.txt")" ] ||
	fail "--version: $(cat "$T/out")"
pass "exit status: usage 2, errors 1, help/version 0"
