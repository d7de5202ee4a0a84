#!/usr/bin/env bash
# netpulsed (type: meraki) end to end against the Meraki API simulator (tests/sim/meraki_sim.py).
# Every run is `netpulsed --once`; the simulator's clock is set through its control API and the
# daemon's wall clock through libfaketime at the same instant (monotonic clock real). Checks,
# with values computed by hand (and by tests/sim/expect.py for every row):
#   1. a 5-day back-fill stores each complete UTC day per network x group (subnet, vlan_ids,
#      vlan_names resolved per network, unmatched), zero rows included, not the running day;
#      sent = tx_bytes, received = rx_bytes, 1 kB = 1000 B; `netpulse usage --per day` JSON
#      and CSV exactly; the client paces itself (no 429 in an organization of 38 requests);
#   2. IP-less clients (vlan_ids match; nothing: unmatched; `unmatched: drop`);
#   3. a re-poll later the same day makes no clients call; a deleted stored day is filled
#      again exactly once; a group added later is filled back, the others' days replaced;
#   4. three days down: exactly the 3 missing days are filled, 4 clients calls per network;
#   5. faults: 503, 429 + Retry-After, a slow answer, a 307 to another host (no auth there);
#   6. device statuses as link states (name, serial when unnamed);
#   7. a wrong API key: exit 1, the log names the peer and HTTP 401, never the key;
#   8. DST: day_tz Europe/Zurich over 2026-10-25 (a 25-hour day).
source "$(dirname "$0")/lib.sh"
require_root
require_cmd curl openssl python3 sqlite3
FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
[ -f "$FAKETIME_LIB" ] || skip "needs libfaketime"
make_netns

KEY=mk-test-key-7f3a9c
DAY=86400
D0=1773100800 # 2026-03-10T00:00:00Z: "today" of the first runs
d() { echo $((D0 - $1 * DAY)); } # the midnight $1 days before D0

