#!/usr/bin/env bash
# `netpulsed --check-config` catches what is sure to fail at run time: a missing or unreadable
# key, known_hosts or CA file, an unknown time zone, a database directory that is missing or
# not writable (a warning when root checks, an error for the daemon's own user). Start-up
# refuses the same files, and a reload naming a missing file keeps the running configuration.
source "$(dirname "$0")/lib.sh"
require_root
require_cmd setpriv
make_netns

# nobody runs a copy of the binary: the build tree may sit under a 0700 directory.
chmod 0711 "$T"
cp "$NETPULSED" "$T/netpulsed"
touch "$T/kh" "$T/id" "$T/ca.pem"
chmod 0644 "$T/kh" "$T/ca.pem"
chmod 0600 "$T/id"

check() { "$NETPULSED" --check-config -c "$1" >"$T/check.log" 2>&1; }

cat >"$T/bad.yaml" <<EOC
daemon: { database: $T/np.db }
alerts:
  - { type: webhook, url: "https://127.0.0.1:9/x", ca_file: $T/missing-ca.pem }
sources:
  - name: fc
    type: stealthwatch
    host: 127.0.0.1
    user: u
    identity_file: $T/missing-id
    known_hosts: $T/missing-kh
EOC
if check "$T/bad.yaml"; then fail "missing files accepted: $(cat "$T/check.log")"; fi
grep -qx "$T/bad.yaml:3:61: 'ca_file' in alert 1: cannot read $T/missing-ca.pem: No such file or directory" "$T/check.log" \
	|| fail "missing ca_file not reported: $(cat "$T/check.log")"
grep -qx "$T/bad.yaml:9:20: 'identity_file' in source 'fc': cannot read $T/missing-id: No such file or directory" "$T/check.log" \
	|| fail "missing identity_file not reported: $(cat "$T/check.log")"
grep -qx "$T/bad.yaml:10:18: 'known_hosts' in source 'fc': cannot read $T/missing-kh: No such file or directory" "$T/check.log" \
	|| fail "missing known_hosts not reported: $(cat "$T/check.log")"
pass "missing ca_file, identity_file, known_hosts: exit 1, each at file:line:column"

sed -e "s#$T/missing-ca.pem#$T/ca.pem#; s#$T/missing-id#$T/id#; s#$T/missing-kh#$T/kh#" "$T/bad.yaml" >"$T/good.yaml"
check "$T/good.yaml" || fail "good config rejected: $(cat "$T/check.log")"
pass "the same config with the files present: exit 0"

# A secret's _file form is read by the loader itself.
sed "s#identity_file: .*#password_file: $T/missing-pw#" "$T/good.yaml" >"$T/pw.yaml"
if check "$T/pw.yaml"; then fail "missing password_file accepted"; fi
grep -q "^$T/pw.yaml:9:20: bad value for 'password_file' in source 'fc': cannot open $T/missing-pw" "$T/check.log" \
	|| fail "missing password_file not reported: $(cat "$T/check.log")"
pass "missing password_file: exit 1"

# Unreadable for the daemon's user (nobody here): the key belongs to root, mode 0600.
if setpriv --reuid=65534 --regid=65534 --clear-groups "$T/netpulsed" --check-config -c "$T/good.yaml" >"$T/check.log" 2>&1; then
	fail "unreadable identity_file accepted"
fi
grep -qx "$T/good.yaml:9:20: 'identity_file' in source 'fc': cannot read $T/id: Permission denied" "$T/check.log" \
	|| fail "unreadable identity_file not reported: $(cat "$T/check.log")"
pass "unreadable identity_file: exit 1"

echo "daemon: { database: $T/np.db, timezone: Europe/Atlantis }
sources: []" >"$T/tz.yaml"
if check "$T/tz.yaml"; then fail "unknown daemon.timezone accepted"; fi
grep -q "^$T/tz.yaml:1:[0-9]*: bad value for 'timezone' in daemon: unknown time zone \"Europe/Atlantis\"" "$T/check.log" \
	|| fail "unknown timezone not reported: $(cat "$T/check.log")"
pass "unknown daemon.timezone: exit 1"

# The database directory: root checking is not the daemon's user (a warning, exit 0); the
# daemon's own user gets an error.
echo "daemon: { database: $T/nodir/np.db }
sources: []" >"$T/db.yaml"
check "$T/db.yaml" || fail "root: missing database directory is an error: $(cat "$T/check.log")"
grep -qx "$T/db.yaml:1:21: 'database' in daemon: directory $T/nodir: No such file or directory (checked as another user than the daemon's: a warning)" "$T/check.log" \
	|| fail "root: no warning for the missing database directory: $(cat "$T/check.log")"
mkdir -m 0755 "$T/nodir"
echo "daemon: { database: $T/nodir/np.db }
sources: []" >"$T/db.yaml"
if setpriv --reuid=65534 --regid=65534 --clear-groups "$T/netpulsed" --check-config -c "$T/db.yaml" >"$T/check.log" 2>&1; then
	fail "database directory not writable by the user accepted"
fi
grep -qx "$T/db.yaml:1:21: 'database' in daemon: directory $T/nodir is not writable: Permission denied" "$T/check.log" \
	|| fail "unwritable database directory not reported: $(cat "$T/check.log")"
pass "database directory: a warning as root, an error as the user"

# Start-up refuses the missing files before it starts anything.
if in_ns "$NETPULSED" --foreground -c "$T/bad.yaml" >"$T/start.log" 2>&1; then fail "daemon started with missing files"; fi
grep -q "'known_hosts' in source 'fc': cannot read" "$T/start.log" || fail "start-up: $(cat "$T/start.log")"
[ ! -e "$T/np.db" ] || fail "start-up created the database before refusing"
pass "start-up with missing files: exit 1, nothing created"

# A reload naming a missing CA file keeps the running configuration.
cat >"$T/run.yaml" <<EOC
daemon: { database: $T/np.db, log_level: debug }
alerts:
  - { type: webhook, url: "https://127.0.0.1:9/x", ca_file: $T/ca.pem }
sources:
  - { name: lo, type: local, interval: 1s, include: ["^lo\$"] }
EOC
start_daemon "$T/run.yaml"
wait_polls lo 1 15 || fail "daemon not polling"
sed -i "s#$T/ca.pem#$T/gone.pem#" "$T/run.yaml"
kill -HUP "$DAEMON_PID"
wait_for 10 'grep -q "reload failed, keeping the running configuration" "$T/netpulsed.log"' \
	|| fail "reload with a missing ca_file not refused"
grep -q "'ca_file' in alert 1: cannot read $T/gone.pem" "$T/netpulsed.log" || fail "reload refusal does not name the file"
kill -0 "$DAEMON_PID" || fail "daemon died on the refused reload"
wait_polls lo 1 15 || fail "not polling after the refused reload"
touch "$T/gone.pem"
kill -HUP "$DAEMON_PID"
wait_for 10 'grep -q "configuration reloaded" "$T/netpulsed.log"' || fail "reload with the file present not applied"
pass "reload with a missing ca_file refused, running configuration kept"
