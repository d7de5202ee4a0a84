#!/usr/bin/env bash
# Self-check of the Meraki API simulator (tests/sim/meraki_sim.py) with curl(1), no netpulsed:
# both auth headers and the 401s, Link pagination followed verbatim (every client exactly
# once), perPage bounds, usage sums over [t0, now) exactly, t0 older than 31 days -> 400, the
# VLAN 400, 429 + Retry-After past the per-organization burst (and not in another org), a 5xx
# fault on the Nth request, a slow answer, and the one-time redirect to 127.0.0.2 whose host
# must see no auth header (and does see one when the client leaks it).
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
source "$(dirname "$0")/lib.sh"
require_cmd curl openssl python3

make_netns
NOW=1767225600 # 2026-01-01T00:00:00Z, the simulator's clock for this test
D=86400
KEY=test-key-0123
cat >"$T/scenario.json" <<EOF
{"api_key": "$KEY", "now": $NOW,
 "organizations": [
  {"id": "500001", "name": "Org A", "networks": [
    {"id": "L_1", "name": "Branch 1", "timeZone": "Europe/Zurich", "tags": ["branch"],
     "vlans": [{"id": "10", "name": "Corp", "subnet": "10.10.0.0/24", "applianceIp": "10.10.0.1"},
               {"id": "20", "name": "Guest", "subnet": "192.168.50.0/24"}],
     "devices": [{"serial": "Q-MX-1", "name": "b1-mx", "model": "MX68", "tags": ["stats"]},
                 {"serial": "Q-MR-1", "name": null, "model": "MR46", "status": "offline"}],
     "clients": [
      {"id": "c01", "mac": "02:00:00:00:00:01", "ip": "10.10.0.21", "vlan": "10",
       "events": [[$((NOW - 3 * D)), 100, 1000], [$((NOW - D - 1)), 7, 7], [$((NOW - D)), 10.5, 20],
                  [$((NOW - 10)), 1, 2.5], [$NOW, 999, 999]]},
      {"id": "c02", "mac": "02:00:00:00:00:02", "ip": "192.168.50.7", "vlan": "20",
       "events": [[$((NOW - 2 * D)), 64, 512], [$((NOW - 5)), 0.5, 0.5]]},
      {"id": "c03", "mac": "02:00:00:00:00:03", "ip": null, "vlan": null,
       "events": [[$((NOW - 100)), 10, 3]]},
      {"id": "c04", "mac": "02:00:00:00:00:04", "ip": "10.10.0.22", "vlan": "10",
       "events": [[$((NOW - 40 * D)), 5, 5], [$((NOW - 30 * D)), 1, 1]]},
      {"id": "c05", "mac": "02:00:00:00:00:05", "ip": "10.10.0.23", "vlan": 10,
       "events": [[$((NOW - D + 1)), 2, 4]]},
      {"id": "c06", "mac": "02:00:00:00:00:06", "ip": "172.16.0.9", "vlan": null,
       "events": [[$((NOW - 1)), 1000000, 2000000]]},
      {"id": "c07", "mac": "02:00:00:00:00:07", "ip": "10.10.0.24", "vlan": "10",
       "events": [[$((NOW + 10)), 1, 1]]},
      {"id": "c08", "mac": "02:00:00:00:00:08", "ip": "10.10.0.25", "vlan": "10",
       "events": [[$((NOW - 2 * D)), 3, 3], [$((NOW - 1000)), 4, 4]]}]},
    {"id": "L_2", "name": "HQ", "timeZone": "Etc/UTC", "tags": [],
     "devices": [{"serial": "Q-Z3-2", "name": "hq-z3", "model": "Z3"}],
     "clients": []}]},
  {"id": "500002", "name": "Org B", "networks": [
    {"id": "N_3", "name": "Other", "devices": [{"serial": "Q-MS-3", "name": "ms", "model": "MS120"}],
     "clients": []}]}]}
EOF
meraki_sim_start "$T/sim" "$T/scenario.json"
API=$SIM_BASE

