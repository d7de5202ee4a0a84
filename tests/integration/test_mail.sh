#!/usr/bin/env bash
# Reports by e-mail against a real SMTP server (aiosmtpd, tests/sim/smtp_sink.py) on
# 127.0.0.1 that requires STARTTLS and AUTH, with a throwaway certificate:
#  1. `netpulse usage --mail-to` delivers: envelope recipients, Subject, the text body, and a
#     CSV attachment equal byte for byte to `netpulse --format csv usage` with the same options.
#  2. A wrong password: exit 1, stderr names the server and the reason; nothing delivered.
#  3. A server that offers no STARTTLS: refused before anything is sent (smtp:// needs TLS).
source "$(dirname "$0")/lib.sh"
require_root
require_cmd sqlite3 openssl
PY=/usr/bin/python3 # Debian's python3-aiosmtpd lives there (TESTING.md §7)
"$PY" -c 'import aiosmtpd' 2>/dev/null || skip "needs python3-aiosmtpd"
SINK="${NP_SRC:-$(dirname "$0")/../..}/tests/sim/smtp_sink.py"

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null
printf 'mail-pw\n' >"$T/pw"
printf 'not-it\n' >"$T/badpw"
chmod 600 "$T/pw" "$T/badpw"

# start_sink DIR ARGS...: a sink writing to DIR; its port in $PORT.
start_sink() {
	local dir=$1; shift
	mkdir -p "$dir"
	"$PY" "$SINK" "$dir" "$@" >"$dir.log" 2>&1 &
	local pid=$!
	CLEANUP+=("kill $pid; wait $pid")
	wait_for 20 "test -s $dir/port" || fail "smtp sink did not start: $(cat "$dir.log")"
	PORT=$(cat "$dir/port")
}
start_sink "$T/in" --cert "$T/cert.pem" --key "$T/key.pem" --user np --password mail-pw
TLSPORT=$PORT
start_sink "$T/plain" --plain
PLAINPORT=$PORT

# A database of the current schema (the daemon creates it), filled with known usage.
cat >"$T/init.yaml" <<EOC
daemon: { database: $T/np.db }
sources: []
EOC
"$NETPULSED" --once -c "$T/init.yaml" >"$T/init.log" 2>&1 || fail "netpulsed --once: $(cat "$T/init.log")"
sqlite3 "$T/np.db" <<'EOS'
INSERT INTO series (id, source, device, interface, kind, labels, first_seen, last_seen) VALUES
 (1, 'local', 'sw1', 'eth0', 'if', '{"site":"fra"}', 1790805600, 1790935200),
 (2, 'local', 'sw2', 'eth1', 'if', '{"site":"zrh"}', 1790805600, 1790935200);
INSERT INTO rollup_1d (bucket, series, secs, rx_bytes, tx_bytes, peak_rx, peak_tx) VALUES
 (1790726400, 1, 86400, 1073741824, 536870912, 125000, 100),
 (1790812800, 1, 86400, 999999999, 7, 0, 0),
 (1790812800, 2, 86400, 123456789, 987654321, 10, 20);
UPDATE fold SET next_5m = 1790935200; -- folded up to "now": the days are read from rollup_1d
EOS

mailcfg() { # mailcfg FILE PORT PWFILE
	cat >"$1" <<EOC
daemon: { database: $T/np.db, timezone: UTC }
sources: []
mail:
  server: "smtp://127.0.0.1:$2"
  from: netpulse@example.net
  user: np
  password_file: $3
  ca_file: $T/cert.pem
  timeout: 20s
EOC
}
mailcfg "$T/good.yaml" "$TLSPORT" "$T/pw"
mailcfg "$T/bad.yaml" "$TLSPORT" "$T/badpw"
mailcfg "$T/plain.yaml" "$PLAINPORT" "$T/pw"

NOW=1790935200 # 2026-10-02T10:00:00Z
OPTS=(--period 2026-09-30..2026-10-01 --group-by site --tz UTC)
"$NETPULSE" -c "$T/good.yaml" --now $NOW --format csv usage "${OPTS[@]}" >"$T/want.csv" ||
	fail "csv usage"
"$NETPULSE" -c "$T/good.yaml" --now $NOW usage "${OPTS[@]}" >"$T/want.txt" || fail "text usage"
grep -q '^fra' "$T/want.csv" && grep -q '^zrh' "$T/want.csv" || fail "csv lacks rows: $(cat "$T/want.csv")"

