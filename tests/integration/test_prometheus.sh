#!/usr/bin/env bash
# A fleet behind a real Prometheus: two netpulsed, each in its own network namespace watching
# its own veth, expose /metrics; a real Prometheus (Debian's package) in a third namespace
# scrapes both every second over veth links between the test's namespaces (192.0.2.0/24,
# TEST-NET-1, exists only inside them). Asserted through Prometheus' HTTP API:
# sum(netpulse_link_up) goes 2 -> 1 -> 2 as one link goes down and up; the fleet's down
# seconds grow while it is down, stop when it is up, equal the store's outage, and do not reset
# when that daemon restarts. `promtool check metrics` passes on a scrape (text format). Site b
# serves over TLS with basic authentication (a bcrypt user), as a listener off loopback
# should: Prometheus scrapes it with its own tls_config and basic_auth; curl without the
# password gets 401, and plain HTTP gets nothing.
source "$(dirname "$0")/lib.sh"
require_root
require_cmd prometheus promtool curl sqlite3 python3 openssl

# Site b's certificate (for its address) and its one user, bcrypt.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=netpulse-test \
	-addext subjectAltName=IP:192.0.2.6 -keyout "$T/key.pem" -out "$T/cert.pem" 2>"$T/openssl.log" \
	|| fail "openssl req: $(cat "$T/openssl.log")"
printf 'scrape-pw' >"$T/password"
python3 -W ignore -c 'import crypt,sys; print("prom:" + crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1024)))' \
	scrape-pw >"$T/users"
grep -q '^prom:\$2b\$' "$T/users" || fail "no bcrypt hash: $(cat "$T/users")"

make_netns
NSP=$NS # Prometheus
make_netns
NSA=$NS
make_netns
NSB=$NS
NS=""
CLEANUP+=("ip netns del $NSP; ip netns del $NSA; ip netns del $NSB")

# site N NS: veth npa<->npb (watched) and a link to Prometheus' namespace, 192.0.2.(4N-2)/30.
site() {
	local n=$1 ns=$2 p=$((4 * $1 - 3))
	ip -n "$ns" link add npa type veth peer name npb
	ip -n "$ns" link set npa up
	ip -n "$ns" link set npb up
	ip link add "npp$n" netns "$NSP" type veth peer name "up$n" netns "$ns"
	ip -n "$NSP" addr add "192.0.2.$p/30" dev "npp$n"
	ip -n "$NSP" link set "npp$n" up
	ip -n "$ns" addr add "192.0.2.$((p + 1))/30" dev "up$n"
	ip -n "$ns" link set "up$n" up
	local extra=""
	[ "$n" = 2 ] && extra=", cert_file: $T/cert.pem, key_file: $T/key.pem, basic_auth_file: $T/users"
	cat >"$T/np$n.yaml" <<EOC
daemon: { database: $T/np$n.db, log_level: debug }
http: { listen: "192.0.2.$((p + 1)):9479"$extra }
sources:
  - { name: site$n, type: local, interval: 1s, include: ["^npa\$"] }
alerts:
  - { type: stderr }
EOC
	"$NETPULSED" --check-config -c "$T/np$n.yaml" >"$T/check$n.log" 2>&1 || fail "config $n rejected: $(cat "$T/check$n.log")"
}
site 1 "$NSA"
site 2 "$NSB"
grep -q "is not loopback and has neither TLS nor authentication" "$T/check1.log" \
	|| fail "no warning for a plain listener off loopback"
grep -q "is not loopback" "$T/check2.log" && fail "a warning for a listener with TLS and authentication"

start_np() { # N NS
	ip netns exec "$2" "$NETPULSED" --foreground -v -c "$T/np$1.yaml" >>"$T/netpulsed$1.log" 2>&1 &
	eval "NP$1=$!"
	CLEANUP+=("kill $! 2>/dev/null; wait $! 2>/dev/null")
}
start_np 1 "$NSA"
start_np 2 "$NSB"

cat >"$T/prometheus.yml" <<EOC
global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: netpulse
    static_configs:
      - targets: ["192.0.2.2:9479"]
        labels: { site: a }
  - job_name: netpulse-tls
    scheme: https
    tls_config: { ca_file: $T/cert.pem }
    basic_auth: { username: prom, password_file: $T/password }
    metrics_path: /metrics
    static_configs:
      - targets: ["192.0.2.6:9479"]
        labels: { site: b }
EOC
promtool check config "$T/prometheus.yml" >/dev/null || fail "promtool rejects the scrape config"
ip netns exec "$NSP" prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/tsdb" \
	--web.listen-address=127.0.0.1:9090 >"$T/prometheus.log" 2>&1 &
CLEANUP+=("kill $! 2>/dev/null; wait $! 2>/dev/null")

