#!/usr/bin/env bash
# netpulsed (type: cato) end to end against the Cato GraphQL simulator (tests/sim/cato_sim.py).
# Expected values from tests/sim/cato_expect.py (the scenario's records, not the API) and by
# hand. The daemon's clock is libfaketime's, the simulator's is set to the same instant. Checks:
#   1. a 38-hour back-fill at 10:20 (hour 10 growing: a third of it), re-polls at 10:40 (with
#      an in-body rate-limit answer and a 429 + Retry-After: nothing lost) and 11:10: hour 10
#      polled three times is stored once with its final value; after six hours down, 17:05
#      fills the gap (and completes hour 11); the requests are WAN-bound, bytes, with
#      missing data marked; never more than rate_limit calls a minute;
#   2. names with an apostrophe and a comma, quotes, unicode, an empty and a null user
#      survive; LAN-bound traffic is not counted;
#   3. `netpulse usage --source cato --group-by application,user --per hour` JSON,
#      `netpulse export cato-hourly` and `cato-summary` exactly as cato_expect.py writes them;
#   4. a bad key (HTTP 401, then HTTP 200 + errors): "API key rejected" in the log and in
#      `netpulse status --explain`, no key in any log, the other source unaffected.
source "$(dirname "$0")/lib.sh"
require_root
require_cmd curl openssl python3 sqlite3
FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
[ -f "$FAKETIME_LIB" ] || skip "needs libfaketime"
printf 'daemon: { database: %s }\nsources:\n  - { name: c, type: cato, account_id: "1", api_key_env: K }\n' \
	"$T/probe.db" >"$T/probe.yaml"
probe=$("$NETPULSED" --check-config -c "$T/probe.yaml" 2>&1 || true)
! grep -q "expected one of.*got 'cato'" <<<"$probe" || skip "this netpulsed has no cato source"
make_netns

KEY=cato-key-5e6f7a
H=3600
D0=1773100800 # 2026-03-10T00:00:00Z
export D0

python3 - "$T/scenario.json" <<'PY'
import json, os, sys
D0, H = int(os.environ["D0"]), 3600
recs = []
def r(app, user, hour, up, down, d=None):
    recs.append([app, user, D0 + hour * H, up, down] + ([d] if d else []))
for h in range(-40, 19):
    if h % 3 == 0:
        r("Company APP", "PM Analyst", h, 1000000 + h * 7, 36000000 + 3600 * (h % 5))
    if h % 4 == 1:
        r("Zoom", "O'Brien, Pat", h, 123456789012, 3600)
    if h % 5 == 2:
        r('Foo, "Bar"', "=cmd", h, 3600 * 1000, 0)
    if h % 7 == 0:
        r("Teams", "Zoë 日本", h, 7200, 10800)
r("Slack", "", 10, 360000, 720000)          # an empty user name
r("Slack", None, 11, 3600, 3600)             # a null one (stored as "")
r("Zoom", "O'Brien, Pat", 10, 1, 1, "LANBOUND")  # not WAN-bound: never counted
r("Idle", "Nobody", 10, 0, 0)                # zero bytes, not missing
# hour 10 and 11 have a value for each of these, so growth shows
r("Company APP", "PM Analyst", 10, 3600000, 7200000)
r("Company APP", "PM Analyst", 11, 36000, 72000)
json.dump({"api_key": "cato-key-5e6f7a", "account_id": "4242", "now": D0, "records": recs},
          open(sys.argv[1], "w"), ensure_ascii=False)
PY
sim_certs_ft "$T/sim"
xsim_start cato "$T/sim" "$T/scenario.json" >/dev/null
EXPECT=(python3 "$SIM_DIR/cato_expect.py" --scenario "$T/scenario.json")

conf() { # conf FILE DB [EXTRA SOURCE LINES]
	cat >"$1" <<EOF
daemon: { database: $2 }
sources:
  - { name: cato, type: cato, base_url: "$SIM_BASE", account_id: "4242", api_key_env: CATO_KEY,
      ca_file: $SIM_CA, interval: 1h, backfill: 2d, rate_limit: 80 }
${3:-}
EOF
}
DB=$T/np.db
conf "$T/np.yaml" "$DB"
at() { sim_ctl POST /_sim/now "{\"now\": $1}" >/dev/null; }
run_at() { # run_at UNIX CONFIG: the simulator's clock and one daemon run at UNIX
	at "$1"
	ft_once "$1" "$2" CATO_KEY=$KEY CATO_BAD=wrong-key-0badbad
}
# check_rows NOW FROM TO: the stored amounts of source cato equal cato_expect.py's hours.
check_rows() {
	"${EXPECT[@]}" --now "$1" hours --from "$2" --to "$3" | python3 -c 'import json,sys
for l in sys.stdin:
    r = json.loads(l)
    print("%s|%s|%d|%d|%d|%d" % (r["application"], r["user"], r["hour"], r["hour"] + 3600, r["downstream"], r["upstream"]))' |
		sort >"$T/expect.txt"
	sqlite3 "${4:-$DB}" "SELECT s.device, s.interface, a.start, a.end, a.rx_bytes, a.tx_bytes
		FROM amounts a JOIN series s ON s.id = a.series WHERE s.source = 'cato'" | sort >"$T/stored.txt"
	diff "$T/expect.txt" "$T/stored.txt" >"$T/rows.diff" || fail "stored amounts differ from cato_expect.py (< expected, > stored): $(cat "$T/rows.diff")"
}
FROM=$((D0 - 38 * H))