# get [CURL ARGS...] URL: status line "CODE" on stdout; body in $T/b, headers in $T/h.
get() {
	in_ns curl -sS --cacert "$SIM_CA" -D "$T/h" -o "$T/b" -w '%{http_code}' "$@"
}
body() { json_get "$1" <"$T/b"; }
header() { tr -d '\r' <"$T/h" | sed -n "s/^$1: //Ip" | tail -n1; }
B=(-H "Authorization: Bearer $KEY")
X=(-H "X-Cisco-Meraki-API-Key: $KEY")

# ---- auth ----
[ "$(get "$API/organizations")" = 401 ] || fail "no key: $(cat "$T/b")"
[ "$(body "j['errors']")" = "['Missing API key']" ] || fail "missing key body: $(cat "$T/b")"
[ "$(get -H "Authorization: Bearer wrong" "$API/organizations")" = 401 ] || fail "wrong bearer accepted"
[ "$(body "j['errors']")" = "['Invalid API key']" ] || fail "invalid key body: $(cat "$T/b")"
[ "$(get -H "X-Cisco-Meraki-API-Key: wrong" "$API/organizations")" = 401 ] || fail "wrong legacy key accepted"
[ "$(get "${B[@]}" "$API/organizations")" = 200 ] || fail "bearer refused"
[ "$(body "[o['id'] for o in j]")" = "['500001', '500002']" ] || fail "orgs: $(cat "$T/b")"
[ "$(get "${X[@]}" "$API/organizations")" = 200 ] || fail "X-Cisco-Meraki-API-Key refused"
pass "auth: Bearer and X-Cisco-Meraki-API-Key accepted, missing/wrong key 401"

# ---- shapes, VLANs, 404 ----
[ "$(get "${B[@]}" "$API/organizations/500001/networks?perPage=1000")" = 200 ] || fail "networks"
[ "$(body "[(n['id'], n['organizationId'], n['name'], n['timeZone'], n['tags']) for n in j]")" = \
	"[('L_1', '500001', 'Branch 1', 'Europe/Zurich', ['branch']), ('L_2', '500001', 'HQ', 'Etc/UTC', [])]" ] ||
	fail "networks: $(cat "$T/b")"
[ "$(get "${B[@]}" "$API/organizations/500001/devices?perPage=1000")" = 200 ] || fail "devices"
[ "$(body "[(d['serial'], d['name'], d['model'], d['networkId'], d['productType'], d['tags']) for d in j]")" = \
	"[('Q-MR-1', None, 'MR46', 'L_1', 'wireless', []), ('Q-MX-1', 'b1-mx', 'MX68', 'L_1', 'appliance', ['stats']), ('Q-Z3-2', 'hq-z3', 'Z3', 'L_2', 'appliance', [])]" ] ||
	fail "devices: $(cat "$T/b")"
[ "$(get "${B[@]}" "$API/organizations/500001/devices/statuses?perPage=1000")" = 200 ] || fail "statuses"
[ "$(body "[(d['serial'], d['status'], d['networkId']) for d in j]")" = \
	"[('Q-MR-1', 'offline', 'L_1'), ('Q-MX-1', 'online', 'L_1'), ('Q-Z3-2', 'online', 'L_2')]" ] ||
	fail "statuses: $(cat "$T/b")"
[ "$(get "${B[@]}" "$API/networks/L_1/appliance/vlans")" = 200 ] || fail "vlans"
[ "$(body "[(v['id'], v['name'], v['subnet']) for v in j]")" = \
	"[('10', 'Corp', '10.10.0.0/24'), ('20', 'Guest', '192.168.50.0/24')]" ] || fail "vlans: $(cat "$T/b")"
[ "$(get "${B[@]}" "$API/networks/L_2/appliance/vlans")" = 400 ] || fail "VLAN-less network not 400"
[ "$(body "j['errors']")" = "['VLANs are not enabled for this network']" ] || fail "vlan 400 body"
[ "$(get "${B[@]}" "$API/organizations/999/networks")" = 404 ] || fail "unknown org not 404"
[ "$(get "${B[@]}" "$API/networks/L_9/clients?t0=$NOW")" = 404 ] || fail "unknown network not 404"
[ "$(get "${B[@]}" "$API/networks/L_1/clients?t0=$((NOW - D))&perPage=2")" = 400 ] || fail "perPage 2 accepted"
[ "$(get "${B[@]}" "$API/networks/L_1/clients?t0=$((NOW - D))&perPage=5001")" = 400 ] || fail "perPage 5001 accepted"
pass "v1 shapes (networks, devices, statuses, VLANs), VLAN-less 400, unknown ids 404, perPage bounds"

