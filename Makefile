# Thin wrapper: everything real is in CMakeLists.txt. Run as root on Debian 12:
#   make run    install what building needs (RUN_DEPS), build, run netpulsed on conf/local.yaml
#               (./var/netpulse.db)
#   make test   install that and the test peers and tools (TEST_DEPS), build, run every test,
#               then unit, fuzz and integration tests
#               again with the ASan+UBSan build (daemons included); prints per-phase counts
#               and closes with "N passed, N failed, N skipped". Fails on any failure, and on
#               any skip (a test that could not run here) unless NP_ALLOW_SKIP=1. The
#               container test (podman builds the Dockerfile and runs the image) runs once,
#               in the normal build's integration phase.
#   make test-container   the container test alone
#   make install          build and install under PREFIX (default /usr/local; DESTDIR too), create
#                         the netpulse user and /var/lib/netpulse; enables nothing (systemctl
#                         enable --now netpulsed)
#   make deb              build $(BUILD)/netpulse_VERSION_ARCH.deb (dpkg -i it)
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS ?= $(shell nproc)
# Integration tests run this many at a time: they mostly wait on their daemons and peers,
# not the CPU. A test that shares something declares it (tests/CMakeLists.txt: RESOURCE_LOCK,
# RUN_SERIAL).
IT_JOBS ?= $(JOBS)
FUZZ_SECONDS ?= 20
NP_ALLOW_SKIP ?= 0
export NP_ALLOW_SKIP
PHASE = python3 tests/ctest_phase.py
TALLY = $(BUILD)/test-tally.jsonl
ASAN_TALLY = $(ASAN_BUILD)/test-tally.jsonl
# A sanitizer report fails the process at once; lib.sh also collects reports from every
# process an integration test starts (log_path) and fails the test on any.
SAN_ENV = ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# Debian 12 packages. RUN_DEPS: what building and running need (make run, make install,
# make deb; build-essential brings dpkg-dev for the .deb's dpkg-shlibdeps). TEST_DEPS: the test
# peers and tools, installed by make test only: openssh-server's postinst starts sshd, which
# make run must never do on a fresh host.
RUN_DEPS = build-essential cmake pkg-config \
	libevent-dev libcurl4-openssl-dev libssh2-1-dev libyaml-dev libsqlite3-dev \
	libjansson-dev libcmocka-dev libssl-dev ca-certificates
TEST_DEPS = clang libclang-rt-14-dev valgrind sqlite3 iproute2 rsyslog openssh-server \
	openssh-client openssh-sftp-server systemd python3 mandoc man-db dpkg-dev \
	libfaketime python3-aiosmtpd openssl curl rsyslog-relp rsyslog-gnutls prometheus chromium
# The container test's (tests/integration/test_container.sh), installed by make test: runc
# because crun refuses hybrid cgroup hosts; debootstrap makes its debian:bookworm-slim base.
CONTAINER_DEPS = podman runc debootstrap
PREFIX ?= /usr/local

.PHONY: all deps test-deps container-deps build asan-build run test test-container unit asan \
	fuzz bench clean format install deb

all: build

# apt_install PACKAGES: installs those not installed yet.
define apt_install
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		if [ "$$(id -u)" != 0 ]; then echo "run as root to install packages" >&2; exit 1; fi; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get \
			-o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $$missing; \
	fi
endef

deps:
	$(call apt_install,$(RUN_DEPS))

test-deps: deps
	$(call apt_install,$(TEST_DEPS))

container-deps: deps
	$(call apt_install,$(CONTAINER_DEPS))

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

run: build
	mkdir -p var
	@echo "netpulsed runs in the foreground on conf/local.yaml (Ctrl-C stops it)."
	@echo "In another terminal, from $(CURDIR):"
	@echo "  $(BUILD)/netpulse --db var/netpulse.db status"
	@echo "  $(BUILD)/netpulse --db var/netpulse.db usage --period 1h"
	@echo "  $(BUILD)/netpulse --db var/netpulse.db events --since 10m"
	$(BUILD)/netpulsed --foreground -c conf/local.yaml

