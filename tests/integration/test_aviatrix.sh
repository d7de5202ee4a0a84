#!/usr/bin/env bash
# netpulsed (type: aviatrix) end to end against the CoPilot simulator (tests/sim/copilot_sim.py).
# Expected values come from tests/sim/copilot_expect.py (the scenario's counters and flows, not
# the API) and, for the key ones, by hand. The daemon's clock is libfaketime's, the simulator's
# is set through its control API to the same instant. Checks:
#   1. three `--once` runs at 02:01, 04:01 and (six hours down) 10:01 on 2026-03-10: every
#      5-minute delta of eth0 and every tunnel of the three spokes exact (usage --per hour),
#      including gw-1's reboot at 06:01:40 (the post-reboot counter counted from zero) and the
#      six-hour gap back-filled from the per-sample series; transit and HA gateways never asked;
#   2. `netpulse egress` JSON (by gateway, by account and region, --per hour) exactly as
#      copilot_expect.py computes the formula of lib/report/egress.h (gw-2 floored);
#   3. `netpulse top` (dst and src) exactly: FlowIQ calls per hour, spokes only (a name with a
#      quote and a backslash escaped), IPv6 and CGNAT kept, the size cut, the late hour unread;
#   4. gateway and tunnel link states;
#   5. a running daemon: session expiry answered 401, 302, HTML login page and 403 each costs
#      exactly one new login; two unauthenticated answers in a row fail the poll with the
#      contract's message; a wrong password fails cleanly, no password in any log.
source "$(dirname "$0")/lib.sh"
require_root
require_cmd curl openssl python3 sqlite3
FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
[ -f "$FAKETIME_LIB" ] || skip "needs libfaketime"
make_netns

PW='s3cr3t-"pw'
H=3600
D0=1773100800 # 2026-03-10T00:00:00Z
REBOOT=$((D0 + 6 * H + 100))
export D0 H REBOOT

python3 - "$T/scenario.json" <<'PY'
import json, os, sys
D0, H, R = int(os.environ["D0"]), 3600, int(os.environ["REBOOT"])
gws = [
 {"gw_name": "gw-1", "$gw_type": "spoke", "account_name": "acct-a", "vpc_id": "vpc-0a1~~prod-vpc",
  "vpc_name": "prod-vpc", "vpc_region": "us-east-1", "vendor_name": "AWS", "transit_gw_name": "tr-1",
  "group_name": "core", "state": "up", "_reboots": [R],
  "_interfaces": {"eth0": {"rx": 10000, "tx": 8000, "base_rx": 4000000000000, "base_tx": 3000000000000},
                  "tun-a": {"rx": 1000, "tx": 1500, "base_rx": 77777, "base_tx": 123},
                  "tun-b": {"rx": [[D0 - 86400, 500], [D0 + 5 * H, 700]], "tx": 250},
                  "eth1": {"rx": 99999, "tx": 99999}},
  "_routes": [{"dev": "tun-a", "dest": "10.1.0.0/16", "status": "up"},
              {"dev": "tun-a", "dest": "10.1.0.0/16", "status": "up"},
              {"dev": "tun-a", "dest": "10.2.0.0/16", "status": "down"},
              {"dev": "eth0", "dest": "0.0.0.0/0", "status": "up"},
              {"dev": "tun-c", "dest": "10.3.0.0/16", "status": "down"}]},
 {"gw_name": "gw-2", "gw_type": "Spoke", "account_name": "acct-b",
  "vpc_id": "projects/p1/global/networks/n1~-~n1", "vpc_region": "", "vendor_name": "GCP",
  "gw_state": "down",
  "_interfaces": {"eth0": {"rx": 3000, "tx": 2000}, "tun-x": {"rx": 2000, "tx": 2000}},
  "_routes": [{"dev": "tun-x", "dest": "10.9.0.0/16", "status": "down"}]},
 {"gw_name": "gw-\"q\\", "$gw_type": "spoke", "account_name": "acct-a", "vpc_id": "vnet-1:rg",
  "vpc_name": "", "vpc_region": "us-east-1", "vendor_name": "AWS", "state": "provisioning",
  "_interfaces": {"eth0": {"rx": 100, "tx": 50, "from": D0 + 3 * H}}},
 {"gw_name": "tr-1", "$gw_type": "transit", "state": "up",
  "_interfaces": {"eth0": {"rx": 1, "tx": 1}}, "_routes": []},
 {"gw_name": "gw-1-hagw", "$gw_type": "HA", "state": "up", "_interfaces": {"eth0": {"rx": 1, "tx": 1}}},
]
flows = []
def f(t, gw, src, dst, b):
    flows.append([t, gw, src, dst, b])