# ---- pagination: follow rel=next verbatim; every client seen in the window exactly once ----
# all_pages URL: ids of every page (one a line) in $T/ids, page count in $pages.
all_pages() {
	local url=$1
	: >"$T/ids"
	pages=0
	while [ -n "$url" ]; do
		[ "$(get "${B[@]}" "$url")" = 200 ] || fail "page $pages of $1: $(cat "$T/b")"
		body "'\n'.join(c['id'] for c in j)" | sed '/^$/d' >>"$T/ids"
		pages=$((pages + 1))
		[ $pages -le 20 ] || fail "pagination does not end"
		url=$(header Link | tr ',' '\n' | sed -n 's/.*<\(.*\)>; rel=next.*/\1/p')
	done
}
all_pages "$API/networks/L_1/clients?t0=$((NOW - 3 * D))&perPage=3"
# c04 (events 30 and 40 days ago) and c07 (future event) are not in the window.
[ "$(tr '\n' ' ' <"$T/ids")" = "c01 c02 c03 c05 c06 c08 " ] || fail "paged ids: $(tr '\n' ' ' <"$T/ids")"
[ $pages = 2 ] || fail "$pages pages for 6 clients at perPage=3"
[ "$(header Link | grep -c 'rel=prev')" = 1 ] || fail "last page has no rel=prev: $(header Link)"
all_pages "$API/networks/L_1/clients?t0=$((NOW - 31 * D))&perPage=3"
[ "$(tr '\n' ' ' <"$T/ids")" = "c01 c02 c03 c04 c05 c06 c08 " ] || fail "31-day ids: $(tr '\n' ' ' <"$T/ids")"
[ $pages = 3 ] || fail "$pages pages for 7 clients at perPage=3"
# default perPage is 10: one page
all_pages "$API/networks/L_1/clients?t0=$((NOW - 31 * D))"
[ $pages = 1 ] && [ "$(wc -l <"$T/ids")" = 7 ] || fail "default perPage: $pages pages"
# gzip when the client asks for it (answers over 1 kB)
[ "$(get "${B[@]}" --compressed "$API/networks/L_1/clients?t0=$((NOW - 31 * D))&perPage=10")" = 200 ] || fail "gzip"
[ "$(header Content-Encoding)" = gzip ] && [ "$(body "len(j)")" = 7 ] || fail "gzip answer: $(header Content-Encoding)"
pass "Link pagination: rel=next followed verbatim, each client once (2 and 3 pages); gzip"

# ---- usage over [t0, now) ----
# usage T0: "id:sent/recv ..." of the clients answered for t0=T0.
usage() {
	[ "$(get "${B[@]}" "$API/networks/L_1/clients?t0=$1&perPage=5000")" = 200 ] || fail "clients t0=$1: $(cat "$T/b")"
	body "' '.join('%s:%r/%r' % (c['id'], c['usage']['sent'], c['usage']['recv']) for c in j)"
}
got=$(usage $((NOW - D)))
[ "$got" = "c01:11.5/22.5 c02:0.5/0.5 c03:10.0/3.0 c05:2.0/4.0 c06:1000000.0/2000000.0 c08:4.0/4.0" ] ||
	fail "usage since NOW-1d: $got"
got=$(usage $((NOW - D - 1)))
[ "$got" = "c01:18.5/29.5 c02:0.5/0.5 c03:10.0/3.0 c05:2.0/4.0 c06:1000000.0/2000000.0 c08:4.0/4.0" ] ||
	fail "usage since NOW-1d-1s: $got"
got=$(usage $((NOW - 3 * D)))
[ "$got" = "c01:118.5/1029.5 c02:64.5/512.5 c03:10.0/3.0 c05:2.0/4.0 c06:1000000.0/2000000.0 c08:7.0/7.0" ] ||
	fail "usage since NOW-3d: $got"