# The user the unit runs as and /var/lib/netpulse are created at once (systemd-sysusers,
# systemd-tmpfiles) unless DESTDIR stages the files for a package; systemd is told about the
# unit if it runs. Nothing is enabled.
install: build
	DESTDIR="$(DESTDIR)" cmake --install $(BUILD) --prefix $(PREFIX)
	@if [ -z "$(DESTDIR)" ]; then \
		if command -v systemd-sysusers >/dev/null; then \
			systemd-sysusers $(PREFIX)/lib/sysusers.d/netpulse.conf; \
			systemd-tmpfiles --create $(PREFIX)/lib/tmpfiles.d/netpulse.conf; \
		else echo "no systemd: create the system user and group netpulse, and" \
			"/var/lib/netpulse (0750, netpulse:netpulse)"; fi; \
		if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi; \
		echo "installed; start it with: systemctl enable --now netpulsed"; \
		echo "let a user read its database: usermod -aG netpulse USER"; \
	fi

deb: build
	cd $(BUILD) && cpack -G DEB
	@echo "install it with: dpkg -i $(BUILD)/netpulse_*.deb (then systemctl enable --now netpulsed)"

# Every phase runs even if an earlier one failed; the total decides. The container test
# (label container) runs in the first integration phase only: the image holds its own build,
# not the ASan one.
test: test-deps container-deps build asan-build
	@rm -f $(TALLY)
	@$(PHASE) $(TALLY) unit+fuzz+valgrind $(BUILD) -j $(JOBS) -LE 'integration|container'
	@$(PHASE) $(TALLY) integration $(BUILD) -j $(IT_JOBS) -L 'integration|container'
	@$(SAN_ENV) $(PHASE) $(TALLY) asan-unit+fuzz $(ASAN_BUILD) -j $(JOBS) -L 'unit|fuzz'
	@$(SAN_ENV) $(PHASE) $(TALLY) asan-integration $(ASAN_BUILD) -j $(IT_JOBS) -L integration
	@$(PHASE) $(TALLY) --total

test-container: test-deps container-deps build
	@rm -f $(TALLY)
	@$(PHASE) $(TALLY) container $(BUILD) -L container
	@$(PHASE) $(TALLY) --total

asan-build: test-deps
	CC=clang cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DNP_SANITIZE=ON >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)

asan: asan-build
	@rm -f $(ASAN_TALLY)
	@$(SAN_ENV) $(PHASE) $(ASAN_TALLY) asan-unit+fuzz $(ASAN_BUILD) -j $(JOBS) -L 'unit|fuzz'
	@$(SAN_ENV) $(PHASE) $(ASAN_TALLY) asan-integration $(ASAN_BUILD) -j $(IT_JOBS) -L integration
	@$(PHASE) $(ASAN_TALLY) --total

fuzz: test-deps
	CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNP_FUZZ=ON >/dev/null
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	@for f in $(FUZZ_BUILD)/tests/fuzz_*; do \
		n=$$(basename $$f); mkdir -p $(FUZZ_BUILD)/corpus/$$n; \
		echo "== $$n ($(FUZZ_SECONDS)s)"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			$(FUZZ_BUILD)/corpus/$$n tests/fuzz/corpus/$$n || exit 1; \
	done

# bench_daemon runs the daemon itself on BENCH_N links (minutes per size; needs root; its
# durations: BENCH_WARMUP_S, BENCH_WINDOW_S, BENCH_ALERTS, BENCH_BOUNDARY, see the file).
# Alone: build/bench/bench_daemon 1000. bench_meraki.sh: the Meraki source against the simulator
# (50 networks x 5,000 clients; a few minutes); bench_aviatrix.sh (200 gateways x 20 tunnels, a day
# of samples) and bench_cato.sh (2,000 users x 300 applications x 14 days) likewise.
# bench_alerts.sh: a 100k-alert backlog drained to rsyslogd over TCP, RELP and TLS (root).
BENCH_N ?= 1000 10000
bench: test-deps build
	@for b in $(BUILD)/bench/bench_*; do [ "$${b##*/}" = bench_daemon ] && continue; \
		a=; [ "$${b##*/}" = bench_cli ] && a=--reuse; \
		echo "== $$b $$a"; $$b $$a || exit 1; done
	@echo "== $(BUILD)/bench/bench_daemon $(BENCH_N)"; $(BUILD)/bench/bench_daemon $(BENCH_N)
	@echo "== bench/bench_meraki.sh"; NETPULSED=$(BUILD)/netpulsed bench/bench_meraki.sh
	@echo "== bench/bench_aviatrix.sh"; NETPULSED=$(BUILD)/netpulsed bench/bench_aviatrix.sh
	@echo "== bench/bench_cato.sh"; NETPULSED=$(BUILD)/netpulsed bench/bench_cato.sh
	@echo "== bench/bench_alerts.sh"; NETPULSED=$(BUILD)/netpulsed bench/bench_alerts.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