# ======== 1. back-fill, re-polls of a growing hour, rate limits, six hours down ========
run_at $((D0 + 10 * H + 1200)) "$T/np.yaml"
[ "$RC" = 0 ] || fail "first run exited $RC: $(tail -n 20 "$T/run.out")"
check_rows $((D0 + 10 * H + 1200)) $FROM $((D0 + 11 * H))
sim_stat "j['calls'][0]" | grep -q "'perSecond': False" || fail "perSecond not false: $(sim_stat "j['calls'][0]")"
sim_stat "j['calls'][0]" | grep -q "'withMissingData': True" || fail "withMissingData not true"
sim_stat "j['calls'][0]" | grep -q "'filter': \['WANBOUND'\]" || fail "not WAN-bound: $(sim_stat "j['calls'][0]")"
[ "$(sim_stat "max(c['buckets'] for c in j['calls'])")" -le 24 ] || fail "a call of more than 24 buckets"
# By hand: hour 10 of PM Analyst (up 3,600,000, down 7,200,000) at 10:20 is a third of it.
row() { sqlite3 "$DB" "SELECT a.rx_bytes || ' ' || a.tx_bytes FROM amounts a JOIN series s ON s.id = a.series
	WHERE s.source = 'cato' AND s.device = '$1' AND s.interface = '$2' AND a.start = $3"; }
[ "$(row "Company APP" "PM Analyst" $((D0 + 10 * H)))" = "2400000 1200000" ] ||
	fail "hour 10 at 10:20: $(row "Company APP" "PM Analyst" $((D0 + 10 * H)))"
pass "back-fill of 38 h + the running hour (a third of hour 10): every amount exact"

sim_ctl POST /_sim/faults '{"faults": [{"match": "timeFrame", "rate_limit": "body", "retry_after": 1, "nth": 1},
	{"match": "timeFrame", "rate_limit": "429", "retry_after": 1, "nth": 2}]}' >/dev/null
sim_ctl POST /_sim/stats/reset >/dev/null
run_at $((D0 + 10 * H + 2400)) "$T/np.yaml"
[ "$RC" = 0 ] || fail "second run exited $RC: $(tail -n 20 "$T/run.out")"
[ "$(sim_stat "(j['rate_limited_body'], j['rate_limited_429'], j['faults_fired'])")" = "(1, 1, [1, 1])" ] ||
	fail "rate limits: $(sim_stat "(j['rate_limited_body'], j['rate_limited_429'], j['faults_fired'])")"
check_rows $((D0 + 10 * H + 2400)) $FROM $((D0 + 11 * H))
sim_ctl POST /_sim/faults '{"faults": []}' >/dev/null
pass "in-body rate limit and 429 + Retry-After: waited and repeated, nothing lost (hour 10 at two thirds)"

run_at $((D0 + 11 * H + 600)) "$T/np.yaml"
[ "$RC" = 0 ] || fail "third run exited $RC"
check_rows $((D0 + 11 * H + 600)) $FROM $((D0 + 12 * H))
[ "$(row "Company APP" "PM Analyst" $((D0 + 10 * H)))" = "7200000 3600000" ] ||
	fail "hour 10 after three polls: $(row "Company APP" "PM Analyst" $((D0 + 10 * H)))"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM amounts a JOIN series s ON s.id = a.series WHERE s.device = 'Company APP'
	AND s.interface = 'PM Analyst' AND a.start = $((D0 + 10 * H))")" = 1 ] || fail "hour 10 stored more than once"
pass "hour 10 polled three times: one amount, the final value (7,200,000 down / 3,600,000 up)"

run_at $((D0 + 17 * H + 300)) "$T/np.yaml" # six hours down
[ "$RC" = 0 ] || fail "run after six hours down exited $RC"
check_rows $((D0 + 17 * H + 300)) $FROM $((D0 + 18 * H))
[ "$(sim_stat "j['max_calls_per_min'] <= 80")" = True ] || fail "more than 80 calls a minute"
pass "six hours down: the gap filled, hour 11 completed, hour 17 as it was at 17:05"