[ "$(body "[(c['ip'], c['vlan']) for c in j if c['id'] in ('c03', 'c05')]")" = "[(None, None), ('10.10.0.23', 10)]" ] ||
	fail "ip null / numeric vlan not passed through: $(cat "$T/b")"
[ "$(get "${B[@]}" "$API/networks/L_1/clients?t0=$((NOW - 31 * D - 1))")" = 400 ] || fail "t0 > 31 days accepted"
[ "$(body "j['errors']")" = "[\"'t0' must be within 31 days\"]" ] || fail "t0 400 body: $(cat "$T/b")"
[ "$(get "${B[@]}" "$API/networks/L_1/clients?timespan=$((31 * D + 1))")" = 400 ] || fail "timespan > 31 days accepted"
# the clock moves: one day later the NOW event of c01 and the future one of c07 count
sim_ctl POST /_sim/now "{\"now\": $((NOW + D))}" >/dev/null
got=$(usage $((NOW - D)))
[ "$got" = "c01:1010.5/1021.5 c02:0.5/0.5 c03:10.0/3.0 c05:2.0/4.0 c06:1000000.0/2000000.0 c07:1.0/1.0 c08:4.0/4.0" ] ||
	fail "usage after the clock moved: $got"
sim_ctl POST /_sim/now "{\"now\": $NOW}" >/dev/null
pass "usage sums over [t0, now) exact; t0 older than 31 days and timespan > 31 days: 400; sim clock settable"

# ---- 5xx on the Nth request, slow answer ----
sim_ctl POST /_sim/faults '{"faults": [{"path": "/organizations$", "status": 503, "nth": 2, "retry_after": 1},
	{"path": "/organizations/500002/networks", "delay": 5}]}' >/dev/null
codes="$(get "${B[@]}" "$API/organizations") $(get "${B[@]}" "$API/organizations") $(get "${B[@]}" "$API/organizations")"
[ "$codes" = "200 503 200" ] || fail "503 fault on the 2nd request: $codes"
rc=0
get "${B[@]}" --max-time 1 "$API/organizations/500002/networks" >/dev/null 2>&1 || rc=$?
[ $rc = 28 ] || fail "a 5 s delay fault answered within curl's 1 s (rc $rc)"
[ "$(sim_stat "j['faults_fired']")" = "[1, 1]" ] || fail "faults_fired: $(sim_stat "j['faults_fired']")"
sim_ctl POST /_sim/faults '{"faults": []}' >/dev/null
pass "5xx fault on the 2nd matching request only; delay fault holds the answer"

# ---- redirect to 127.0.0.2 with a one-time token ----
sim_ctl POST /_sim/faults '{"faults": [{"path": "/devices/statuses", "redirect": 307}]}' >/dev/null
[ "$(get "${B[@]}" "$API/organizations/500001/devices/statuses")" = 307 ] || fail "no redirect"
loc=$(header Location)
case $loc in "https://127.0.0.2:$SIM_PORT/_r/"*"/api/v1/organizations/500001/devices/statuses") ;;
*) fail "Location: $loc" ;; esac
[ "$(get "$loc")" = 200 ] || fail "tokened URL without auth: $(cat "$T/b")"
[ "$(body "len(j)")" = 3 ] || fail "redirected statuses: $(cat "$T/b")"
[ "$(get "$loc")" = 404 ] || fail "token used twice"
# curl -L drops Authorization on another host: the token host sees no auth
[ "$(get -L "${B[@]}" "$API/organizations/500001/devices/statuses?perPage=3")" = 200 ] || fail "curl -L"
[ "$(body "[d['serial'] for d in j]")" = "['Q-MR-1', 'Q-MX-1', 'Q-Z3-2']" ] || fail "curl -L body"
[ "$(sim_stat "j['auth_on_redirect_host']")" = 0 ] || fail "auth seen on the redirect host"
# ... but forwards other custom headers: the leak is detected
[ "$(get -L "${X[@]}" "$API/organizations/500001/devices/statuses")" = 200 ] || fail "curl -L legacy"
[ "$(sim_stat "j['auth_on_redirect_host']")" = 1 ] || fail "a leaked X-Cisco-Meraki-API-Key was not detected"
[ "$(sim_stat "(j['redirects_issued'], j['redirects_followed'])")" = "(3, 3)" ] || fail "redirect counts"
sim_ctl POST /_sim/faults '{"faults": []}' >/dev/null
pass "redirect: one-time token URL on 127.0.0.2 served without auth; a leaked key header is counted"

