#!/bin/bash
# The .deb (`make deb`: cpack on NP_BUILD; or NP_DEB=FILE, a built one) installs, configures,
# removes and purges with dpkg in a root of its own: an overlay of this host's / (its dpkg
# database satisfies the package's Depends for real) with a tmpfs upper layer, in a mount
# namespace, chrooted; the host's / is never written. Asserts the control fields (Depends from
# dpkg-shlibdeps), the installed file list, the conffile, the user and group the postinst
# creates, that nothing is enabled or started, that `systemd-analyze verify` on the installed
# unit is silent (its Documentation= man pages resolve to the installed ones) and that the
# installed daemon runs as that user on the shipped configuration. A missing tool fails.
set -euo pipefail

# The installed files, exactly (a file added to cmake/install.cmake is added here).
EXPECTED_FILES="/etc/netpulse/netpulse.yaml
/usr/bin/netpulse
/usr/lib/systemd/system/netpulsed.service
/usr/lib/sysusers.d/netpulse.conf
/usr/lib/tmpfiles.d/netpulse.conf
/usr/sbin/netpulsed
/usr/share/bash-completion/completions/netpulse
/usr/share/man/man1/netpulse.1
/usr/share/man/man5/netpulsed.yaml.5
/usr/share/man/man8/netpulsed.8"
UNIT=/usr/lib/systemd/system/netpulsed.service