# q EXPR: the value of an instant query's first sample ("" if none).
q() {
	ip netns exec "$NSP" curl -sf --get --data-urlencode "query=$1" http://127.0.0.1:9090/api/v1/query |
		json_get "j['data']['result'][0]['value'][1] if j['data']['result'] else ''"
}
wait_for 60 'test "$(q "count(up == 1)")" = 2' || fail "Prometheus does not scrape both daemons: $(q 'count(up == 1)')"
pass "Prometheus scrapes both netpulsed (site b over TLS with basic authentication)"

# Site b without the password, with a wrong one, and in clear.
code() { ip netns exec "$NSB" curl -s -o /dev/null -w '%{http_code}' --cacert "$T/cert.pem" "$@" https://192.0.2.6:9479/metrics; }
[ "$(code)" = 401 ] || fail "no password: $(code)"
[ "$(code -u prom:wrong)" = 401 ] || fail "a wrong password: $(code -u prom:wrong)"
[ "$(code -u prom:scrape-pw)" = 200 ] || fail "the right password: $(code -u prom:scrape-pw)"
ip netns exec "$NSB" curl -s -m 5 -o /dev/null http://192.0.2.6:9479/metrics && fail "plain HTTP answered on the TLS listener"
pass "site b: 401 without the right password, 200 with it, nothing in clear"

# The exposition as Prometheus' own linter sees it.
ip netns exec "$NSA" curl -sf http://192.0.2.2:9479/metrics >"$T/scrape.txt" || fail "GET /metrics"
promtool check metrics <"$T/scrape.txt" >"$T/promtool.log" 2>&1 || fail "promtool check metrics: $(cat "$T/promtool.log")"
grep -q '^netpulse_link_up{device="[^"]*",interface="npa"} 1$' "$T/scrape.txt" || fail "no link_up sample for npa"
grep -q '^netpulse_source_up{source="site1",type="local"} 1$' "$T/scrape.txt" || fail "no source_up for site1"
pass "promtool check metrics passes"

wait_for 30 'test "$(q "sum(netpulse_link_up)")" = 2' || fail "sum(netpulse_link_up) is not 2: $(q 'sum(netpulse_link_up)')"
[ "$(q 'sum(netpulse_link_down_seconds_total)')" = 0 ] || fail "down seconds before any outage"
pass "both links up, no down seconds"

ip -n "$NSB" link set npb down
wait_for 30 'test "$(q "sum(netpulse_link_up)")" = 1' || fail "sum(netpulse_link_up) did not drop to 1"
[ "$(q 'netpulse_link_up{site="b"}')" = 0 ] || fail "site b's link is not 0"
wait_for 30 'test "$(q "sum(netpulse_link_down_seconds_total)")" -ge 3' || fail "fleet down seconds do not grow"
pass "one link down: sum(link_up) = 1, down seconds grow"

# A restart of the daemon whose link is down: the counter goes on from the store (no reset).
before=$(q 'sum(netpulse_link_down_seconds_total)')
kill "$NP2"
wait "$NP2" 2>/dev/null || true
start_np 2 "$NSB"
wait_for 30 "test \"\$(q 'sum(netpulse_link_down_seconds_total)')\" -gt $before" || fail "down seconds did not go on after the restart"
wait_for 30 'test "$(q "changes(netpulse_start_time_seconds{site=\"b\"}[1m]) > 0")" != ""' \
	|| fail "Prometheus did not see the restart"
[ "$(q 'sum(resets(netpulse_link_down_seconds_total[5m]))')" = 0 ] || fail "the down seconds counter was reset by the restart"
pass "restart: down seconds go on, no counter reset"

ip -n "$NSB" link set npb up
wait_for 30 'test "$(q "sum(netpulse_link_up)")" = 2' || fail "sum(netpulse_link_up) did not come back to 2"
stored=$(sqlite3 "$T/np2.db" "SELECT sum(end - start) FROM outages WHERE end IS NOT NULL")
wait_for 30 "test \"\$(q 'sum(netpulse_link_down_seconds_total)')\" = $stored" \
	|| fail "fleet down seconds $(q 'sum(netpulse_link_down_seconds_total)') != stored outage $stored"
# Three more scrapes of site b: the counter must stay where the outage ended.
b_scraped_since() { # TS: site b was scraped at least 3 times (1 s apart) after TS
	python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= float(sys.argv[2]) + 2.5 else 1)' \
		"$(q 'timestamp(up{site="b"})')" "$1"
}
ts=$(q 'timestamp(up{site="b"})')
wait_for 30 "b_scraped_since $ts" || fail "Prometheus stopped scraping site b"
[ "$(q 'sum(netpulse_link_down_seconds_total)')" = "$stored" ] || fail "down seconds still grow after the link came up"
[ "$(q 'sum(netpulse_link_down_seconds_total{site="a"})')" = 0 ] || fail "site a has down seconds"
pass "link back: sum(link_up) = 2, fleet down seconds = the stored outage ($stored s)"
