#!/usr/bin/env bash
# The shipped Prometheus and Grafana files (conf/prometheus, conf/grafana) hold together:
# promtool accepts the scrape config and the rules and passes the rules' unit tests; the
# dashboard is JSON; and every netpulse_* or process_* metric that a rule or a panel queries is
# one a real netpulsed serves (its /metrics, scraped here), so a renamed metric fails here.
source "$(dirname "$0")/lib.sh"
require_root
require_cmd promtool curl python3
SRC=${NP_SRC:-}
[ -n "$SRC" ] || SRC=$(cd "$(dirname "$0")/../.." && pwd)
P=$SRC/conf/prometheus
G=$SRC/conf/grafana/netpulse-dashboard.json

promtool check config "$P/prometheus.yml" >"$T/promtool.log" 2>&1 || fail "promtool check config: $(cat "$T/promtool.log")"
promtool check rules "$P/netpulse.rules.yml" >"$T/promtool.log" 2>&1 || fail "promtool check rules: $(cat "$T/promtool.log")"
(cd "$P" && promtool test rules netpulse.rules.test.yml) >"$T/promtool.log" 2>&1 \
	|| fail "promtool test rules: $(cat "$T/promtool.log")"
python3 -m json.tool "$G" >/dev/null || fail "the dashboard is not JSON"
pass "promtool: config, rules and rule tests pass; the dashboard is JSON"

make_netns
make_veth_pair
cat >"$T/np.yaml" <<EOC
daemon: { database: $T/np.db }
http: { listen: "127.0.0.1:9479" }
sources:
  - { name: ns-host, type: local, interval: 1s, include: ["^npa\$"] }
alerts:
  - { type: stderr }
EOC
start_daemon "$T/np.yaml"
# Traffic on npa, so that its counters have deltas and appear.
wait_for 20 'ip netns exec "$NS" curl -sf -o "$T/scrape.txt" http://127.0.0.1:9479/metrics && grep -q "^netpulse_link_up" "$T/scrape.txt"' \
	|| fail "no /metrics with a link"
ip netns exec "$NS" ping -c 3 -i 0.2 -I npa 192.0.2.99 >/dev/null 2>&1 || true
wait_for 30 'ip netns exec "$NS" curl -sf -o "$T/scrape.txt" http://127.0.0.1:9479/metrics && grep -q "^netpulse_tx_bytes_total" "$T/scrape.txt"' \
	|| fail "no counters in /metrics"
python3 - "$T/scrape.txt" "$P/netpulse.rules.yml" "$G" <<'PY' || fail "a rule or panel queries a metric netpulsed does not serve"
import json, re, sys
served = set()
for line in open(sys.argv[1]):
    if line.startswith("# TYPE "):
        name, kind = line.split()[2:4]
        served.add(name)
        if kind == "histogram":
            served.update(name + s for s in ("_bucket", "_sum", "_count"))
exprs = [l.split("expr:", 1)[1] for l in open(sys.argv[2]) if "expr:" in l]
def walk(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if k == "expr":
                exprs.append(v)
            else:
                walk(v)
    elif isinstance(o, list):
        for v in o:
            walk(v)
walk(json.load(open(sys.argv[3])))
used = set()
for e in exprs:
    used.update(re.findall(r"(?<![\w:])((?:netpulse|process)_[a-z_]+)", e))
missing = sorted(used - served)
print("queried: %d metrics in %d expressions; served: %d" % (len(used), len(exprs), len(served)))
if missing:
    print("not served:", ", ".join(missing), file=sys.stderr)
sys.exit(1 if missing or len(used) < 10 else 0)
PY
pass "every metric the rules and the dashboard query is served"