for hour in (1, 3, 5, 7):
    t = D0 + hour * H + 60
    f(t, "gw-1", "10.0.1.5", "8.8.8.8", 1000 * hour + 7)          # OUT
    f(t, "gw-1", "8.8.8.8", "10.0.1.5", 300 * hour)                # IN: both directions summed
    f(t, "gw-2", "172.16.4.4", "1.1.1.1", 5000 + hour)
    f(t, "gw-\"q\\", "100.64.0.9", "9.9.9.9", 2500)              # CGNAT is internal
    f(t, "gw-1", "fd00::10", "2001:db8::1", 4000 - hour)           # IPv6 ULA internal
    f(t, "gw-1", "10.0.1.5", "10.0.2.6", 99999)                    # internal -> internal: neither
    f(t, "gw-1", "203.0.113.1", "198.51.100.1", 99999)             # external -> external: neither
    f(t, "tr-1", "10.0.1.5", "8.8.4.4", 999999)                    # transit: not a spoke
    f(t, "gw-1-hagw", "10.0.1.5", "8.8.4.4", 999999)               # HA: not a spoke
for k in range(12):                                                # hour 3: more than 9 keys
    f(D0 + 3 * H + 600 + k, "gw-2", "192.168.7.%d" % (k + 1), "203.0.113.%d" % (50 + k), 700 + 10 * k)
f(D0 - 1800, "gw-1", "10.0.1.5", "8.8.8.8", 123456)  # before the period
f(D0 + 9 * H + 100, "gw-1", "10.0.1.5", "8.8.8.8", 654321)  # hour 9: not read by 10:01
json.dump({"username": "admin", "password": 's3cr3t-"pw', "now": D0, "epoch": D0 - 2 * 86400,
           "gateways": gws, "flows": flows}, open(sys.argv[1], "w"))
PY
sim_certs_ft "$T/sim"
xsim_start copilot "$T/sim" "$T/scenario.json" >/dev/null
EXPECT=(python3 "$SIM_DIR/copilot_expect.py" --scenario "$T/scenario.json")

conf() { # conf FILE DB [PASSWORD_ENV_NAME] [INTERVAL]
	cat >"$1" <<EOF
daemon: { database: $2 }
sources:
  - { name: avx, type: aviatrix, base_url: "$SIM_BASE", username: admin, password_env: ${3:-AVX_PW},
      ca_file: $SIM_CA, interval: ${4:-5m}, backfill: 24h, top_talkers: { interval: 1h, size: 3 } }
EOF
}
DB=$T/np.db
conf "$T/np.yaml" "$DB"
at() { sim_ctl POST /_sim/now "{\"now\": $1}" >/dev/null; }
run_at() { # run_at UNIX: the simulator's clock and one daemon run at UNIX
	at "$1"
	ft_once "$1" "$T/np.yaml" AVX_PW="$PW"
	[ "$RC" = 0 ] || fail "netpulsed --once at $1 exited $RC: $(tail -n 20 "$T/run.out")"
}

# ======== 1. back-fill, a poll, six hours down, back-fill again ========
run_at $((D0 + 2 * H + 60))
[ "$(sim_stat "sorted({c['gateway'] for c in j['perf_calls']})")" = "['gw-\"q\\\\', 'gw-1', 'gw-2']" ] ||
	fail "performance asked for $(sim_stat "sorted({c['gateway'] for c in j['perf_calls']})")"
