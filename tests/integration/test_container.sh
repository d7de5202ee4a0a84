#!/usr/bin/env bash
# Builds the Dockerfile with podman, as a user would, on a debian:bookworm-slim made locally with
# debootstrap (CI reaches Debian's archive, not a registry), then runs the image: version, linked
# libraries, user, the shipped config; a container watching its own veth pair in a namespace of
# the test's own (no --network host) whose alerts (IFDOWN, IFUP) reach its log, the HEALTHCHECK
# healthy there and unhealthy in a container whose only source fails, a clean stop, and the
# volume keeping the database for the next container.
# Part of `make test` (normal build only: the image holds its own build). A missing tool fails
# the test: make test installs them (the Makefile's CONTAINER_DEPS).
# The debootstrap base tarball is cached in /var/cache/netpulse-test/ between runs (a clean
# machine makes it once: about a minute). NP_CONTAINER_FROM_GIT=1 builds from `git archive HEAD`
# instead of the working tree, NP_CONTAINER_CONTEXT=DIR from DIR.
source "$(dirname "$0")/lib.sh"
require_root

for tool in podman runc debootstrap ip python3; do
	command -v $tool >/dev/null ||
		fail "$tool missing: make test installs it (CONTAINER_DEPS: podman runc debootstrap)"
done