# ======== 2. names ========
[ "$(sqlite3 "$DB" "SELECT count(*) FROM series WHERE source = 'cato' AND interface = 'Zoë 日本' AND device = 'Teams'")" = 1 ] ||
	fail "unicode user lost"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM series WHERE source = 'cato' AND device = 'Foo, \"Bar\"' AND interface = '=cmd'")" = 1 ] ||
	fail "quoted application lost"
[ "$(row Slack '' $((D0 + 11 * H)))" = "3600 3600" ] || fail "null user: $(row Slack '' $((D0 + 11 * H)))"
[ "$(row Zoom "O''Brien, Pat" $((D0 + 9 * H)))" = "3600 123456789012" ] || fail "O'Brien: $(row Zoom "O''Brien, Pat" $((D0 + 9 * H)))"
[ "$(row Zoom "O''Brien, Pat" $((D0 + 10 * H)))" = "" ] || fail "LAN-bound traffic stored"
pass "names: apostrophe and comma, quotes, unicode, empty and null users intact; LAN-bound not counted"

# ======== 3. reports ========
P=2026-03-08T10:00Z..2026-03-10T18:00Z
"$NETPULSE" --db "$DB" --format json usage --source cato --group-by application,user --per hour --period $P \
	>"$T/usage.json" || fail "usage"
"${EXPECT[@]}" --now $((D0 + 17 * H + 300)) hours --from $FROM --to $((D0 + 18 * H)) >"$T/hours.jsonl"
python3 - "$T/hours.jsonl" "$T/usage.json" <<'PY' || fail "usage --per hour differs (above)"
import json, sys, datetime
iso = lambda t: datetime.datetime.fromtimestamp(t, datetime.timezone.utc).isoformat()
want = sorted((iso(r["hour"]), r["application"], r["user"], r["downstream"], r["upstream"])
              for r in map(json.loads, open(sys.argv[1])))
j = json.load(open(sys.argv[2]))
got = sorted((r["start"], r["group"]["application"], r["group"]["user"], r["rx_bytes"], r["tx_bytes"]) for r in j["rows"])
if got != want:
    import difflib
    print("\n".join(difflib.unified_diff([str(x) for x in want], [str(x) for x in got], "want", "got", lineterm="")))
    sys.exit(1)
tot = (sum(w[3] for w in want), sum(w[4] for w in want))
if (j["total"]["rx_bytes"], j["total"]["tx_bytes"]) != tot:
    print("total", j["total"], "want", tot); sys.exit(1)
PY
pass "usage --source cato --group-by application,user --per hour: every row and the total exact"

for kind in hourly summary; do
	"$NETPULSE" --db "$DB" export cato-$kind --source cato --period $P >"$T/$kind.csv" || fail "export cato-$kind"
	"${EXPECT[@]}" --now $((D0 + 17 * H + 300)) $kind-csv --from $FROM --to $((D0 + 18 * H)) >"$T/$kind.want"
	cmp -s "$T/$kind.want" "$T/$kind.csv" ||
		fail "export cato-$kind differs: $(diff "$T/$kind.want" "$T/$kind.csv" | head -n 20 | cat -A)"
done
pass "export cato-hourly and cato-summary byte for byte (CRLF, RFC 4180 quoting, MB = 1e6 B)"

# ======== 4. a bad key: both forms; the other source unaffected ========
conf "$T/bad.yaml" "$T/bad.db" "  - { name: cato-bad, type: cato, base_url: \"$SIM_BASE\", account_id: \"4242\",
      api_key_env: CATO_BAD, ca_file: $SIM_CA, interval: 1h, backfill: 2d }"
for form in 401 200; do
	sim_ctl POST /_sim/modes "{\"bad_key\": \"$form\"}" >/dev/null
	run_at $((D0 + 17 * H + 300)) "$T/bad.yaml"
	grep -q "cato-bad.*API key rejected" "$T/run.out" || fail "bad key ($form): no 'API key rejected': $(grep cato-bad "$T/run.out" | tail -n 5)"
	# a new database: its back-fill (2d) starts at 17:05 - 48 h, in hour -31
	check_rows $((D0 + 17 * H + 300)) $((D0 - 31 * H)) $((D0 + 18 * H)) "$T/bad.db"
	"$NETPULSE" --db "$T/bad.db" status --explain >"$T/explain.txt" 2>&1 || true
	grep -q "cato-bad.*API key rejected" "$T/explain.txt" || fail "status --explain: $(cat "$T/explain.txt")"
done
! grep -qF wrong-key-0badbad "$T/netpulsed.log" || fail "the bad key is in the log"
! grep -qF "$KEY" "$T/netpulsed.log" || fail "the key is in the log"
pass "bad key (401, and 200 + errors): 'API key rejected' in the log and status --explain, the good source complete, no key logged"
