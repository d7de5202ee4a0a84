# Thin wrapper: everything real is in CMakeLists.txt. Run as root on Debian 12:
#   make run    install deps, build, run netpulsed on conf/local.yaml (./var/netpulse.db)
#   make test   install deps, build, run every test, then the unit tests under ASan+UBSan
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 20

# Debian 12 packages: libraries, test peers, tools.
DEPS = build-essential cmake pkg-config clang libclang-rt-14-dev valgrind \
	libevent-dev libcurl4-openssl-dev libssh2-1-dev libyaml-dev libsqlite3-dev \
	libjansson-dev libcmocka-dev sqlite3 iproute2 rsyslog openssh-server \
	openssh-client openssh-sftp-server systemd python3 ca-certificates mandoc

.PHONY: all deps build run test unit asan fuzz bench clean format

all: build

deps:
	@missing=$$(for p in $(DEPS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		if [ "$$(id -u)" != 0 ]; then echo "run as root to install packages" >&2; exit 1; fi; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get \
			-o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $$missing; \
	fi

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

run: build
	mkdir -p var
	$(BUILD)/netpulsed --foreground -c conf/local.yaml

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -LE integration
	cd $(BUILD) && ctest --output-on-failure -L integration
	$(MAKE) asan

asan: deps
	CC=clang cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DNP_SANITIZE=ON >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --output-on-failure -j $(JOBS) -L 'unit|fuzz'

fuzz: deps
	CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNP_FUZZ=ON >/dev/null
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	@for f in $(FUZZ_BUILD)/tests/fuzz_*; do \
		n=$$(basename $$f); mkdir -p $(FUZZ_BUILD)/corpus/$$n; \
		echo "== $$n ($(FUZZ_SECONDS)s)"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			$(FUZZ_BUILD)/corpus/$$n tests/fuzz/corpus/$$n || exit 1; \
	done

bench: build
	@for b in $(BUILD)/bench/bench_*; do echo "== $$b"; $$b || exit 1; done

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
