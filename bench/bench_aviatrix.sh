#!/usr/bin/env bash
# Aviatrix source bench (issue #8 "Performance"): 200 spoke gateways x 20 tunnels (plus eth0) on
# the CoPilot simulator (tests/sim/copilot_sim.py, loopback), a day of 5-minute samples each:
#   1. back-fill: an empty database, `netpulsed --once` reads 24 h of samples of every interface
#      (200 x 21 x 2 counters x 288 samples);
#   2. steady:    the same database at the next 5 minutes: one new sample per counter.
# Prints per run: wall time, performance calls, rows stored (rollup_5m rows written) and rows
# per second, peak RSS of netpulsed. The daemon's clock is the simulator's (libfaketime).
# Usage: bench/bench_aviatrix.sh (env: NETPULSED, BENCH_AVX_GATEWAYS=200, BENCH_AVX_TUNNELS=20)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
: "${NETPULSED:=$here/${BUILD:-build}/netpulsed}"
GWS=${BENCH_AVX_GATEWAYS:-200}
TUNS=${BENCH_AVX_TUNNELS:-20}
source "$here/tests/integration/lib.sh"
[ -x "$NETPULSED" ] || fail "no $NETPULSED (build first)"
FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
[ -f "$FAKETIME_LIB" ] || skip "needs libfaketime"

END=1773144060 # 2026-03-10T12:01:00Z
python3 "$here/tests/sim/gen_copilot.py" --gateways "$GWS" --tunnels "$TUNS" --end $END -o "$T/scenario.json"
sim_certs_ft "$T/sim"
xsim_start copilot "$T/sim" "$T/scenario.json" --quiet >/dev/null
echo "simulator on 127.0.0.1:$SIM_PORT: $GWS spoke gateways x $TUNS tunnels + eth0, a day of 5-minute samples"
cat >"$T/bench.yaml" <<EOF
daemon: { database: $T/np.db, log: stderr, log_level: info }
sources:
  - { name: avx, type: aviatrix, base_url: "$SIM_BASE", username: admin, password_env: AVX_PW,
      ca_file: $SIM_CA, interval: 5m, backfill: 24h, top_talkers: { interval: 1h, size: 0 } }
EOF
source "$here/bench/benchsrc.sh"
COUNT_SQL="SELECT count(*) FROM rollup_5m"
DESCRIBE_CALLS="'API calls %4d (performance %d)' % (j['total'], j['requests']['performance'])"
bench_run backfill $END "$T/bench.yaml" AVX_PW=bench
bench_run steady $((END + 300)) "$T/bench.yaml" AVX_PW=bench