# The daemon's clock lies in the past and the future of the real one: the test CA and server
# certificate are made under libfaketime at 2026-01-01, valid 1000 days (lib.sh's are 2 days).
certs() {
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

# at UNIX: the simulator's clock and the daemon's (next runs) both at UNIX.
NOW_S=0
at() {
	NOW_S=$1
	sim_ctl POST /_sim/now "{\"now\": $1}" >/dev/null
}
# once CONFIG [KEY]: one netpulsed --once run at NOW_S with debug logging into $T/run.log
# (also appended to $T/netpulsed.log); its exit status in $RC.
once() {
	local when
	when=$(date -u -d "@$NOW_S" '+%Y-%m-%d %H:%M:%S')
	RC=0
	ip netns exec "$NS" env LD_PRELOAD=$FAKETIME_LIB FAKETIME="@$when" FAKETIME_DONT_FAKE_MONOTONIC=1 \
		TZ=UTC MERAKI_KEY="${2:-$KEY}" "$NETPULSED" --once -v -c "$1" >"$T/run.out" 2>&1 || RC=$?
	cat "$T/run.out" >>"$T/netpulsed.log"
}
# rows DB [SOURCE]: the stored amounts, one line each: device|group|start|end|rx|tx (sorted).
rows() {
	sqlite3 "$1" "SELECT s.device, s.interface, a.start, a.end, a.rx_bytes, a.tx_bytes
		FROM amounts a JOIN series s ON s.id = a.series WHERE s.source = '${2:-meraki}'
		ORDER BY s.device, s.interface, a.start"
}
# row DB DEVICE GROUP START: "rx tx" of one stored day.
row() {
	sqlite3 -separator ' ' "$1" "SELECT a.rx_bytes, a.tx_bytes FROM amounts a JOIN series s
		ON s.id = a.series WHERE s.device = '$2' AND s.interface = '$3' AND a.start = $4"
}
clients_calls() { sim_stat "sorted((c['network'], int(float(c['t0']))) for c in j['clients_calls'])"; }

# ---- the organization: Branch 1 and 2 carry traffic, Branch 3-5 are idle (no VLANs: 400) ----
# Groups: Office (subnet 10.10.0.0/16), Voice (vlan_ids [50]), Guest (vlan_names [Guest]:
# VLAN 20 in Branch 1, VLAN 40 in Branch 2, where VLAN 20 is "Lab").
idle_net() { # idle_net N STATUS
	echo "{\"id\": \"L_$1\", \"name\": \"Branch $1\", \"devices\": [{\"serial\": \"Q-MX-$1\",
	  \"name\": \"b$1-mx\", \"model\": \"MX67\", \"status\": \"$2\"}], \"clients\": []}"
}
cat >"$T/scenario.json" <<EOF
{"api_key": "$KEY", "now": $((D0 + 43200)),
 "organizations": [
  {"id": "500001", "name": "Org A", "networks": [
   {"id": "L_1", "name": "Branch 1", "timeZone": "Europe/Zurich",
    "vlans": [{"id": "10", "name": "Corp", "subnet": "10.10.0.0/24"},
              {"id": "20", "name": "Guest", "subnet": "192.168.20.0/24"}],
    "devices": [{"serial": "Q-MX-1", "name": "b1-mx", "model": "MX68", "status": "online"},
                {"serial": "Q-MR-1", "name": "b1-ap", "model": "MR46", "status": "offline"}],
    "clients": [
     {"id": "c01", "mac": "02:00:00:00:01:01", "ip": "10.10.0.21", "vlan": "10",
      "events": [[$(($(d 6) + 100)), 50, 50], [$(($(d 5) + 3600)), 10.5, 20],
                 [$(($(d 3) + 7200)), 100, 1000.5], [$(($(d 1) + 86399)), 1, 2],
                 [$((D0 + 60)), 7, 7], [$((D0 + 50000)), 900, 900]]},
     {"id": "c02", "mac": "02:00:00:00:01:02", "ip": "192.168.20.5", "vlan": "20",
      "events": [[$(($(d 4) + 100)), 3, 4.5], [$(d 1), 0.5, 0.5]]},
     {"id": "c03", "mac": "02:00:00:00:01:03", "ip": null, "vlan": "50",
      "events": [[$(($(d 2) + 500)), 8, 16]]},
     {"id": "c04", "mac": "02:00:00:00:01:04", "ip": null, "vlan": null,
      "events": [[$(($(d 2) + 600)), 2.5, 1]]},
     {"id": "c05", "mac": "02:00:00:00:01:05", "ip": "172.16.0.9", "vlan": "40",
      "events": [[$(($(d 3) + 10)), 4, 6]]}]},
   {"id": "L_2", "name": "Branch 2", "timeZone": "America/New_York",
    "vlans": [{"id": "20", "name": "Lab", "subnet": "192.168.20.0/24"},
              {"id": "40", "name": "Guest", "subnet": "192.168.40.0/24"}],
    "devices": [{"serial": "Q-Z3-2", "name": null, "model": "Z3", "status": "offline"}],
    "clients": [
     {"id": "d01", "mac": "02:00:00:00:02:01", "ip": "192.168.40.5", "vlan": "40",
      "events": [[$(d 5), 1.5, 2.5], [$(($(d 1) + 3600)), 1, 1]]},
     {"id": "d02", "mac": "02:00:00:00:02:02", "ip": "192.168.20.7", "vlan": "20",
      "events": [[$(($(d 4) + 50)), 30, 40]]},
     {"id": "d03", "mac": "02:00:00:00:02:03", "ip": "10.10.5.5", "vlan": 50,
      "events": [[$(($(d 2) + 1)), 5, 5.5]]}]},
   $(idle_net 3 online), $(idle_net 4 alerting), $(idle_net 5 dormant)]}]}
EOF
python3 -m json.tool "$T/scenario.json" >/dev/null || fail "scenario JSON invalid"
certs "$T/sim"
meraki_sim_start "$T/sim" "$T/scenario.json" >/dev/null

GROUPS_YAML='[ { name: Office, subnets: [10.10.0.0/16] }, { name: Voice, vlan_ids: [50] },
              { name: Guest, vlan_names: [Guest] } ]'
GROUPS_JSON='[{"name": "Office", "subnets": ["10.10.0.0/16"]}, {"name": "Voice", "vlan_ids": [50]},
              {"name": "Guest", "vlan_names": ["Guest"]}]'
