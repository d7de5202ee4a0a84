#!/usr/bin/env bash
# Webhook and email alert sinks end to end: netpulsed watching a veth pair in a namespace,
# a webhook receiver over HTTPS (tests/sim/webhook_sink.py, a test-made certificate given as
# ca_file, bearer token from a file) that answers 500 twice and then 200, and a real SMTP
# server (aiosmtpd, tests/sim/smtp_sink.py: STARTTLS + AUTH required).
#  1. IFDOWN: the webhook gets the same alert three times (500, 500, 200): the JSON body with
#     the outbox id, Authorization: Bearer <token>; the outbox row is delivered once, after
#     the 200; the daemon logged the 500 with its body's start and never the token.
#  2. The same IFDOWN by mail, with the SMTP server down at first: nothing arrives and the
#     row stays pending (attempts counted) until the server is started, then one message,
#     Subject "[np-test] IFDOWN <host> npa", the sentence and "alert id: N" in the body, the
#     envelope from the mail: section.
#  3. IFUP: one webhook POST (200) and one mail with a new id; nothing else arrives.
source "$(dirname "$0")/lib.sh"
require_root
require_cmd sqlite3 openssl python3
PY=/usr/bin/python3 # Debian's python3-aiosmtpd lives there
"$PY" -c 'import aiosmtpd' 2>/dev/null || skip "needs python3-aiosmtpd"
SIM="${NP_SRC:-$(dirname "$0")/../..}/tests/sim"

make_netns
make_veth_pair
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null
printf 'mail-pw\n' >"$T/pw"
printf 'hook-s3cret-token\n' >"$T/token"
chmod 600 "$T/pw" "$T/token"

# The peers run inside the namespace: the daemon reaches them on its own 127.0.0.1.
mkdir -p "$T/hook" "$T/mail"
ip netns exec "$NS" "$PY" "$SIM/webhook_sink.py" "$T/hook" --script 500,500 \
	--cert "$T/cert.pem" --key "$T/key.pem" >"$T/hook.log" 2>&1 &
HOOK_PID=$!
CLEANUP+=("kill $HOOK_PID; wait $HOOK_PID")
wait_for 20 "test -s $T/hook/port" || fail "webhook receiver did not start: $(cat "$T/hook.log")"
HOOKPORT=$(cat "$T/hook/port")
# The SMTP server starts later, on a port chosen now (nothing listens there yet).
SMTPPORT=$(ip netns exec "$NS" "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start_smtp() {
	ip netns exec "$NS" "$PY" "$SIM/smtp_sink.py" "$T/mail" --port "$SMTPPORT" \
		--cert "$T/cert.pem" --key "$T/key.pem" --user np --password mail-pw >"$T/smtp.log" 2>&1 &
	SMTP_PID=$!
	CLEANUP+=("kill $SMTP_PID; wait $SMTP_PID")
	wait_for 20 "test -s $T/mail/port" || fail "smtp sink did not start: $(cat "$T/smtp.log")"
}
URL="https://127.0.0.1:$HOOKPORT/hooks/netpulse"

cat >"$T/netpulse.yaml" <<EOC
daemon: { database: $T/np.db, log_level: debug }
sources:
  - { name: ns-host, type: local, interval: 1s, include: ["^npa\$"] }
mail:
  server: "smtp://127.0.0.1:$SMTPPORT"
  from: netpulse@example.net
  user: np
  password_file: $T/pw
  ca_file: $T/cert.pem
  timeout: 20s
alerts:
  - { type: webhook, url: "$URL", bearer_token_file: $T/token, ca_file: $T/cert.pem }
  - { type: email, to: [ops@example.net, noc@example.org], subject_prefix: "[np-test]" }
EOC
"$NETPULSED" --check-config -c "$T/netpulse.yaml" >"$T/check.log" 2>&1 || fail "config rejected: $(cat "$T/check.log")"
start_daemon "$T/netpulse.yaml"
HOST=$(ip netns exec "$NS" hostname)

wait_for 20 'test "$(link_state)" = up' || fail "npa never reported up"
ip -n "$NS" link set npb down

# ---- 1. webhook: 500, 500, 200 ----
wait_for 60 "test -f $T/hook/3.json" || fail "the webhook did not get the alert three times"
"$PY" - "$T/hook" "$HOST" <<'EOP' || fail "webhook requests wrong"
import json, sys
d, host = sys.argv[1], sys.argv[2]
reqs = [json.load(open("%s/%d.json" % (d, i))) for i in (1, 2, 3)]
assert [r["status"] for r in reqs] == [500, 500, 200], [r["status"] for r in reqs]
ids = set()
for r in reqs:
    assert r["method"] == "POST" and r["path"] == "/hooks/netpulse", r
    assert r["headers"]["content-type"] == "application/json", r["headers"]
    assert r["headers"]["authorization"] == "Bearer hook-s3cret-token", r["headers"]
    j = json.loads(r["body"])
    assert j["msgid"] == "IFDOWN" and j["severity"] == "err", j
    assert j["device"] == host and j["interface"] == "npa", j
    assert j["state"] == "down" and j["previous"] == "up" and j["source"] == "ns-host", j
    assert j["host"] == host and j["outage_seconds"] is None, j
    assert j["time"].endswith("Z") and len(j["time"]) == 27, j["time"]
    assert isinstance(j["id"], int) and j["id"] > 0, j
    ids.add(j["id"])