[ "$(sim_stat "j['perf_calls'][0]['start']")" = "2026-03-09T02:01:00.000Z" ] ||
	fail "first performance window starts $(sim_stat "j['perf_calls'][0]['start']"), expected now - 24h"
[ "$(sim_stat "j['logins']")" = 1 ] || fail "logins: $(sim_stat "j['logins']")"
run_at $((D0 + 4 * H + 60))
sim_ctl POST /_sim/stats/reset >/dev/null
run_at $((D0 + 10 * H + 60)) # six hours down
[ "$(sim_stat "j['max_parallel_perf'] <= 4")" = True ] || fail "more than 4 performance calls at once"
pass "three runs (02:01, 04:01, 10:01 after six hours down): spokes only asked, 24 h back-fill window"

# usage --per hour by device and interface equals copilot_expect.py deltas (zero rows may be absent).
"$NETPULSE" --db "$DB" --format json usage --source avx --group-by device,interface --per hour \
	--period 2026-03-10 >"$T/usage.json" || fail "usage"
"${EXPECT[@]}" deltas --from $D0 --to $((D0 + 86400)) --per $H --now $((D0 + 10 * H)) >"$T/deltas.jsonl"
python3 - "$T/deltas.jsonl" "$T/usage.json" <<'PY' || fail "stored deltas differ from copilot_expect.py (above)"
import json, sys, datetime
iso = lambda t: datetime.datetime.fromtimestamp(t, datetime.timezone.utc).isoformat()
want = {}
for l in open(sys.argv[1]):
    r = json.loads(l)
    want[(iso(r["start"]), r["gateway"], r["interface"])] = (r["rx_bytes"], r["tx_bytes"])
got = {}
for r in json.load(open(sys.argv[2]))["rows"]:
    got[(r["start"], r["group"]["device"], r["group"]["interface"])] = (r["rx_bytes"], r["tx_bytes"])
bad = 0
for k in sorted(set(want) | set(got)):
    w, g = want.get(k, "absent"), got.get(k, (0, 0) if want.get(k) == (0, 0) else "absent")
    if k[2] not in ("", "eth0") and not k[2].startswith("tun-"):
        print("unexpected interface stored:", k); bad += 1; continue
    if k[2] == "" and g == "absent":
        continue
    if w == "absent" and g == (0, 0):
        continue
    if w != g:
        print("%s %s %s: stored %s, expected %s" % (k[1], k[2], k[0], g, w)); bad += 1