# conf FILE DB SOURCE [EXTRA KEYS]
conf() {
	cat >"$1" <<EOF
daemon: { database: $2 }
sources:
  - { name: $3, type: meraki, api_key_env: MERAKI_KEY, base_url: "$SIM_BASE", ca_file: $SIM_CA,
      backfill: 5d, groups: $GROUPS_YAML ${4:+, $4} }
EOF
}
DB=$T/np.db
conf "$T/np.yaml" "$DB" meraki

# ======== 1. first run: a 5-day back-fill ========
at $((D0 + 43200)) # 2026-03-10T12:00Z
once "$T/np.yaml"
[ $RC = 0 ] || fail "first run exited $RC: $(tail -n 20 "$T/run.out")"
RATE_429_FIRST=$(sim_stat "j['status_429']") # asserted at the end (the rest runs first)
MAX_RPS_FIRST=$(sim_stat "j['max_rps_per_org']['500001']")
[ "$(sim_stat "j['requests']['network_clients']")" -ge 30 ] || fail "expected 5 networks x 6 clients calls"

# expect_rows DB SOURCE FROM TO [EXPECT ARGS]: every stored amount of SOURCE equals what
# expect.py computes from the scenario's events for the local days FROM..TO (zero rows included).
expect_rows() {
	local db=$1 src=$2 from=$3 to=$4
	shift 4
	python3 "$SIM_DIR/expect.py" --scenario "$T/scenario.json" --groups "$GROUPS_JSON" \
		--from "$from" --to "$to" "$@" |
		python3 -c 'import json,sys
for l in sys.stdin:
    r = json.loads(l)
    print("%s|%s|%d|%d|%d|%d" % (r["network"], r["group"], r["start"], r["end"], r["rx_bytes"], r["tx_bytes"]))' |
		sort >"$T/expect.txt"
	rows "$db" "$src" | sort >"$T/stored.txt"
	diff "$T/expect.txt" "$T/stored.txt" >"$T/rows.diff" || fail "stored amounts of $src differ from expect.py: $(cat "$T/rows.diff")"
}
# By hand (kB x 1000; rx = recv, tx = sent), 2026-03-05 .. 2026-03-09 (UTC days):
#   Branch 1 Office 03-05 rx 20000 tx 10500 (10.5 kB sent: half kB exact)
#   Branch 1 Office 03-07 rx 1000500 tx 100000; 03-09 rx 2000 tx 1000 (at 23:59:59)
#   Branch 1 Guest (VLAN 20 "Guest") 03-06 rx 4500 tx 3000; 03-09 rx 500 tx 500 (at 00:00:00)
#   Branch 1 Voice (ip null, vlan "50") 03-08 rx 16000 tx 8000
#   Branch 1 unmatched: 03-07 rx 6000 tx 4000 (VLAN 40 is no Guest here),
#                       03-08 rx 1000 tx 2500 (ip null, vlan null)
#   Branch 2 Guest (VLAN 40 "Guest") 03-05 rx 2500 tx 1500; 03-09 rx 1000 tx 1000
#   Branch 2 unmatched (VLAN 20 is "Lab" here) 03-06 rx 40000 tx 30000
#   Branch 2 Office (10.10.5.5, vlan 50 as a number: the subnet group comes first) 03-08
#     rx 5500 tx 5000
# Not stored: 03-04 (before the back-fill), the running day 03-10 (c01 7 kB at 00:01).
check_hand() {
	local want
	for want in "Branch 1|Office|$(d 5)|20000 10500" "Branch 1|Office|$(d 3)|1000500 100000" \
		"Branch 1|Office|$(d 1)|2000 1000" "Branch 1|Guest|$(d 4)|4500 3000" \
		"Branch 1|Guest|$(d 1)|500 500" "Branch 1|Voice|$(d 2)|16000 8000" \
		"Branch 1|unmatched|$(d 3)|6000 4000" "Branch 1|unmatched|$(d 2)|1000 2500" \
		"Branch 1|Office|$(d 4)|0 0" "Branch 2|Guest|$(d 5)|2500 1500" \
		"Branch 2|Guest|$(d 1)|1000 1000" "Branch 2|unmatched|$(d 4)|40000 30000" \
		"Branch 2|Office|$(d 2)|5500 5000" "Branch 2|Voice|$(d 1)|0 0" "Branch 5|Guest|$(d 3)|0 0"; do
		IFS='|' read -r dev grp start val <<<"$want"
		[ "$(row "$1" "$dev" "$grp" "$start")" = "$val" ] ||
			fail "$dev $grp day $start: stored '$(row "$1" "$dev" "$grp" "$start")', expected '$val'"
	done
}
check_hand "$DB"
[ "$(rows "$DB" | wc -l)" = 100 ] || fail "$(rows "$DB" | wc -l) rows stored, expected 5 networks x 4 groups x 5 days"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM amounts WHERE start < $(d 5) OR end > $D0")" = 0 ] ||
	fail "a day outside 03-05..03-09 (the running day?) was stored"