assert len(ids) == 1, ids
print(ids.pop())
EOP
DOWN_ID=$("$PY" -c 'import json,sys; print(json.loads(json.load(open(sys.argv[1]))["body"])["id"])' "$T/hook/3.json")
row=$(sqlite3 "$T/np.db" "SELECT count(*), sum(delivered IS NOT NULL) FROM outbox_sink WHERE outbox = $DOWN_ID AND sink = 'webhook:$URL'")
[ "$row" = "1|1" ] || fail "outbox row of alert $DOWN_ID for the webhook: $row (want one, delivered)"
grep -q 'HTTP 500 (sim error 500: the receiver is unwell)' "$T/netpulsed.log" ||
	fail "the daemon did not log the 500 with its body"
! grep -q 'hook-s3cret-token' "$T/netpulsed.log" || fail "the bearer token is in the log"
pass "webhook: 500, 500, 200 for alert $DOWN_ID; delivered once; the 500 logged, the token not"

# ---- 2. the same alert by mail, once the SMTP server is up ----
EMAILKEY="email:ops@example.net,noc@example.org"
wait_for 30 "test \"\$(sqlite3 $T/np.db \"SELECT attempts > 1 FROM outbox_sink WHERE outbox = $DOWN_ID AND sink = '$EMAILKEY' AND delivered IS NULL\")\" = 1" ||
	fail "the mail of alert $DOWN_ID is not pending with failed attempts: $(sqlite3 "$T/np.db" "SELECT * FROM outbox_sink WHERE outbox = $DOWN_ID")"
grep -q "alert sink $EMAILKEY: smtp://127.0.0.1:$SMTPPORT: " "$T/netpulsed.log" ||
	fail "the failed mail was not logged with the server"
[ ! -e "$T/mail/1.json" ] || fail "mail delivered with no server?"
start_smtp
wait_for 90 "test -f $T/mail/1.json" || fail "no mail received"
wait_outbox_empty "$T/np.db" 60 || fail "alerts stuck in the outbox"
row=$(sqlite3 "$T/np.db" "SELECT count(*), sum(delivered IS NOT NULL) FROM outbox_sink WHERE outbox = $DOWN_ID AND sink = '$EMAILKEY'")
[ "$row" = "1|1" ] || fail "outbox row of alert $DOWN_ID for the mail: $row (want one, delivered)"
"$PY" - "$T/mail" "$HOST" "$DOWN_ID" <<'EOP' || fail "mail wrong"
import email, email.policy, json, sys
d, host, aid = sys.argv[1], sys.argv[2], sys.argv[3]
env = json.load(open(d + "/1.json"))
assert env == {"mail_from": "netpulse@example.net",
               "rcpt_tos": ["ops@example.net", "noc@example.org"]}, env
m = email.message_from_bytes(open(d + "/1.eml", "rb").read(), policy=email.policy.default)
assert m["Subject"] == "[np-test] IFDOWN %s npa" % host, m["Subject"]
assert m["To"] == "ops@example.net, noc@example.org", m["To"]
assert m["Message-ID"].startswith("<npa%s" % aid), m["Message-ID"]
body = m.get_body(("plain",)).get_content()
lines = body.splitlines()
assert lines[0] == "interface npa on %s is DOWN (seen by ns-host)" % host, lines[0]
assert "alert id:       %s" % aid in lines, body
assert "msgid:          IFDOWN" in lines and "severity:       err" in lines, body
assert "interface:      npa" in lines and "state:          down" in lines, body
print("ok")
EOP
pass "email: refused while the server was down, then alert $DOWN_ID mailed once with subject, envelope and fields"

# ---- 3. IFUP ----
ip -n "$NS" link set npb up
wait_for 30 "test -f $T/hook/4.json" || fail "no IFUP webhook"
wait_for 30 "test -f $T/mail/2.json" || fail "no IFUP mail"
wait_outbox_empty "$T/np.db" 30 || fail "alerts stuck in the outbox"
wait_polls ns-host 2 || fail "the daemon stopped polling"
"$PY" - "$T/hook" "$T/mail" "$DOWN_ID" <<'EOP' || fail "IFUP wrong"
import email, email.policy, json, os, sys
hook, mail, down = sys.argv[1], sys.argv[2], int(sys.argv[3])
r = json.load(open(hook + "/4.json"))
j = json.loads(r["body"])
assert r["status"] == 200 and j["msgid"] == "IFUP" and j["id"] != down, (r["status"], j)
assert isinstance(j["outage_seconds"], int) and j["outage_seconds"] >= 0, j
m = email.message_from_bytes(open(mail + "/2.eml", "rb").read(), policy=email.policy.default)
assert m["Subject"].startswith("[np-test] IFUP "), m["Subject"]
assert "alert id:       %d" % j["id"] in m.get_body(("plain",)).get_content().splitlines()
assert not os.path.exists(hook + "/5.json"), "a fifth webhook request"
assert not os.path.exists(mail + "/3.json"), "a third mail"
print("ok")
EOP
pass "IFUP: one webhook POST and one mail; nothing more"

kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" && rc=0 || rc=$?
[ "$rc" = 0 ] || fail "netpulsed exited $rc on SIGTERM"
pass "clean stop"