# ---- 1. delivered ----
"$NETPULSE" -c "$T/good.yaml" --now $NOW usage "${OPTS[@]}" \
	--mail-to 'a@example.net, b@example.org' >"$T/send.out" 2>"$T/send.err" ||
	fail "--mail-to: rc $? $(cat "$T/send.err")"
[ ! -s "$T/send.out" ] || fail "--mail-to printed the report: $(cat "$T/send.out")"
wait_for 10 "test -f $T/in/1.json" || fail "no message received"
"$PY" - "$T/in" "$T/want.csv" "$T/want.txt" <<'EOP' || fail "received message differs"
import email, email.policy, json, sys
d, want_csv, want_txt = sys.argv[1], open(sys.argv[2], "rb").read(), open(sys.argv[3], "rb").read()
env = json.load(open(d + "/1.json"))
assert env == {"mail_from": "netpulse@example.net",
               "rcpt_tos": ["a@example.net", "b@example.org"]}, env
raw = open(d + "/1.eml", "rb").read()
assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b""), "not CRLF throughout"
m = email.message_from_bytes(raw, policy=email.policy.default)
assert m["Subject"] == "Network usage report [2026-09-30 to 2026-10-01]", m["Subject"]
assert m["From"] == "netpulse@example.net", m["From"]
assert m["To"] == "a@example.net, b@example.org", m["To"]
assert m["Message-ID"].endswith("@example.net>"), m["Message-ID"]
assert m["Date"] == "Fri, 02 Oct 2026 10:00:00 +0000", m["Date"]
assert m.get_content_type() == "multipart/mixed"
body, att = m.get_payload()
assert body.get_content_type() == "text/plain"
text = body.get_payload(decode=True)
assert text == b"Usage report: 2026-09-30 to 2026-10-01\r\n\r\n" + want_txt.replace(b"\n", b"\r\n"), text
assert att.get_content_type() == "text/csv"
assert att.get_filename() == "usage-2026-09-30-2026-10-01.csv", att.get_filename()
got = att.get_payload(decode=True)
assert got == want_csv, (got, want_csv)
print("ok")
EOP
pass "usage --mail-to: envelope, subject, body and CSV attachment (== --format csv) exact"

# ---- 2. wrong password ----
rc=0
"$NETPULSE" -c "$T/bad.yaml" --now $NOW usage "${OPTS[@]}" --mail-to a@example.net \
	>/dev/null 2>"$T/bad.err" || rc=$?
[ $rc = 1 ] || fail "wrong password: rc $rc, want 1"
grep -q "^netpulse: mailing the report: smtp://127.0.0.1:$TLSPORT: Login denied (last SMTP reply 535)$" "$T/bad.err" ||
	fail "wrong password message: $(cat "$T/bad.err")"
! grep -q 'not-it\|mail-pw' "$T/bad.err" || fail "a password in the message"
[ ! -e "$T/in/2.json" ] || fail "delivered with a wrong password"
pass "wrong password: exit 1, $(cat "$T/bad.err")"

# ---- 3. no STARTTLS offered ----
rc=0
"$NETPULSE" -c "$T/plain.yaml" --now $NOW usage "${OPTS[@]}" --mail-to a@example.net \
	>/dev/null 2>"$T/plain.err" || rc=$?
[ $rc = 1 ] || fail "no STARTTLS: rc $rc, want 1"
grep -q "smtp://127.0.0.1:$PLAINPORT: " "$T/plain.err" || fail "no STARTTLS message: $(cat "$T/plain.err")"
[ ! -e "$T/plain/1.json" ] || fail "delivered without TLS"
pass "server without STARTTLS refused: $(cat "$T/plain.err")"

# ---- usage errors ----
rc=0
"$NETPULSE" -c "$T/good.yaml" usage --mail-to 'not an address' 2>"$T/u.err" || rc=$?
[ $rc = 2 ] || fail "bad address: rc $rc, want 2 ($(cat "$T/u.err"))"
rc=0
"$NETPULSE" -c "$T/init.yaml" usage --mail-to a@example.net 2>"$T/u.err" || rc=$?
[ $rc = 1 ] && grep -q 'set mail.server and mail.from' "$T/u.err" || fail "no mail section: rc $rc $(cat "$T/u.err")"
pass "usage errors"