expect_rows "$DB" meraki 2026-03-05 2026-03-09
pass "back-fill: 100 day rows (5 networks x 4 groups x 5 days) exact, running day not stored"

# report_check DB SOURCE PERIOD TZ: `netpulse usage --per day` JSON rows and the CSV equal, row for
# row and byte for byte, what $T/expect.txt (sorted stored rows) says.
report_check() {
	local db=$1 src=$2 period=$3 tz=$4 args
	args=(--db "$db" --tz "$tz" usage --source "$src" --group-by network,group --per day --period "$period")
	"$NETPULSE" --format json "${args[@]}" >"$T/usage.json" || fail "usage json"
	"$NETPULSE" --format csv "${args[@]}" >"$T/usage.csv" || fail "usage csv"
	python3 - "$T/expect.txt" "$T/usage.json" "$T/usage.csv" "$tz" <<'PY' || fail "usage report differs (above)"
import json, sys, datetime, zoneinfo
exp, uj, uc, tz = sys.argv[1], sys.argv[2], sys.argv[3], zoneinfo.ZoneInfo(sys.argv[4])
iso = lambda t: datetime.datetime.fromtimestamp(t, tz).isoformat()
rows = []
for l in open(exp):
    net, grp, s, e, rx, tx = l.rstrip("\n").split("|")
    rows.append((int(s), net, grp, int(e), int(rx), int(tx)))
rows.sort()
want_json = [{"start": iso(s), "end": iso(e), "group": {"network": n, "group": g}, "rx_bytes": rx,
              "tx_bytes": tx} for s, n, g, e, rx, tx in rows]
j = json.load(open(uj))
got_json = [{k: r[k] for k in ("start", "end", "group", "rx_bytes", "tx_bytes")} for r in j["rows"]]
ok = True
if got_json != want_json:
    print("JSON rows differ:\n got %s\nwant %s" % (got_json, want_json)); ok = False
srx, stx = sum(r[4] for r in rows), sum(r[5] for r in rows)
if (j["total"]["rx_bytes"], j["total"]["tx_bytes"]) != (srx, stx):
    print("JSON total", j["total"], "want", srx, stx); ok = False
secs = sum(r[3] - r[0] for r in rows) / max(1, len({(r[1], r[2]) for r in rows}))
hdr = ("start,network,group,series,rx_bytes,tx_bytes,rx_packets,tx_packets,rx_errors,tx_errors,"
       "rx_drops,tx_drops,avg_rx_bits_per_second,avg_tx_bits_per_second,peak_rx_bits_per_second,"
       "peak_tx_bits_per_second,gauge_min,gauge_avg,gauge_max")
want_csv = [hdr] + ["%s,%s,%s,1,%d,%d,0,0,0,0,0,0,%.3f,%.3f,0.000,0.000,,," %
                    (iso(s), n, g, rx, tx, rx / (e - s) * 8, tx / (e - s) * 8) for s, n, g, e, rx, tx in rows]
nser = len({(r[1], r[2]) for r in rows})
want_csv.append(",total,,%d,%d,%d,0,0,0,0,0,0,%.3f,%.3f,0.000,0.000,,," % (nser, srx, stx, srx / secs * 8, stx / secs * 8))
got_csv = open(uc).read().splitlines()
if got_csv != want_csv:
    import difflib
    print("\n".join(difflib.unified_diff(want_csv, got_csv, "want", "got", lineterm=""))); ok = False
sys.exit(0 if ok else 1)
PY
}
report_check "$DB" meraki 2026-03-05..2026-03-09 UTC
[ "$(json_get "(j['total']['rx_bytes'], j['total']['tx_bytes'])" <"$T/usage.json")" = "(1099500, 167000)" ] ||
	fail "usage total $(json_get "j['total']" <"$T/usage.json"), expected rx 1099500 tx 167000"
