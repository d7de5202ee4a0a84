#!/bin/bash
# Builds the Dockerfile with podman (build stage runs the unit tests) on a locally made
# debian:bookworm-slim, then runs the image: version, linked libraries, user, the shipped config,
# a container watching its own veth pair, the health check, a clean stop and the volume keeping
# the database. Opt-in (NP_TEST_CONTAINER=1): it takes minutes and 1-3 GB of disk.
# The debootstrap base tarball is cached in /var/cache/netpulse-test/ between runs.
# NP_CONTAINER_FROM_GIT=1 builds from `git archive HEAD` instead of the working tree,
# NP_CONTAINER_CONTEXT=DIR from DIR.
set -u

if [ "${NP_TEST_CONTAINER:-0}" != 1 ]; then
	echo "SKIP: set NP_TEST_CONTAINER=1 to build and run the container image (several minutes, ~1-3 GB disk)"
	exit 77 # skipped, not passed (make test-container sets it)
fi

SRC=${NP_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
CACHE=/var/cache/netpulse-test
BASE=$CACHE/debian-bookworm-minbase.tar.gz
MIRROR=${NP_DEBIAN_MIRROR:-http://deb.debian.org/debian}
IMG=localhost/netpulse:test
VOL=np-test-db-$$
NS=np-ctr-$$
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

fails=0
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}
ok() { echo "ok: $*"; }
die() {
	echo "FAIL: $*"
	exit 1
}

for tool in podman runc debootstrap ip; do
	command -v $tool >/dev/null || die "$tool missing: apt-get install podman buildah runc debootstrap uidmap containers-storage golang-github-containers-common iproute2"
done

T=$(mktemp -d /var/tmp/np-ctr.XXXXXX)
CID=
cleanup() {
	if [ -n "$CID" ]; then podman rm -f -t 0 "$CID" >/dev/null 2>&1; fi
	podman volume rm -f "$VOL" >/dev/null 2>&1
	ip netns del "$NS" 2>/dev/null
	# Everything podman made lives in $T (graphroot, runroot, tmp_dir, volumes); unmount what
	# the overlay driver may have left mounted there before removing it.
	awk -v t="$T/" 'index($2, t) == 1 { print $2 }' /proc/self/mounts | sort -r | xargs -r umount -l
	rm -rf "$T"
}
trap cleanup EXIT

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
events_logfile_path = "$T/events.log"
tmp_dir = "$T/tmp"
volume_path = "$T/volumes"
EOF
export CONTAINERS_STORAGE_CONF=$T/storage.conf CONTAINERS_CONF=$T/containers.conf
if ! podman info >"$T/info.log" 2>&1; then
	rm -rf "$T/storage" "$T/run"
	storage_conf vfs
	podman info >"$T/info.log" 2>&1 || die "podman info: $(tail -5 "$T/info.log")"
fi
echo "podman storage driver: $(sed -n 's/^ *graphDriverName: //p' "$T/info.log")"

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
t_start=$(now)

# --- base image -----------------------------------------------------------------------------------
if [ ! -s "$BASE" ]; then
	echo "creating $BASE with debootstrap (about 90 s)"
	t0=$(now)
	mkdir -p "$CACHE"
	R=$T/rootfs
	debootstrap --variant=minbase bookworm "$R" "$MIRROR" >"$T/debootstrap.log" 2>&1 ||
		{
			tail -20 "$T/debootstrap.log"
			die "debootstrap failed"
		}
	rm -rf "$R"/var/cache/apt/archives/*.deb "$R"/var/lib/apt/lists/* "$R"/var/cache/apt/*.bin "$R"/var/log/*.log
	# As in the official slim images: no apt cache kept in layers, no translations.
	cat >"$R/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
	printf 'Acquire::Languages "none";\n' >"$R/etc/apt/apt.conf.d/docker-no-languages"
	tar --numeric-owner -C "$R" -c . | gzip -1 >"$BASE.tmp" && mv "$BASE.tmp" "$BASE" || die "tar failed"
	rm -rf "$R"
	echo "base tarball: $(du -h "$BASE" | cut -f1) in $(since "$t0") s"
else
	echo "using cached $BASE ($(du -h "$BASE" | cut -f1))"
fi
t0=$(now)
podman import --change 'CMD ["/bin/bash"]' "$BASE" docker.io/library/debian:bookworm-slim >"$T/import.log" 2>&1 ||
	die "podman import failed"
echo "import: $(since "$t0") s"

# --- build -------------------------------------------------------------------------------------------
CTX=${NP_CONTAINER_CONTEXT:-$SRC}
if [ "${NP_CONTAINER_FROM_GIT:-0}" = 1 ]; then
	CTX=$T/ctx
	mkdir -p "$CTX"
	git -C "$SRC" archive HEAD | tar -x -C "$CTX" || die "git archive failed"
fi
t0=$(now)
# --format docker: the OCI image format has no HEALTHCHECK.
podman build --format docker --isolation=chroot --pull=never -t "$IMG" -f "$CTX/Dockerfile" "$CTX" \
	>"$T/build.log" 2>&1
rc=$?
echo "build: rc=$rc in $(since "$t0") s"
if [ $rc != 0 ]; then
	keep=${NP_BUILD:-/tmp}/container-build.log
	cp "$T/build.log" "$keep"
	# The failing tests' output, else the end of the log.
	sed -n '/tests passed/,$p' "$T/build.log" | grep -q . && grep -B2 -A40 -E '\*\*\*Failed|\(Failed\)' "$T/build.log" | head -150 ||
		tail -60 "$T/build.log"
	die "podman build failed (whole log: $keep)"
fi
grep -E '^(100% tests passed|[0-9]+% tests passed).*' "$T/build.log" | tail -1
grep -q '100% tests passed' "$T/build.log" && ok "unit tests passed in the build stage" ||
	fail "no '100% tests passed' from ctest -L unit in the build log"
base_size=$(podman image inspect --format '{{.Size}}' docker.io/library/debian:bookworm-slim)
img_size=$(podman image inspect --format '{{.Size}}' "$IMG")
echo "image sizes: base $((base_size / 1000000)) MB, netpulse $((img_size / 1000000)) MB"

# --- one-shot checks ------------------------------------------------------------------------------
# One-shot runs: no health check (podman would try to set up systemd timers for it).
run1() { podman run --rm --network=none --no-healthcheck "$@"; }
version=$(sed -n 's/^project(netpulse VERSION \([0-9.]*\).*/\1/p' "$SRC/CMakeLists.txt")
out=$(run1 --entrypoint /usr/sbin/netpulsed "$IMG" --version 2>&1)
rc=$?
echo "netpulsed --version: $out"
[ $rc = 0 ] && [[ "$out" == *"$version"* ]] && ok "--version prints $version" ||
	fail "--version rc=$rc, want 0 and '$version' in the output"

out=$(run1 --entrypoint /usr/bin/ldd "$IMG" /usr/sbin/netpulsed /usr/bin/netpulse 2>&1)
if [ $? = 0 ] && ! grep -q 'not found' <<<"$out"; then
	ok "every shared library resolves"
else
	fail "ldd: $(grep 'not found' <<<"$out")"
fi

out=$(run1 --entrypoint /usr/bin/id "$IMG" -un 2>&1)
[ "$out" = netpulse ] && ok "runs as netpulse" || fail "runs as '$out', want netpulse"

out=$(run1 --entrypoint /usr/sbin/netpulsed "$IMG" -c /etc/netpulse/netpulse.yaml --check-config 2>&1)
rc=$?
[ $rc = 0 ] && ok "shipped config passes --check-config" || fail "--check-config rc=$rc: $out"

# --- the daemon in a namespace of our own, with a veth pair ---------------------------------------
ip netns add "$NS" || die "ip netns add $NS"
ip -n "$NS" link add npc0 type veth peer name npc1 || die "veth"
ip -n "$NS" link set lo up && ip -n "$NS" link set npc0 up && ip -n "$NS" link set npc1 up
podman volume create "$VOL" >/dev/null || die "volume create"
t0=$(now)
# Without systemd, podman logs (harmless) errors about health-check timers: keep them aside.
CID=$(podman run -d --network="ns:/run/netns/$NS" -v "$VOL:/var/lib/netpulse" "$IMG" 2>"$T/run.err") ||
	die "podman run -d failed: $(cat "$T/run.err")"

# Polls the CLI inside the container until it lists npc0 as up (the first poll of the default
# config may take one interval).
status_has_npc0_up() {
	"$PY" -c '
import json, sys
links = json.load(sys.stdin)["links"]
sys.exit(0 if any(l.get("interface") == "npc0" and l.get("state") == "up" for l in links) else 1)'
}
seen=0
for _ in $(seq 1 180); do
	if podman exec "$CID" /usr/bin/netpulse --format json status >"$T/status.json" 2>"$T/status.err" &&
		status_has_npc0_up <"$T/status.json"; then
		seen=1
		break
	fi
	[ "$(podman inspect --format '{{.State.Running}}' "$CID")" = true ] || break
	sleep 1
done
[ $seen = 1 ] && ok "netpulse status lists npc0 up after $(since "$t0") s" || {
	fail "npc0 not listed as up: $(cat "$T/status.json" "$T/status.err" 2>/dev/null | head -c 600)"
}

out=$(podman exec "$CID" stat -c '%U %a' /var/lib/netpulse/netpulse.db 2>&1)
[[ "$out" == "netpulse "* ]] && ok "database owned by netpulse ($out)" || fail "database: $out"

if podman healthcheck run "$CID" >"$T/health.out" 2>&1; then
	ok "healthcheck passes"
else
	fail "healthcheck: $(cat "$T/health.out")"
fi

podman stop -t 20 "$CID" >/dev/null 2>>"$T/run.err"
code=$(podman inspect --format '{{.State.ExitCode}}' "$CID")
[ "$code" = 0 ] && ok "SIGTERM: exit code 0" || fail "exit code after podman stop: $code"
podman logs "$CID" >"$T/daemon.log" 2>&1
[ -s "$T/daemon.log" ] && ok "daemon logs to stderr ($(wc -l <"$T/daemon.log") lines)" || fail "no daemon output"
podman rm "$CID" >/dev/null 2>>"$T/run.err"
CID=

# The volume keeps the database for the next container.
out=$(run1 -v "$VOL:/var/lib/netpulse" --entrypoint /usr/bin/netpulse "$IMG" --format json status 2>&1)
status_has_npc0_up <<<"$out" && ok "database persists in the volume" || fail "after restart: $out"

echo "storage used: $(du -sh "$T/storage" | cut -f1); total $(since "$t_start") s"
if [ $fails != 0 ]; then
	echo "--- daemon log (last 30 lines)"
	tail -n 30 "$T/daemon.log" 2>/dev/null
	echo "$fails check(s) failed"
	exit 1
fi
echo PASS
