#!/usr/bin/env bash
# Meraki source bench (issue #7 "Performance"): a simulated organization of 50 networks x 5,000
# clients (tests/sim/meraki_sim.py on loopback), two `netpulsed --once` runs against it:
#   1. back-fill: an empty database, 30 days to fill (31 clients calls per network);
#   2. steady:    the same database right after; nothing missing (no clients call unless a
#                 UTC midnight passed in between).
# Prints per run: wall time, API calls by kind (the simulator's count), peak RSS of netpulsed,
# 429s the simulator issued (expected 0: the collector paces itself), and the most requests
# one organization saw in any second.
# Usage: bench/bench_meraki.sh   (env: NETPULSED, BENCH_MERAKI_NETWORKS=50,
#        BENCH_MERAKI_CLIENTS=5000, BENCH_MERAKI_SCENARIO=file to reuse a generated scenario)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
: "${NETPULSED:=$here/${BUILD:-build}/netpulsed}"
NETS=${BENCH_MERAKI_NETWORKS:-50}
CLIENTS=${BENCH_MERAKI_CLIENTS:-5000}
# lib.sh: $T (removed at exit), cleanup of what we start, sim_certs, meraki_sim_start, sim_ctl.
source "$here/tests/integration/lib.sh"
[ -x "$NETPULSED" ] || fail "no $NETPULSED (build first)"

sc=${BENCH_MERAKI_SCENARIO:-$T/scenario.json}
if [ ! -s "$sc" ]; then
	echo "generating $NETS networks x $CLIENTS clients, 31 days ..."
	python3 "$here/tests/sim/gen_scenario.py" --orgs 1 --networks "$NETS" --clients "$CLIENTS" \
		--days 31 --seed 1 -o "$sc"
fi
key=$(json_get "j['api_key']" <"$sc")
meraki_sim_start "$T/sim" "$sc" --quiet >/dev/null
echo "simulator on 127.0.0.1:$SIM_PORT"

cat >"$T/bench.yaml" <<EOF
daemon:
  database: $T/np.db
  log: stderr
  log_level: info
sources:
  - name: meraki
    type: meraki
    api_key_env: MERAKI_KEY
    base_url: $SIM_BASE
    ca_file: $SIM_CA
    interval: 1h
    timeout: 30m
    backfill: 30d
    day_tz: UTC
    rate_limit: 10
    filter: ["dtype:mx"]
    groups:
      - { name: Corporate, subnets: [10.0.0.0/8] }
      - { name: Guest, subnets: [192.168.0.0/16] }
      - { name: IoT, subnets: [172.16.0.0/12] }
    unmatched: unmatched
EOF

# run NAME: one `netpulsed --once`, its wall time and peak RSS (getrusage of the child), then
# the simulator's counts for it.
run() {
	sim_ctl POST /_sim/stats/reset >/dev/null
	MERAKI_KEY=$key python3 - "$T/$1.rusage" "$NETPULSED" --once -c "$T/bench.yaml" \
		>"$T/netpulsed-$1.out" 2>>"$T/netpulsed-$1.log" <<'PY' ||
import resource, subprocess, sys, time
t = time.monotonic()
rc = subprocess.run(sys.argv[2:]).returncode
wall = time.monotonic() - t
with open(sys.argv[1], "w") as f:
    f.write("%.2f %d %d\n" % (wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, rc))
sys.exit(rc)
PY
		{ tail -n 20 "$T/netpulsed-$1.log"; fail "netpulsed --once ($1) failed"; }
	read -r wall rss_kb _ <"$T/$1.rusage"
	sim_ctl GET /_sim/stats >"$T/$1.stats"
	json_get "'%-9s wall %8.2f s  API calls %5d (clients %d, orgs %d, networks %d, devices %d, statuses %d, vlans %d)  peak RSS %7.1f MiB  429s %d  max req/s per org %d' % (
		'$1', $wall, j['total'], j['requests'].get('network_clients', 0), j['requests'].get('organizations', 0),
		j['requests'].get('org_networks', 0), j['requests'].get('org_devices', 0),
		j['requests'].get('org_device_statuses', 0), j['requests'].get('network_vlans', 0),
		$rss_kb / 1024, j['status_429'], j['max_rps'])" <"$T/$1.stats"
}
run backfill
run steady
clients=$(json_get "j['requests'].get('network_clients', 0)" <"$T/steady.stats")
[ "$clients" = 0 ] || echo "note: the steady poll made $clients clients calls (a UTC midnight passed?)"