pass "usage --per day: 100 JSON rows and the CSV exact, total rx 1099500 tx 167000"

# ======== device statuses as link states ========
"$NETPULSE" --db "$DB" --format json status >"$T/status.json"
[ "$(json_get "sorted((l['device'], l['interface'], l['state']) for l in j['links'])" <"$T/status.json")" = \
	"[('Q-Z3-2', '', 'down'), ('b1-mx', '', 'up'), ('b3-mx', '', 'up'), ('b4-mx', '', 'up'), ('b5-mx', '', 'down')]" ] ||
	fail "status: $(cat "$T/status.json")"
pass "status: MX online/alerting up, offline (unnamed Z3: its serial)/dormant down, the MR not selected"

# ======== 2. unmatched: drop (a second source, own database) ========
conf "$T/drop.yaml" "$T/drop.db" meraki-drop "unmatched: drop"
sim_ctl POST /_sim/stats/reset >/dev/null
once "$T/drop.yaml"
[ $RC = 0 ] || fail "drop run exited $RC"
[ "$(sqlite3 "$T/drop.db" "SELECT count(*) FROM series WHERE interface = 'unmatched'")" = 0 ] || fail "unmatched stored with drop"
expect_rows "$T/drop.db" meraki-drop 2026-03-05 2026-03-09 --unmatched drop
[ "$(rows "$T/drop.db" meraki-drop | wc -l)" = 75 ] || fail "drop: not 75 rows"
[ "$(rows "$T/drop.db" meraki-drop | grep -v unmatched)" = "$(rows "$DB" | grep -v '|unmatched|')" ] ||
	fail "drop changed the other groups"
pass "unmatched: drop: no unmatched series, the 3 groups' 75 rows unchanged (IP-less vlan 50 still Voice)"

# ======== 3. re-poll later the same day; a deleted day is filled again exactly once ========
rows "$DB" >"$T/before.txt"
sim_ctl POST /_sim/stats/reset >/dev/null
at $((D0 + 64800)) # 18:00 the same day
once "$T/np.yaml"
[ $RC = 0 ] || fail "re-poll exited $RC"
[ "$(sim_stat "len(j['clients_calls'])")" = 0 ] || fail "re-poll made clients calls: $(clients_calls)"
rows "$DB" | diff "$T/before.txt" - >/dev/null || fail "re-poll changed stored amounts"
pass "re-poll the same day: no clients call, stored amounts unchanged"

sqlite3 "$DB" "DELETE FROM amounts WHERE start = $(d 1) AND series IN
	(SELECT id FROM series WHERE device = 'Branch 1')"
sim_ctl POST /_sim/stats/reset >/dev/null
once "$T/np.yaml"
[ $RC = 0 ] || fail "refill run exited $RC"
[ "$(clients_calls)" = "[('L_1', $(d 1)), ('L_1', $D0)]" ] || fail "refill asked $(clients_calls)"
rows "$DB" | diff "$T/before.txt" - || fail "the refilled day differs"
expect_rows "$DB" meraki 2026-03-05 2026-03-09
report_check "$DB" meraki 2026-03-05..2026-03-09 UTC
pass "deleted day 03-09 of Branch 1 refilled (t0 03-09 and 03-10 only), totals exactly once"

