#!/usr/bin/env bash
# Cato source bench (issue #8 "Performance"): 2,000 users x 300 applications x 14 days hourly on
# the Cato GraphQL simulator (tests/sim/cato_sim.py, loopback). Sparsity: each user uses 20 of
# the 300 applications, each (application, user) pair has traffic in 25 % of the hours, so
# 2,000 x 20 = 40,000 series, about 3.4 million hourly amounts over 14 days (printed exactly).
#   1. back-fill: an empty database, `netpulsed --once` reads 14 days + the running hour in calls
#      of 24 buckets (40,000 pairs x 2 measures each);
#   2. steady:    the next hour: from the stored mark - 2 h to the running hour.
# Prints per run: wall time, GraphQL calls, rows stored (amounts) and rows per second, peak RSS of
# netpulsed. The daemon's clock is the simulator's (libfaketime).
# Usage: bench/bench_cato.sh (env: NETPULSED, BENCH_CATO_USERS=2000, BENCH_CATO_APPS=300,
#        BENCH_CATO_APPS_PER_USER=20, BENCH_CATO_DAYS=14, BENCH_CATO_ACTIVE=0.25)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
: "${NETPULSED:=$here/${BUILD:-build}/netpulsed}"
USERS=${BENCH_CATO_USERS:-2000}
APPS=${BENCH_CATO_APPS:-300}
PER_USER=${BENCH_CATO_APPS_PER_USER:-20}
DAYS=${BENCH_CATO_DAYS:-14}
ACTIVE=${BENCH_CATO_ACTIVE:-0.25}
source "$here/tests/integration/lib.sh"
[ -x "$NETPULSED" ] || fail "no $NETPULSED (build first)"
FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
[ -f "$FAKETIME_LIB" ] || skip "needs libfaketime"

END=1773144000 # 2026-03-10T12:00:00Z: the generated traffic ends here
NOW=$((END + 600))
cat >"$T/scenario.json" <<EOF
{"api_key": "bench-key", "account_id": "4242", "now": $NOW,
 "generate": {"users": $USERS, "apps": $APPS, "apps_per_user": $PER_USER, "days": $DAYS, "end": $END,
              "seed": 1, "active": $ACTIVE}}
EOF
n=$(python3 "$here/tests/sim/cato_expect.py" --scenario "$T/scenario.json" --now $NOW count \
	--from $((END - DAYS * 86400)) --to $END)
echo "scenario: $USERS users x $APPS applications, $PER_USER applications per user, traffic in $ACTIVE of the hours:"
echo "  $((USERS * PER_USER)) series, $n hourly amounts over $DAYS days ($(python3 -c "print('%.2f' % ($n / ($USERS * $APPS * $DAYS * 24) * 100))") % of users x applications x hours)"
sim_certs_ft "$T/sim"
xsim_start cato "$T/sim" "$T/scenario.json" --quiet >/dev/null
echo "simulator on 127.0.0.1:$SIM_PORT"
cat >"$T/bench.yaml" <<EOF
daemon: { database: $T/np.db, log: stderr, log_level: info }
sources:
  - { name: cato, type: cato, base_url: "$SIM_BASE", account_id: "4242", api_key_env: CATO_KEY,
      ca_file: $SIM_CA, interval: 1h, backfill: ${DAYS}d, rate_limit: 80 }
EOF
source "$here/bench/benchsrc.sh"
COUNT_SQL="SELECT count(*) FROM amounts"
DESCRIBE_CALLS="'GraphQL calls %3d (rate-limited %d)  series sent %8d' % (j['answered'], j['rate_limited_body'] + j['rate_limited_429'], j['series_sent'])"
bench_run backfill $NOW "$T/bench.yaml" CATO_KEY=bench-key
bench_run steady $((NOW + 3600)) "$T/bench.yaml" CATO_KEY=bench-key