# ---- rate limit: bursts of 40 parallel requests in org 500001 until some are refused ----
for i in $(seq 1 40); do printf 'url = "%s"\noutput = "/dev/null"\n' "$API/organizations/500001/networks"; done >"$T/burst.cfg"
: >"$T/burst.out"
n429=0
for round in 1 2 3 4 5 6 7 8 9 10; do
	in_ns curl -sS --no-progress-meter --parallel --parallel-max 40 --cacert "$SIM_CA" "${B[@]}" \
		-K "$T/burst.cfg" -w '%{http_code} %header{retry-after}\n' >>"$T/burst.out"
	n429=$(grep -c '^429 ' "$T/burst.out" || true)
	[ "$n429" -eq 0 ] || break
done
[ "$n429" -gt 0 ] || fail "no 429 after $round bursts of 40: $(sort "$T/burst.out" | uniq -c)"
grep '^429' "$T/burst.out" | grep -qvE '^429 [1-9][0-9]*$' && fail "429 without a Retry-After: $(grep '^429' "$T/burst.out" | sort | uniq -c)"
n200=$(grep -c '^200 ' "$T/burst.out" || true)
[ $((n200 + n429)) = $((40 * round)) ] || fail "burst answers: $(sort "$T/burst.out" | uniq -c)"
[ "$n200" -gt 0 ] || fail "none of the burst admitted"
# one refused request seen whole, body and header: from another burst (one request at a time
# may never outrun the bucket on a loaded machine)
mkdir -p "$T/pb"
for i in $(seq 1 40); do
	printf 'url = "%s"\noutput = "%s"\n' "$API/organizations/500001/networks" "$T/pb/b$i"
done >"$T/burst-keep.cfg"
for round2 in 1 2 3 4 5 6 7 8 9 10; do
	in_ns curl -sS --no-progress-meter --parallel --parallel-max 40 --cacert "$SIM_CA" "${B[@]}" \
		-K "$T/burst-keep.cfg" -w '%{http_code} %{filename_effective} %header{retry-after}\n' \
		>"$T/burst-keep.out"
	f=$(awk '$1 == 429 { print $2; exit }' "$T/burst-keep.out")
	[ -z "$f" ] || break
done
[ -n "$f" ] || fail "no 429 in $round2 more bursts"
cp "$f" "$T/b"
awk -v f="$f" '$2 == f { print "Retry-After: " $3 }' "$T/burst-keep.out" >"$T/h"
[ "$(body "j['errors']")" = "['API rate limit exceeded for organization']" ] || fail "429 body: $(cat "$T/b")"
[[ "$(header Retry-After)" =~ ^[1-9][0-9]*$ ]] || fail "429 Retry-After: $(header Retry-After)"
# another organization has its own bucket
[ "$(get "${B[@]}" "$API/organizations/500002/networks")" = 200 ] || fail "org 500002 limited by org 500001's burst"
s429=$(sim_stat "j['status_429']")
[ "$s429" -ge "$n429" ] || fail "stats count $s429 429s, curl saw $n429"
[ "$(sim_stat "j['max_rps_per_org']['500001'] >= 11")" = True ] || fail "max_rps_per_org: $(sim_stat "j['max_rps_per_org']")"
pass "rate limit: $n429 of $((40 * round)) burst requests 429 with Retry-After; other org unaffected"

# ---- statistics ----
sim_ctl GET /_sim/stats >"$T/stats.json"
[ "$(json_get "sorted(j['requests'])" <"$T/stats.json")" = \
	"['network_clients', 'network_vlans', 'org_device_statuses', 'org_devices', 'org_networks', 'organizations']" ] ||
	fail "request kinds: $(cat "$T/stats.json")"
[ "$(json_get "sum(j['requests'].values()) == j['total']" <"$T/stats.json")" = True ] || fail "total"
sim_ctl POST /_sim/stats/reset >/dev/null
[ "$(sim_stat "j['total']")" = 0 ] || fail "stats reset"
pass "stats by kind, total, reset"