# A group added since (Lab: VLAN 20 of Branch 2) has no stored day: every network is filled back
# again; the other groups' days are replaced with what the new grouping gives (Branch 2's
# unmatched 03-06 moves to Lab), never added. On a copy of the database.
cp "$DB" "$T/lab.db"
GROUPS_YAML_BASE=$GROUPS_YAML GROUPS_JSON_BASE=$GROUPS_JSON
GROUPS_YAML="${GROUPS_YAML%]}, { name: Lab, vlan_names: [Lab] } ]"
GROUPS_JSON="${GROUPS_JSON%]}, {\"name\": \"Lab\", \"vlan_names\": [\"Lab\"]}]"
conf "$T/lab.yaml" "$T/lab.db" meraki
sim_ctl POST /_sim/stats/reset >/dev/null
once "$T/lab.yaml"
[ $RC = 0 ] || fail "added-group run exited $RC"
want=$(python3 -c "print(sorted(('L_%d' % n, $D0 + k * 86400) for n in range(1, 6) for k in range(-5, 1)))")
[ "$(clients_calls)" = "$want" ] || fail "added group asked $(clients_calls), expected $want"
[ "$(rows "$T/lab.db" | wc -l)" = 125 ] || fail "added group: $(rows "$T/lab.db" | wc -l) rows, expected 5 x 5 x 5"
[ "$(row "$T/lab.db" "Branch 2" Lab $(d 4))" = "40000 30000" ] || fail "Lab 03-06: $(row "$T/lab.db" "Branch 2" Lab $(d 4))"
[ "$(row "$T/lab.db" "Branch 2" unmatched $(d 4))" = "0 0" ] || fail "unmatched 03-06 not replaced"
expect_rows "$T/lab.db" meraki 2026-03-05 2026-03-09
GROUPS_YAML=$GROUPS_YAML_BASE GROUPS_JSON=$GROUPS_JSON_BASE
pass "a group added later: every network filled back 5 days, Branch 2 unmatched 03-06 replaced by Lab (40000/30000), 125 rows exact"

# ======== 4. three days down: 03-10, 03-11, 03-12 filled at 03-13 12:00 ========
sim_ctl POST /_sim/events "{\"network\": \"L_1\", \"client\": \"c02\", \"events\":
	[[$((D0 + 86400 + 5)), 1.5, 2], [$((D0 + 2 * 86400 + 86399)), 3, 4], [$((D0 + 3 * 86400 + 10)), 99, 99]]}" >/dev/null
sim_ctl POST /_sim/events "{\"network\": \"L_2\", \"client\": \"d02\", \"events\": [[$((D0 + 100)), 0.5, 1.5]]}" >/dev/null
# The same events in the scenario file, for expect.py.
python3 - "$T/scenario.json" "$D0" <<'PY'
import json, sys
p, d0 = sys.argv[1], int(sys.argv[2])
sc = json.load(open(p))
for n in sc["organizations"][0]["networks"]:
    for c in n["clients"]:
        if c["id"] == "c02":
            c["events"] += [[d0 + 86400 + 5, 1.5, 2], [d0 + 2 * 86400 + 86399, 3, 4], [d0 + 3 * 86400 + 10, 99, 99]]
        if c["id"] == "d02":
            c["events"] += [[d0 + 100, 0.5, 1.5]]
json.dump(sc, open(p, "w"))
PY
sim_ctl POST /_sim/stats/reset >/dev/null
at $((D0 + 3 * DAY + 43200))
once "$T/np.yaml"
[ $RC = 0 ] || fail "after-downtime run exited $RC"
want=$(python3 -c "print(sorted(('L_%d' % n, $D0 + k * 86400) for n in range(1, 6) for k in range(4)))")
[ "$(clients_calls)" = "$want" ] || fail "after downtime asked $(clients_calls), expected $want"
[ "$(rows "$DB" | wc -l)" = 160 ] || fail "$(rows "$DB" | wc -l) rows, expected 100 + 5 x 4 x 3"
# By hand: 03-10 Branch 1 Office rx 907000 tx 907000 (c01 at 00:01 and 13:53, the latter
# after the first runs' now); Branch 2 unmatched rx 1500
# tx 500; 03-11 Branch 1 Guest rx 2000 tx 1500; 03-12 rx 4000 tx 3000 (23:59:59); the 99 kB of
# 03-13 (running) not stored.
[ "$(row "$DB" "Branch 1" Office $D0)" = "907000 907000" ] || fail "03-10 Office: $(row "$DB" "Branch 1" Office $D0)"
[ "$(row "$DB" "Branch 2" unmatched $D0)" = "1500 500" ] || fail "03-10 B2 unmatched"
[ "$(row "$DB" "Branch 1" Guest $((D0 + DAY)))" = "2000 1500" ] || fail "03-11 Guest"
[ "$(row "$DB" "Branch 1" Guest $((D0 + 2 * DAY)))" = "4000 3000" ] || fail "03-12 Guest"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM amounts WHERE end > $((D0 + 3 * DAY))")" = 0 ] || fail "running day 03-13 stored"
expect_rows "$DB" meraki 2026-03-05 2026-03-12
report_check "$DB" meraki 2026-03-05..2026-03-12 UTC
pass "three days down: exactly 03-10..03-12 filled (4 clients calls per network), values exact"