sys.exit(1 if bad else 0)
PY
# By hand: gw-1 eth0 rx in 06:00-07:00: 11 full steps of 3,000,000 and, over the reboot at
# 06:01:40, the new counter's 200 s (2,000,000): 35,000,000; tun-b rx 05:00-06:00 700/s.
row() { json_get "[(r['rx_bytes'], r['tx_bytes']) for r in j['rows'] if r['group']['device'] == '$1' and r['group']['interface'] == '$2' and r['start'].startswith('$3')]" <"$T/usage.json"; }
[ "$(row gw-1 eth0 2026-03-10T06:00)" = "[(35000000, 28000000)]" ] || fail "gw-1 eth0 06:00: $(row gw-1 eth0 2026-03-10T06:00)"
[ "$(row gw-1 eth0 2026-03-10T05:00)" = "[(36000000, 28800000)]" ] || fail "gw-1 eth0 05:00: $(row gw-1 eth0 2026-03-10T05:00)"
[ "$(row gw-1 tun-b 2026-03-10T05:00)" = "[(2520000, 900000)]" ] || fail "gw-1 tun-b 05:00: $(row gw-1 tun-b 2026-03-10T05:00)"
[ "$(row gw-1 eth1 2026-03-10T05:00)" = "[]" ] || fail "eth1 stored"
[ "$(row 'gw-"q\\' eth0 2026-03-10T03:00)" = "[(360000, 180000)]" ] || fail "gw-\"q\\ eth0 03:00: $(row 'gw-"q\\' eth0 2026-03-10T03:00)"
pass "stored deltas exact for every hour, interface and gateway (reboot counted from zero: gw-1 eth0 06:00 rx 35,000,000)"

# ======== 2. egress ========
egress_check() { # egress_check NAME CLI-ARGS -- EXPECT-ARGS
	local name=$1
	shift
	local cli=() exp=()
	while [ "$1" != -- ]; do cli+=("$1"); shift; done
	shift
	exp=("$@")
	"$NETPULSE" --db "$DB" --format json egress --source avx --period 2026-03-10 "${cli[@]}" >"$T/egress-$name.json" ||
		fail "egress $name"
	"${EXPECT[@]}" egress --from $D0 --to $((D0 + 86400)) --now $((D0 + 10 * H)) "${exp[@]}" >"$T/egress-$name.want"
	python3 - "$T/egress-$name.want" "$T/egress-$name.json" <<'PY' || fail "egress $name differs (above)"
import json, sys, datetime
want, got = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
iso = lambda t: datetime.datetime.fromtimestamp(t, datetime.timezone.utc).isoformat()
for r in want["rows"]:
    if "start" in r:
        r["start"], r["end"] = iso(r["start"]), iso(r["end"])
keys = ("group", "start", "end", "gateways", "internal_rx", "internal_tx", "egress_rx", "egress_tx",
        "egress_floored", "total")
strip = lambda r: {k: r[k] for k in keys if k in r}
zero = lambda r: all(r[k] == 0 for k in ("internal_rx", "internal_tx", "egress_rx", "egress_tx"))
w = [strip(r) for r in want["rows"]]
g = [strip(r) for r in got["rows"]]
# a gateway with no data in a --per bucket may have no row there
w = [r for r in w if not ("start" in r and zero(r) and r not in g)]
ok = w == g
if not ok:
    print("rows differ:\n got %s\nwant %s" % (json.dumps(g), json.dumps(w)))
tk = ("internal_rx", "internal_tx", "egress_rx", "egress_tx", "total")
if {k: got["total"].get(k) for k in tk} != {k: want["total"][k] for k in tk}:
    print("total differs: got %s want %s" % (got["total"], want["total"])); ok = False
sys.exit(0 if ok else 1)
PY
}
egress_check gateway -- --group-by gateway
egress_check account-region --group-by account,region -- --group-by account,region
egress_check per-hour --per hour -- --group-by gateway --per $H
# By hand for gw-2 (eth0 3000/2000 B/s, tun-x 2000/2000 B/s over 10 h): egress floored at 0.
[ "$(json_get "[(r['internal_rx'], r['egress_rx'], r['egress_tx'], r['egress_floored']) for r in j['rows'] if r['group']['gateway'] == 'gw-2']" <"$T/egress-gateway.json")" = \
	"[(72000000, 0, 0, True)]" ] || fail "gw-2 egress: $(cat "$T/egress-gateway.json")"
pass "egress JSON exact: by gateway, by account+region, per hour (gw-2 floored)"

# ======== 3. top talkers ========
for dir in dst src; do
	"$NETPULSE" --db "$DB" --format json top --source avx --period 2026-03-10 --direction $dir --top 8 \
		>"$T/top-$dir.json" || fail "top $dir"
	"${EXPECT[@]}" top --from $D0 --to $((D0 + 9 * H)) --size 3 --direction $dir --top 8 >"$T/top-$dir.want"
	[ "$(json_get "j['rows']" <"$T/top-$dir.json")" = "$(json_get "j['rows']" <"$T/top-$dir.want")" ] ||
		fail "top $dir: got $(json_get "j['rows']" <"$T/top-$dir.json"), expected $(json_get "j['rows']" <"$T/top-$dir.want")"
done
# By hand: 8.8.8.8 = OUT + IN of hours 3, 5, 7 (3007+900, 5007+1500, 7007+2100); in hour 1 its
# 1307 B rank 4th and the stored top 3 (size: 3) cuts it, like 9.9.9.9 after hour 1.
[ "$(json_get "[r['bytes'] for r in j['rows'] if r['ip'] == '8.8.8.8']" <"$T/top-dst.json")" = "[19521]" ] ||
	fail "8.8.8.8: $(cat "$T/top-dst.json")"
sim_stat "[c['query_string'] for c in j['field_agg_calls']]" | grep -qF 'gw-\\"q\\\\' ||
	fail "the gateway name is not escaped in the FlowIQ query: $(sim_stat "j['field_agg_calls'][0]")"
[ "$(sim_stat "sorted({c['size'] for c in j['field_agg_calls']})")" = "[9]" ] || fail "field_agg size not 3 x 3"
pass "top dst/src exact (spokes only, escaped names, IPv6 and CGNAT, size 9 per call, hour 9 not yet read)"

# ======== 4. link states ========
"$NETPULSE" --db "$DB" --format json status >"$T/status.json"
[ "$(json_get "sorted((l['device'], l['interface'], l['state']) for l in j['links'] if l['device'] in ('gw-1', 'gw-2'))" <"$T/status.json")" = \
	"[('gw-1', '', 'up'), ('gw-1', 'tun-a', 'up'), ('gw-1', 'tun-c', 'down'), ('gw-2', '', 'down'), ('gw-2', 'tun-x', 'down')]" ] ||
	fail "status: $(cat "$T/status.json")"
pass "status: gateways up/down from state/gw_state, tunnels from routes (tun-b, perf only: no state)"

# ======== 5. a running daemon: session expiry in four forms ========
NOW_RUN=$((D0 + 10 * H + 120))
conf "$T/run.yaml" "$DB" AVX_PW 2s
sim_ctl POST /_sim/now "{\"now\": $NOW_RUN, \"running\": true}" >/dev/null
sim_ctl POST /_sim/stats/reset >/dev/null
DAEMON_ENV=(LD_PRELOAD=$FAKETIME_LIB "FAKETIME=@$(date -u -d "@$NOW_RUN" '+%Y-%m-%d %H:%M:%S')"
	FAKETIME_DONT_FAKE_MONOTONIC=1 TZ=UTC "AVX_PW=$PW")
start_daemon "$T/run.yaml"
wait_polls avx 1 60 || fail "no poll of the running daemon"
[ "$(sim_stat "j['logins']")" = 1 ] || fail "logins at start: $(sim_stat "j['logins']")"
n=1
for mode in 401 302 html 403; do
	sim_ctl POST /_sim/modes "{\"unauth\": \"$mode\"}" >/dev/null
	sim_ctl POST /_sim/expire >/dev/null
	wait_polls avx 2 60 || fail "no poll after expiry ($mode)"
	n=$((n + 1))
	[ "$(sim_stat "j['logins']")" = $n ] || fail "expired session ($mode): $(sim_stat "j['logins']") logins, expected $n"
done
[ "$(sim_stat "j['unauth_answers']")" = 4 ] || fail "unauth answers: $(sim_stat "j['unauth_answers']")"
pass "session expiry answered 401, 302, HTML login page, 403: one new login each"

sim_ctl POST /_sim/faults '{"faults": [{"path": "^/api/gateways", "unauth": "401", "count": 2}]}' >/dev/null
wait_log_count 1 "session rejected after a new login" "$T/netpulsed.log" 60 ||
	fail "two unauthenticated answers: no 'session rejected after a new login' in the log"
sim_ctl POST /_sim/faults '{"faults": []}' >/dev/null
wait_polls avx 1 60 || fail "no poll after the rejected session"
kill "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
pass "two unauthenticated answers in a row: poll failed with the contract's message, next poll fine"

# ======== 6. a wrong password ========
at $((D0 + 11 * H))
ft_once $((D0 + 11 * H)) "$T/np.yaml" AVX_PW=wrong-pw-77
[ "$RC" != 0 ] || fail "a wrong password exited 0"
grep -q "401" "$T/run.out" || fail "no 401 in the log: $(cat "$T/run.out")"
! grep -qF 'wrong-pw-77' "$T/netpulsed.log" || fail "the wrong password is in the log"
! grep -qF "$PW" "$T/netpulsed.log" || fail "the password is in the log"
pass "wrong password: exit $RC, no password in any log"
