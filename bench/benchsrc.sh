# Shared by bench_aviatrix.sh and bench_cato.sh (sourced after tests/integration/lib.sh):
# bench_run NAME UNIX CONFIG [NAME=VALUE...]: the simulator's clock at UNIX, one `netpulsed --once`
# with its wall clock at UNIX (libfaketime), then one line: wall time, API calls, rows stored
# (SQL COUNTED_ROWS before and after), rows per second, peak RSS of netpulsed (getrusage).
# Needs FAKETIME_LIB, COUNT_SQL (a query counting the stored rows) and DESCRIBE_CALLS (a Python
# expression over the simulator's stats `j` describing the calls).
bench_run() {
	local name=$1 at=$2 cfg=$3
	shift 3
	sim_ctl POST /_sim/now "{\"now\": $at}" >/dev/null
	sim_ctl POST /_sim/stats/reset >/dev/null
	local before after when
	before=$(sqlite3 "$T/np.db" "$COUNT_SQL" 2>/dev/null || echo 0)
	when=$(date -u -d "@$at" '+%Y-%m-%d %H:%M:%S')
	env "$@" python3 - "$T/$name.rusage" "$FAKETIME_LIB" "@$when" "$NETPULSED" --once -c "$cfg" \
		>"$T/netpulsed-$name.out" 2>>"$T/netpulsed-$name.log" <<'PY' ||
import os, resource, subprocess, sys, time
env = dict(os.environ, LD_PRELOAD=sys.argv[2], FAKETIME=sys.argv[3], FAKETIME_DONT_FAKE_MONOTONIC="1", TZ="UTC")
t = time.monotonic()
rc = subprocess.run(sys.argv[4:], env=env).returncode
wall = time.monotonic() - t
with open(sys.argv[1], "w") as f:
    f.write("%.2f %d %d\n" % (wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, rc))
sys.exit(rc)
PY
		{ tail -n 20 "$T/netpulsed-$name.log"; fail "netpulsed --once ($name) failed"; }
	local wall rss_kb
	read -r wall rss_kb _ <"$T/$name.rusage"
	after=$(sqlite3 "$T/np.db" "$COUNT_SQL")
	sim_ctl GET /_sim/stats >"$T/$name.stats"
	json_get "'%-9s poll %8.2f s  %s  rows stored %9d  %9.0f rows/s  peak RSS %7.1f MiB' % (
		'$name', $wall, $DESCRIBE_CALLS, $after - $before, ($after - $before) / max($wall, 0.001), $rss_kb / 1024)" \
		<"$T/$name.stats"
}
