#!/usr/bin/env bash
# tls:// alert sinks end to end: netpulsed in a namespace watching a veth pair, a real rsyslogd
# with the gtls stream driver on 127.0.0.1 (CA, server and client certificates made here with
# the openssl CLI), three sinks:
#   6514: verified (ca_file) with a client certificate: every alert arrives, as RFC 5424 text,
#         and is marked delivered;
#   6515: the wrong CA: refused, the daemon's log says why, nothing marked delivered;
#   6516: by name (localhost), the wrong CA but insecure: true: delivered.
# Then rsyslogd is hung (SIGSTOP), a link goes down, and rsyslogd is killed (SIGKILL) while
# the alert sits in its socket buffer, within confirm_after: the alert is not marked delivered,
# and after rsyslogd's restart it arrives and is.
source "$(dirname "$0")/lib.sh"
require_root
require_cmd sqlite3 python3 openssl rsyslogd
compgen -G '/usr/lib/*/rsyslog/lmnsd_gtls.so' >/dev/null || compgen -G '/usr/lib*/rsyslog/lmnsd_gtls.so' >/dev/null \
	|| skip "needs rsyslog's gtls driver (rsyslog-gnutls)"
make_netns
make_veth_pair

# ---- certificates ----
ec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
(
	cd "$T"
	openssl req -x509 "${ec[@]}" -keyout ca.key -out ca.pem -days 2 -subj "/CN=netpulse test CA"
	openssl req -x509 "${ec[@]}" -keyout ca2.key -out ca2.pem -days 2 -subj "/CN=another CA"
	while read -r name cn san; do
		openssl req "${ec[@]}" -keyout "$name.key" -out "$name.csr" -subj "/CN=$cn"
		printf 'subjectAltName=%s\n' "$san" >"$name.ext"
		openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial \
			-out "$name.pem" -days 2 -extfile "$name.ext"
	done <<-EOL
		srv localhost DNS:localhost,IP:127.0.0.1
		cli netpulse DNS:netpulse.example
	EOL
	chmod 600 ./*.key
) >"$T/openssl.log" 2>&1 || fail "openssl could not make the certificates"

# ---- rsyslogd: one gtls listener per sink, each to its own file ----
mkdir -p "$T/rsyslog"
cat >"$T/rsyslog.conf" <<EOC
global(workDirectory="$T/rsyslog" maxMessageSize="64k"
  DefaultNetstreamDriver="gtls" DefaultNetstreamDriverCAFile="$T/ca.pem"
  DefaultNetstreamDriverCertFile="$T/srv.pem" DefaultNetstreamDriverKeyFile="$T/srv.key")
module(load="imtcp" StreamDriver.Name="gtls" StreamDriver.Mode="1" StreamDriver.AuthMode="anon")
template(name="Raw" type="string" string="%rawmsg%\n")
ruleset(name="r4") { action(type="omfile" file="$T/raw-6514.log" template="Raw") }
ruleset(name="r5") { action(type="omfile" file="$T/raw-6515.log" template="Raw") }
ruleset(name="r6") { action(type="omfile" file="$T/raw-6516.log" template="Raw") }
input(type="imtcp" address="127.0.0.1" port="6514" ruleset="r4"
  streamDriver.authMode="x509/certvalid")
input(type="imtcp" address="127.0.0.1" port="6515" ruleset="r5")
input(type="imtcp" address="127.0.0.1" port="6516" ruleset="r6")
EOC
rsyslogd -N1 -f "$T/rsyslog.conf" >"$T/rsyslog-check.log" 2>&1 || fail "rsyslog config invalid"
touch "$T/raw-6514.log" "$T/raw-6515.log" "$T/raw-6516.log"
start_tls_rsyslog() {
	ip netns exec "$NS" rsyslogd -n -f "$T/rsyslog.conf" -i "$T/rsyslogd.pid" >>"$T/rsyslogd.log" 2>&1 &
	RSYSLOG_PID=$!
	CLEANUP+=("kill -CONT $RSYSLOG_PID; kill $RSYSLOG_PID; wait $RSYSLOG_PID")
	wait_for 10 'test "$(in_ns ss -Hlnt "( sport = :6514 or sport = :6515 or sport = :6516 )" | wc -l)" = 3' \
		|| fail "rsyslogd did not start listening"
}
start_tls_rsyslog

cat >"$T/netpulse.yaml" <<EOC
daemon: { database: $T/np.db, log_level: debug }
sources:
  - { name: ns-host, type: local, interval: 1s, include: ["^npa\$"] }
alerts:
  - { type: syslog, server: "tls://127.0.0.1:6514", hostname: testhost, ca_file: "$T/ca.pem",
      cert_file: "$T/cli.pem", key_file: "$T/cli.key", confirm_after: 5s }
  - { type: syslog, server: "tls://127.0.0.1:6515", hostname: testhost, ca_file: "$T/ca2.pem" }
  - { type: syslog, server: "tls://localhost:6516", hostname: testhost, ca_file: "$T/ca2.pem",
      insecure: true, confirm_after: 500ms }
EOC
"$NETPULSED" --check-config -c "$T/netpulse.yaml" >"$T/check.log" 2>&1 || { cat "$T/check.log"; fail "config rejected"; }
grep -q "insecure" "$T/check.log" || fail "insecure: true drew no warning"
pass "config accepted, insecure warned about"
start_daemon "$T/netpulse.yaml"

# pending SINK: rows queued for SINK and not delivered yet.
pending() { sqlite3 "$T/np.db" "SELECT count(*) FROM outbox_sink WHERE sink = '$1' AND delivered IS NULL"; }
delivered() { sqlite3 "$T/np.db" "SELECT count(*) FROM outbox_sink WHERE sink = '$1' AND delivered IS NOT NULL"; }
ids() { sed -n 's/.*\[netpulse@32473 id="\([0-9]*\)".*/\1/p' "$1" | tr '\n' ' '; }

wait_for 20 'test "$(link_state)" = up' || fail "npa never reported up"
ip -n "$NS" link set npb down
wait_for 20 'test "$(count_lines " IFDOWN " "$T/raw-6514.log")" -ge 1' || fail "no IFDOWN over TLS"
ip -n "$NS" link set npb up
wait_for 20 'test "$(count_lines " IFUP " "$T/raw-6514.log")" -ge 1' || fail "no IFUP over TLS"
wait_for 30 'test "$(pending tls://127.0.0.1:6514)" = 0 && test "$(pending tls://localhost:6516)" = 0' \
	|| fail "TLS alerts not marked delivered"
[ "$(delivered tls://127.0.0.1:6514)" = 2 ] || fail "6514: $(delivered tls://127.0.0.1:6514) delivered, expected 2"
raw=$(grep -m1 ' IFDOWN ' "$T/raw-6514.log")
[[ $raw =~ ^\<27\>1\ [0-9T:.-]+Z\ testhost\ netpulse\ [0-9]+\ IFDOWN\ \[netpulse@32473\ id=\"[0-9]+\"\ device=\"[^\"]+\"\ interface=\"npa\"\ state=\"down\" ]] \
	|| fail "raw RFC 5424 frame wrong: $raw"
pass "verified + client certificate: IFDOWN and IFUP arrived and delivered ($(ids "$T/raw-6514.log"))"
[ "$(ids "$T/raw-6516.log")" = "$(ids "$T/raw-6514.log")" ] || fail "insecure sink got other alerts"
pass "insecure: delivered the same alerts"

# The wrong CA: refused with the reason in the log, nothing delivered, nothing received.
wait_for 20 'grep -q "tls://127.0.0.1:6515: certificate verify failed: unable to get local issuer certificate" "$T/netpulsed.log"' \
	|| { grep 6515 "$T/netpulsed.log" | tail -3; fail "the refusal's cause is not logged"; }
grep -m1 "6515: certificate verify failed" "$T/netpulsed.log"
[ "$(delivered tls://127.0.0.1:6515)" = 0 ] || fail "an alert to the refused sink was marked delivered"
[ "$(pending tls://127.0.0.1:6515)" = 2 ] || fail "the refused sink's alerts are not queued"
[ ! -s "$T/raw-6515.log" ] || fail "the refused sink sent something"
pass "wrong CA: refused, logged, 2 alerts stay queued"

# Hung receiver, then killed within confirm_after (5 s): the alert is re-sent after restart.
kill -STOP "$RSYSLOG_PID"
# kill returns before every thread stopped: wait until they all are.
stopped() { ! grep -qv '^[0-9]* (.*) [Tt] ' /proc/"$RSYSLOG_PID"/task/*/stat; }
wait_for 5 stopped || fail "rsyslogd did not stop"
ip -n "$NS" link set npb down
# The alert is in rsyslogd's socket buffer (its kernel took it; rsyslogd did not read it).
wait_for 20 'in_ns ss -Htn state established "( sport = :6514 )" | awk "{ s += \$1 } END { exit !(s > 0) }"' \
	|| fail "the IFDOWN never reached the hung receiver's socket"
kill -KILL "$RSYSLOG_PID"
wait "$RSYSLOG_PID" 2>/dev/null || true
[ "$(count_lines " IFDOWN " "$T/raw-6514.log")" = 1 ] || fail "the hung receiver wrote the alert"
[ "$(pending tls://127.0.0.1:6514)" = 1 ] || fail "the alert lost with the receiver was marked delivered"
pass "killed within confirm_after: the alert is still pending"
start_tls_rsyslog
wait_for 60 'test "$(count_lines " IFDOWN " "$T/raw-6514.log")" -ge 2' || fail "the alert was not re-sent after the restart"
wait_for 30 'test "$(pending tls://127.0.0.1:6514)" = 0' || fail "the re-sent alert is not marked delivered"
pass "re-sent after the restart and delivered: ids $(ids "$T/raw-6514.log")"