# ======== 5. faults on 03-14 12:00 (day 03-13 to store) ========
T13=$((D0 + 3 * DAY))
sim_ctl POST /_sim/faults "{\"faults\": [
 {\"path\": \"/networks/L_1/clients\", \"status\": 503, \"nth\": 1, \"count\": 1},
 {\"path\": \"/networks/L_2/clients\", \"status\": 429, \"retry_after\": 1, \"nth\": 1, \"count\": 1},
 {\"path\": \"/networks/L_3/clients\", \"delay\": 2, \"nth\": 1, \"count\": 1},
 {\"path\": \"/networks/L_4/clients\\\\?t0=$T13\", \"redirect\": 307, \"nth\": 1, \"count\": 1}]}" >/dev/null
sim_ctl POST /_sim/stats/reset >/dev/null
at $((T13 + DAY + 43200))
once "$T/np.yaml"
[ $RC = 0 ] || fail "faults run exited $RC: $(grep -v 'debug: meraki: GET' "$T/run.out" | tail -n 5)"
[ "$(sim_stat "[f['fired'] if isinstance(f, dict) else f for f in j['faults_fired']]")" = "[1, 1, 1, 1]" ] ||
	fail "faults fired: $(sim_stat "j['faults_fired']")"
[ "$(sim_stat "(j['redirects_issued'], j['redirects_followed'], j['auth_on_redirect_host'])")" = "(1, 1, 0)" ] ||
	fail "redirect: $(sim_stat "(j['redirects_issued'], j['redirects_followed'], j['auth_on_redirect_host'])")"
# The injected 429 fired (faults_fired above; the sim's status_429 counts rate-limit 429s
# only). Pacing is checked at the end, on the first run.
RATE_429_FAULTS=$(sim_stat "j['status_429']")
[ "$(rows "$DB" | wc -l)" = 180 ] || fail "$(rows "$DB" | wc -l) rows after the faults run, expected 180"
# By hand: 03-13 Branch 1 Guest rx 99000 tx 99000 (c02 at 00:00:10).
[ "$(row "$DB" "Branch 1" Guest $T13)" = "99000 99000" ] || fail "03-13 Guest: $(row "$DB" "Branch 1" Guest $T13)"
expect_rows "$DB" meraki 2026-03-05 2026-03-13
report_check "$DB" meraki 2026-03-05..2026-03-13 UTC
sim_ctl POST /_sim/faults '{"faults": []}' >/dev/null
pass "faults: 503 and 429 (Retry-After 1) retried, 2 s delay waited, 307 to 127.0.0.2 followed without auth: day 03-13 stored for all 5 networks"

# ======== 6. a wrong API key ========
once "$T/np.yaml" wrong-key-55aa11
[ $RC != 0 ] || fail "a wrong key exited 0"
grep -q "HTTP 401" "$T/run.out" || fail "no 'HTTP 401' in the log: $(cat "$T/run.out")"
grep -q "127.0.0.1:$SIM_PORT" "$T/run.out" || fail "the log does not name the peer: $(cat "$T/run.out")"
! grep -qF wrong-key-55aa11 "$T/netpulsed.log" || fail "the wrong key is in the log"
! grep -qF "$KEY" "$T/netpulsed.log" || fail "the key is in the log"
pass "wrong key: exit $RC, '$(grep -m1 'HTTP 401' "$T/run.out" | cut -c1-160)', no key in any log"

# ======== 7. DST: day_tz Europe/Zurich over 2026-10-25 (CEST -> CET, a 25-hour day) ========
Z25=1792879200 # 2026-10-25T00:00+02:00
Z26=1792969200 # 2026-10-26T00:00+01:00 (90000 s later)
Z27=1793055600 # 2026-10-27T00:00+01:00
python3 - "$T/scenario.json" "$T/dst.json" <<PY
import json, sys
sc = json.load(open(sys.argv[1]))
net = sc["organizations"][0]["networks"][0]
net["clients"] = [{"id": "z1", "mac": "02:00:00:00:09:01", "ip": "10.10.0.50", "vlan": "10",
  "events": [[$Z25 - 1, 111, 111], [$Z25 + 3600, 1, 2], [$((Z26 - 1800)), 10, 20.5],
             [$((Z26 + 1800)), 30, 40], [$((Z27 - 1)), 0.5, 1.5], [$Z27, 222, 222]]}]
sc["organizations"][0]["networks"] = [net]
sc["now"] = $((Z27 + 46800))
json.dump(sc, open(sys.argv[2], "w"))
PY
sim_ctl POST /_sim/scenario "@$T/dst.json" >/dev/null 2>&1 || sim_ctl POST /_sim/scenario "$(cat "$T/dst.json")" >/dev/null
cat >"$T/dst.yaml" <<EOF
daemon: { database: $T/dst.db }
sources:
  - { name: meraki, type: meraki, api_key_env: MERAKI_KEY, base_url: "$SIM_BASE", ca_file: $SIM_CA,
      backfill: 2d, day_tz: Europe/Zurich, groups: [ { name: Office, subnets: [10.10.0.0/16] } ] }
EOF
at $((Z27 + 46800)) # 2026-10-27T13:00+01:00
once "$T/dst.yaml"
[ $RC = 0 ] || fail "DST run exited $RC"
# By hand: 10-25 (25 h) rx 1000 x (2 + 20.5) = 22500, tx 11000 (1 kB at 01:00, 10 kB at 23:30);
# 10-26 rx 41500 tx 30500 (00:30 and 23:59:59); 10-24 (111 kB) and 10-27 (222 kB) not stored.
[ "$(rows "$T/dst.db")" = "Branch 1|Office|$Z25|$Z26|22500|11000
Branch 1|Office|$Z26|$Z27|41500|30500
Branch 1|unmatched|$Z25|$Z26|0|0
Branch 1|unmatched|$Z26|$Z27|0|0" ] || fail "DST rows: $(rows "$T/dst.db")"
GROUPS_JSON='[{"name": "Office", "subnets": ["10.10.0.0/16"]}]'
cp "$T/dst.json" "$T/scenario.json"
expect_rows "$T/dst.db" meraki 2026-10-25 2026-10-26 --day-tz Europe/Zurich
report_check "$T/dst.db" meraki 2026-10-25..2026-10-26 Europe/Zurich
[ "$(json_get "[r['start'] + ' ' + r['end'] for r in j['rows'] if r['group']['group'] == 'Office']" <"$T/usage.json")" = \
	"['2026-10-25T00:00:00+02:00 2026-10-26T00:00:00+01:00', '2026-10-26T00:00:00+01:00 2026-10-27T00:00:00+01:00']" ] ||
	fail "DST report days: $(cat "$T/usage.json")"
pass "DST: 10-25 stored as [00:00+02:00, 00:00+01:00) = 90000 s, 23:30 on the 25th, 00:30 on the 26th"

# ======== the client paces itself (first run: 38 requests in organization 500001) ========
[ "$RATE_429_FIRST" = 0 ] ||
	fail "pacing: the 5-network back-fill (38 requests in one organization) got $RATE_429_FIRST x 429 (max $MAX_RPS_FIRST requests in 1 s; the faults run got $RATE_429_FAULTS, 1 injected)"
pass "pacing: no 429 in the back-fill (max $MAX_RPS_FIRST requests in 1 s in the organization)"