# --- inside the private mount namespace: bash test_package.sh --inner DIR DEB -----------------
# The mounts die with the namespace, so the caller's cleanup only ever removes empty mount
# points. Results are checked here; the exit status says how it went.
if [ "${1:-}" = --inner ]; then
	B=$2
	DEB=$3
	R=$B/root
	fails=0
	bad() {
		echo "FAIL: $*"
		fails=$((fails + 1))
	}
	ok() { echo "ok: $*"; }
	# A root's usual environment, plus the sanitizer options (their log_path is bind-mounted).
	in_root() {
		chroot "$R" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			LANG=C.UTF-8 ASAN_OPTIONS="${ASAN_OPTIONS:-}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" "$@"
	}
	mkdir -p "$B/layer" "$R"
	mount -t tmpfs -o mode=0755 np-pkg "$B/layer"
	mkdir "$B/layer/upper" "$B/layer/work"
	mount -t overlay np-pkg -o "lowerdir=/,upperdir=$B/layer/upper,workdir=$B/layer/work" "$R"
	mount -t proc proc "$R/proc"
	mount --bind /dev "$R/dev"
	mount --bind /sys "$R/sys"
	mount -t tmpfs -o mode=0755 tmpfs "$R/run"
	mount -t tmpfs -o mode=1777 tmpfs "$R/tmp"
	if [ -n "${NP_SAN_DIR:-}" ]; then
		mkdir -p "$R$NP_SAN_DIR"
		mount --bind "$NP_SAN_DIR" "$R$NP_SAN_DIR"
	fi
	cp "$DEB" "$R/tmp/netpulse.deb"

	# A root without netpulse: no package, no user, no group (this host may have them).
	if in_root dpkg-query -W netpulse >/dev/null 2>&1; then in_root dpkg --purge netpulse >/dev/null; fi
	if in_root getent passwd netpulse >/dev/null; then in_root userdel netpulse; fi
	if in_root getent group netpulse >/dev/null; then in_root groupdel netpulse; fi

	if in_root dpkg -i /tmp/netpulse.deb >"$B/dpkg-install.log" 2>&1; then
		ok "dpkg -i: installed and configured"
	else
		bad "dpkg -i failed:"
		cat "$B/dpkg-install.log"
		exit 1
	fi
	st=$(in_root dpkg-query -W -f='${Status}' netpulse)
	[ "$st" = "install ok installed" ] && ok "status: $st" || bad "status '$st'"

	# Files: exactly the expected ones (directories aside).
	in_root dpkg -L netpulse | while read -r f; do
		[ -f "$R$f" ] && [ ! -L "$R$f" ] && echo "$f"
	done | LC_ALL=C sort >"$B/files"
	if [ "$(cat "$B/files")" = "$EXPECTED_FILES" ]; then
		ok "installed files: $(tr '\n' ' ' <"$B/files")"
	else
		bad "installed files differ from the expected list:"
		diff <(echo "$EXPECTED_FILES") "$B/files" || true
	fi
	[ -x "$R/usr/sbin/netpulsed" ] && [ -x "$R/usr/bin/netpulse" ] && ok "binaries executable" ||
		bad "binaries not executable"
	cf=$(in_root dpkg-query -W -f='${Conffiles}' netpulse | awk 'NF { print $1 }')
	[ "$cf" = /etc/netpulse/netpulse.yaml ] && ok "conffile: $cf" || bad "conffiles: '$cf'"
	grep -qx "ExecStart=/usr/sbin/netpulsed --foreground -c /etc/netpulse/netpulse.yaml" "$R$UNIT" &&
		ok "unit's ExecStart is the installed daemon" || bad "ExecStart: $(grep ExecStart= "$R$UNIT")"

	# The postinst created the user and its group, a system account without a login.
	pw=$(in_root getent passwd netpulse || true)
	IFS=: read -r _ _ uid gid _ home shell <<<"$pw"
	if [ -n "$pw" ] && [ "$uid" -lt 1000 ] && [ "$home" = /var/lib/netpulse ] &&
		[ "${shell##*/}" = nologin ] && [ "$(in_root getent group netpulse | cut -d: -f3)" = "$gid" ]; then
		ok "user and group netpulse: $pw"
	else
		bad "user netpulse: '$pw', group: '$(in_root getent group netpulse || true)'"
	fi

	# The state directory exists before the first start (tmpfiles.d), for --check-config.
	sd=$(in_root stat -c '%a %U:%G' /var/lib/netpulse 2>&1 || true)
	[ "$sd" = "750 netpulse:netpulse" ] && ok "/var/lib/netpulse: $sd" || bad "/var/lib/netpulse: '$sd'"

	# Nothing enabled, nothing started.
	en=$(in_root systemctl is-enabled netpulsed.service 2>&1 || true)
	[ "$en" = disabled ] && ok "netpulsed.service: $en" || bad "systemctl is-enabled: '$en', want disabled"
	links=$(find "$R/etc/systemd" -name netpulsed.service 2>/dev/null || true)
	[ -z "$links" ] && ok "no unit links under /etc/systemd" || bad "links: $links"

	# verify: silent, with the unit, its ExecStart and its man pages as installed.
	if in_root systemd-analyze verify "$UNIT" >"$B/verify.out" 2>&1 && [ ! -s "$B/verify.out" ]; then
		ok "systemd-analyze verify $UNIT: silent"
	else
		bad "systemd-analyze verify $UNIT:"
		cat "$B/verify.out"
	fi
	for p in netpulse.1 netpulsed.8 netpulsed.yaml.5; do
		sec=${p##*.}
		w=$(in_root man -w "$sec" "${p%.*}" 2>&1 || true)
		[ "$w" = "/usr/share/man/man$sec/$p" ] && ok "man $sec ${p%.*}: $w" || bad "man -w $sec ${p%.*}: $w"
	done

	# The installed daemon, as the service's user, accepts the shipped configuration.
	if in_root setpriv --reuid=netpulse --regid=netpulse --init-groups \
		/usr/sbin/netpulsed --check-config -c /etc/netpulse/netpulse.yaml >"$B/check.out" 2>&1; then
		ok "netpulsed --check-config as netpulse: $(cat "$B/check.out")"
	else
		bad "netpulsed --check-config as netpulse: $(cat "$B/check.out")"
	fi

	# remove keeps the conffile; purge removes it and the state directory.
	touch "$R/var/lib/netpulse/netpulse.db"
	if in_root dpkg -r netpulse >"$B/dpkg-remove.log" 2>&1 && [ ! -e "$R/usr/sbin/netpulsed" ] &&
		[ ! -e "$R$UNIT" ] && [ -f "$R/etc/netpulse/netpulse.yaml" ]; then
		ok "dpkg -r: files gone, conffile kept"
	else
		bad "dpkg -r:"
		cat "$B/dpkg-remove.log"
	fi
	if in_root dpkg --purge netpulse >"$B/dpkg-purge.log" 2>&1 && [ ! -e "$R/etc/netpulse" ] &&
		[ ! -e "$R/var/lib/netpulse" ] && ! in_root dpkg-query -W netpulse >/dev/null 2>&1; then
		ok "dpkg --purge: conffile, /etc/netpulse and /var/lib/netpulse gone"
	else
		bad "dpkg --purge:"
		cat "$B/dpkg-purge.log"
		ls -la "$R/etc/netpulse" "$R/var/lib/netpulse" 2>&1
	fi
	[ $fails = 0 ] || {
		echo "$fails check(s) failed"
		exit 1
	}
	exit 0
fi

# --- the test -------------------------------------------------------------------------------------
. "$(dirname "$0")/lib.sh"
require_root
SRC=${NP_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${NP_BUILD:-$SRC/build}

# Tools a CI box must have (Makefile TEST_DEPS): missing is a failure, not a skip.
for c in dpkg dpkg-deb dpkg-shlibdeps cpack systemd-analyze systemctl man unshare chroot setpriv; do
	command -v "$c" >/dev/null || fail "$c not installed (make test installs it: Makefile TEST_DEPS)"
done
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null ||
	fail "no overlay filesystem in this kernel"

DEB=${NP_DEB:-}
if [ -z "$DEB" ]; then
	[ -f "$BUILD/CPackConfig.cmake" ] || fail "$BUILD/CPackConfig.cmake missing: configure and build first"
	cpack -G DEB --config "$BUILD/CPackConfig.cmake" -B "$T/deb" >"$T/cpack.log" 2>&1 ||
		fail "cpack: $(tail -n 20 "$T/cpack.log")"
	DEB=$(ls "$T"/deb/netpulse_*.deb 2>/dev/null | head -n 1)
	[ -n "$DEB" ] || fail "cpack made no .deb: $(tail -n 20 "$T/cpack.log")"
fi
[ -f "$DEB" ] || fail "no package $DEB"
pass "package $(basename "$DEB")"

# Control fields: the libraries from dpkg-shlibdeps (without it cpack only notes that it
# could not run), libcurl (loaded with dlopen()).
deps=$(dpkg-deb -f "$DEB" Depends)
for d in libc6 libevent-2.1-7 libsqlite3-0 libssh2-1 libyaml-0-2 libjansson4 libssl3 libcurl4; do
	[[ ", $deps," == *", $d "* || ", $deps," == *", $d,"* ]] || fail "Depends lacks $d: $deps"
done
pass "Depends: $deps"
[ "$(dpkg-deb -f "$DEB" Package)" = netpulse ] || fail "Package: $(dpkg-deb -f "$DEB" Package)"
cf=$(dpkg-deb -I "$DEB" conffiles 2>&1) || fail "no conffiles in the package: $cf"
[ "$cf" = /etc/netpulse/netpulse.yaml ] || fail "the package's conffiles: '$cf'"

chmod 755 "$T"
mkdir -p "$T/ns"
rc=0
NP_SAN_DIR="$T/san" unshare -m --propagation private bash "$0" --inner "$T/ns" "$DEB" \
	>"$T/inner.log" 2>&1 || rc=$?
cat "$T/inner.log"
[ $rc = 0 ] || fail "package checks failed (above)"
pass "the .deb installs, configures, verifies, removes and purges"