SRC=${NP_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
CACHE=/var/cache/netpulse-test
BASE=$CACHE/debian-bookworm-minbase.tar.gz
MIRROR=${NP_DEBIAN_MIRROR:-http://deb.debian.org/debian}
IMG=localhost/netpulse:test-$$
VOL=np-test-db-$$
CONF=/etc/netpulse/netpulse.yaml

# Private podman storage and engine state; runc and lowered ulimits (TESTING.md §4: crun
# refuses this VM's hybrid cgroups, and the default rlimits exceed the hard limits here).
# overlay keeps one copy of each layer (vfs copies the whole tree per layer: 3 GB here);
# vfs is the fallback where overlay is not available.
storage_conf() {
	cat >"$T/storage.conf" <<EOF
[storage]
driver = "$1"
graphroot = "$T/storage"
runroot = "$T/run"
EOF
}
storage_conf overlay
cat >"$T/containers.conf" <<EOF
[containers]
netns = "host"
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$T/events.jsonl"
tmp_dir = "$T/tmp"
volume_path = "$T/volumes"
EOF
export CONTAINERS_STORAGE_CONF=$T/storage.conf CONTAINERS_CONF=$T/containers.conf
# Everything podman makes lives in $T (graphroot, runroot, tmp_dir, volumes), so -a means this
# test's containers and volumes only. Then unmount what the overlay driver may have left mounted
# there before lib.sh removes $T (CLEANUP runs last first).
CLEANUP+=("awk -v t='$T/' 'index(\$2, t) == 1 { print \$2 }' /proc/self/mounts | sort -r | xargs -r umount -l")
CLEANUP+=("podman volume rm -a -f")
CLEANUP+=("podman rm -a -f -t 0")
if ! podman info >"$T/info.out" 2>&1; then
	rm -rf "$T/storage" "$T/run"
	storage_conf vfs
	podman info >"$T/info.out" 2>&1 || fail "podman info: $(tail -5 "$T/info.out")"
fi
echo "podman storage driver: $(sed -n 's/^ *graphDriverName: //p' "$T/info.out")"

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
t_start=$(now)

# --- base image -----------------------------------------------------------------------------------
if [ ! -s "$BASE" ]; then
	echo "creating $BASE with debootstrap"
	t0=$(now)
	mkdir -p "$CACHE"
	R=$T/rootfs
	debootstrap --variant=minbase bookworm "$R" "$MIRROR" >"$T/debootstrap.out" 2>&1 ||
		fail "debootstrap failed: $(tail -20 "$T/debootstrap.out")"
	rm -rf "$R"/var/cache/apt/archives/*.deb "$R"/var/lib/apt/lists/* "$R"/var/cache/apt/*.bin "$R"/var/log/*.log
	# As in the official slim images: no apt cache kept in layers, no translations.
	cat >"$R/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
	printf 'Acquire::Languages "none";\n' >"$R/etc/apt/apt.conf.d/docker-no-languages"
	tar --numeric-owner -C "$R" -c . | gzip -1 >"$BASE.tmp$$" || fail "tar failed"
	mv "$BASE.tmp$$" "$BASE"
	rm -rf "$R"
	echo "base tarball: $(du -h "$BASE" | cut -f1) in $(since "$t0") s"
else
	echo "using cached $BASE ($(du -h "$BASE" | cut -f1))"
fi
t0=$(now)
podman import --change 'CMD ["/bin/bash"]' "$BASE" docker.io/library/debian:bookworm-slim \
	>"$T/import.out" 2>&1 || fail "podman import: $(tail -5 "$T/import.out")"
echo "import: $(since "$t0") s"

# --- build ----------------------------------------------------------------------------------------
CTX=${NP_CONTAINER_CONTEXT:-$SRC}
if [ "${NP_CONTAINER_FROM_GIT:-0}" = 1 ]; then
	CTX=$T/ctx
	mkdir -p "$CTX"
	git -C "$SRC" archive HEAD | tar -x -C "$CTX" || fail "git archive failed"
fi
t0=$(now)
# --format docker: the OCI image format has no HEALTHCHECK.
if ! podman build --format docker --isolation=chroot --pull=never -t "$IMG" -f "$CTX/Dockerfile" \
	"$CTX" >"$T/build.out" 2>&1; then
	keep=${NP_BUILD:-/tmp}/container-build.log
	cp "$T/build.out" "$keep"
	tail -n 60 "$T/build.out"
	fail "podman build failed (whole log: $keep)"
fi
echo "build: $(since "$t0") s"
base_size=$(podman image inspect --format '{{.Size}}' docker.io/library/debian:bookworm-slim)
img_size=$(podman image inspect --format '{{.Size}}' "$IMG")
echo "image sizes: base $((base_size / 1000000)) MB, netpulse $((img_size / 1000000)) MB"

hc=$(podman image inspect --format '{{json .Config.Healthcheck.Test}}' "$IMG")
[ "$hc" = "[\"CMD\",\"/usr/bin/netpulse\",\"-c\",\"$CONF\",\"health\"]" ] ||
	fail "image HEALTHCHECK: $hc"
pass "HEALTHCHECK runs netpulse health"

# --- one-shot checks ------------------------------------------------------------------------------
# One-shot runs: no health check (podman would try to set up systemd timers for it).
run1() { podman run --rm --network=none --no-healthcheck "$@"; }
version=$(sed -n 's/^project(netpulse VERSION \([0-9.]*\).*/\1/p' "$SRC/CMakeLists.txt")
out=$(run1 --entrypoint /usr/sbin/netpulsed "$IMG" --version 2>&1) || fail "--version: $out"
[[ "$out" == *"$version"* ]] || fail "--version: '$out', want $version in it"
pass "netpulsed --version: $out"

out=$(run1 --entrypoint /usr/bin/ldd "$IMG" /usr/sbin/netpulsed /usr/bin/netpulse 2>&1) ||
	fail "ldd: $out"
! grep 'not found' <<<"$out" || fail "unresolved libraries"
pass "every shared library resolves"

out=$(run1 --entrypoint /usr/bin/id "$IMG" -un 2>&1)
[ "$out" = netpulse ] || fail "runs as '$out', want netpulse"
pass "runs as netpulse"

out=$(run1 --entrypoint /usr/sbin/netpulsed "$IMG" -c $CONF --check-config 2>&1) ||
	fail "shipped config fails --check-config: $out"
pass "shipped config passes --check-config"

# --- the shipped image in a namespace of our own, watching its veth pair --------------------------
make_netns
make_veth_pair
podman volume create "$VOL" >/dev/null || fail "volume create"
t0=$(now)
# Without systemd, podman logs (harmless) errors about health-check timers: keep them aside.
CID=$(podman run -d --network="ns:/run/netns/$NS" -v "$VOL:/var/lib/netpulse" "$IMG" \
	2>"$T/run.err") || fail "podman run -d: $(cat "$T/run.err")"

running() { [ "$(podman inspect --format '{{.State.Running}}' "$1")" = true ]; }
# state_of CID IFACE: the state netpulse status in the container gives IFACE.
state_of() {
	podman exec "$1" /usr/bin/netpulse --format json status 2>/dev/null |
		json_get "[l['state'] for l in j['links'] if l['interface'] == '$2'][0]"
}
# alert_logged CID MSGID IFACE: the container's log (its stderr: the daemon's lines and the
# stderr sink's alerts; lib.sh shows it on failure) has the RFC 5424 alert MSGID for IFACE.
alert_logged() {
	podman logs "$1" >"$T/container.log" 2>&1 &&
		grep -E "^<[0-9]+>1 [^ ]+ [^ ]+ netpulse [0-9]+ $2 \[netpulse@32473 .*interface=\"$3\"" \
			"$T/container.log"
}
wait_for 180 'test "$(state_of $CID npa)" = up || ! running $CID' || true
[ "$(state_of "$CID" npa)" = up ] ||
	fail "npa not up in netpulse status: $(podman logs "$CID" 2>&1 | tail -n 20)"
pass "netpulse status lists npa up after $(since "$t0") s"

out=$(podman exec "$CID" stat -c '%U %a' /var/lib/netpulse/netpulse.db 2>&1)
[[ "$out" == "netpulse "* ]] || fail "database: $out"
pass "database owned by netpulse ($out)"

podman healthcheck run "$CID" >"$T/health.out" 2>&1 || fail "healthcheck: $(cat "$T/health.out")"
out=$(podman exec "$CID" /usr/bin/netpulse -c $CONF health) || fail "netpulse health: $out"
pass "healthcheck passes ($out)"

# The shipped config's alerts reach the container's log: the stderr sink, one RFC 5424 line each.
ip -n "$NS" link set npa down
wait_for 60 'alert_logged $CID IFDOWN npa || ! running $CID' || true
line=$(alert_logged "$CID" IFDOWN npa) || fail "no IFDOWN alert of npa in podman logs"
pass "IFDOWN in podman logs: $line"
ip -n "$NS" link set npa up
wait_for 60 'alert_logged $CID IFUP npa || ! running $CID' || true
line=$(alert_logged "$CID" IFUP npa) || fail "no IFUP alert of npa in podman logs"
pass "IFUP in podman logs: $line"

podman stop -t 20 "$CID" >/dev/null 2>>"$T/run.err"
code=$(podman inspect --format '{{.State.ExitCode}}' "$CID")
[ "$code" = 0 ] || fail "exit code after podman stop: $code"
pass "SIGTERM: exit code 0"
podman rm "$CID" >/dev/null 2>>"$T/run.err"

# The volume keeps the database for the next container: the link and its outage.
out=$(run1 -v "$VOL:/var/lib/netpulse" --entrypoint /usr/bin/netpulse "$IMG" --format json \
	events 2>&1) || fail "events after restart: $out"
n=$(json_get "len([e for e in j['events'] if e['interface'] == 'npa' and e['state'] == 'down'])" <<<"$out")
[ "$n" = 1 ] || fail "after restart, $n down events of npa, want 1: $out"
pass "the volume keeps the database: npa's outage is in the next container"

# A config whose only source cannot work: the HEALTHCHECK fails.
cat >"$T/broken.yaml" <<EOF
daemon: { database: /var/lib/netpulse/netpulse.db, log: stderr }
alerts: [ { type: stderr } ]
sources:
  - { name: broken, type: local, interval: 1s, netlink: false, proc_path: /nonexistent/dev, sys_path: /nonexistent/net }
EOF
chmod 0644 "$T/broken.yaml"
CID=$(podman run -d --network=none -v "$T/broken.yaml:$CONF:ro" "$IMG" 2>"$T/run.err") ||
	fail "podman run -d (broken source): $(cat "$T/run.err")"
failures() {
	podman exec "$1" /usr/bin/netpulse --format json status --explain 2>/dev/null |
		json_get "j['collectors'][0]['failures']"
}
wait_for 60 'test "$(failures $CID)" -ge 1 || ! running $CID' || true
[ "$(failures "$CID")" -ge 1 ] 2>/dev/null ||
	fail "source broken never failed a poll: $(podman logs "$CID" 2>&1 | tail -n 20)"
podman healthcheck run "$CID" >"$T/health.out" 2>&1 && fail "healthcheck passed with every source failing"
out=$(podman exec "$CID" /usr/bin/netpulse -c $CONF health) && fail "netpulse health exit 0: $out"
[[ "$out" == "unhealthy: every source is failing: broken since "* ]] || fail "netpulse health: $out"
pass "every source failing: healthcheck fails ($out)"

echo "storage used: $(du -sh "$T/storage" | cut -f1); total $(since "$t_start") s"
