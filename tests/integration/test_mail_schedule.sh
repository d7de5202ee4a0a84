#!/usr/bin/env bash
# Scheduled reports (`reports:`, daemon/d_reports.c) end to end: netpulsed runs its loop with
# its wall clock moved by libfaketime (CLOCK_MONOTONIC true) and mails through a real SMTP
# server (tests/sim/smtp_sink.py: aiosmtpd, STARTTLS + AUTH required) on 127.0.0.1 in the
# test's namespace. Zone Europe/Zurich, so local weeks and months are not UTC ones. Every
# message is checked whole: envelope recipients, Subject `Network usage report [START to END]`,
# Date, the text body and the CSV attachment equal byte for byte to `netpulse --format csv
# usage` over the same period and options.
#  1. Weekly at 06:00: started (fresh database) on Monday 05:59:50, the daemon sends nothing
#     before 06:00 and, when its clock passes 06:00, exactly one message for last week.
#  2. Restarted on that Monday after 06:00: nothing more (report_runs remembers the period).
#  3. Down across the next Monday 06:00, started on Tuesday 10:00: exactly one message, at
#     start-up, for the week before that Monday.
#  4. SMTP server down when a missed report is due at start-up: the daemon logs the server and
#     the reason and schedules a retry in 60 s. The retry timer is a libevent timer, on the
#     monotonic clock, which libfaketime cannot speed up; so the retry is shown by a restart
#     with the server back (same port): the period is sent exactly once.
#  5. Monthly at 06:00 (group_by site, per week), started on April 1st 05:59:50: nothing before
#     06:00, then exactly one message for March (which holds the DST change of March 28).
source "$(dirname "$0")/lib.sh"
require_root
require_cmd sqlite3 openssl
PY=/usr/bin/python3 # Debian's python3-aiosmtpd lives there (TESTING.md §7)
"$PY" -c 'import aiosmtpd' 2>/dev/null || skip "needs python3-aiosmtpd"
FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
[ -f "$FAKETIME_LIB" ] || skip "needs libfaketime ($FAKETIME_LIB)"
SINK="${NP_SRC:-$(dirname "$0")/../..}/tests/sim/smtp_sink.py"
make_netns
make_veth_pair

# The daemon's clock runs in 2027: the certificate must be valid then (OpenSSL checks it
# against the faked time()).
openssl req -x509 -newkey rsa:2048 -nodes -days 1200 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null
printf 'mail-pw\n' >"$T/pw"
chmod 600 "$T/pw"

# start_sink [PORT]: the sink (in $NS) writing to $T/in, on PORT or a free port ($PORT).
SINK_PID=""
start_sink() {
	rm -f "$T/in/port"
	mkdir -p "$T/in"
	ip netns exec "$NS" "$PY" "$SINK" "$T/in" --cert "$T/cert.pem" --key "$T/key.pem" \
		--user np --password mail-pw ${1:+--port "$1"} >>"$T/sink.log" 2>&1 &
	SINK_PID=$!
	CLEANUP+=("kill $SINK_PID; wait $SINK_PID")
	wait_for 20 "test -s $T/in/port" || fail "smtp sink did not start: $(cat "$T/sink.log")"
	PORT=$(cat "$T/in/port")
}
stop_sink() { kill "$SINK_PID"; wait "$SINK_PID" || true; }
start_sink

# A database of the current schema (made by the daemon), with known usage of source `fixture`
# around the local edges of the periods (Zurich: UTC+1, from 2027-03-28 UTC+2).
cat >"$T/init.yaml" <<EOC
daemon: { database: $T/np.db }
sources:
  - { name: ns-host, type: local, interval: 1s, include: ["^npa\$"] }
EOC
in_ns "$NETPULSED" --once -c "$T/init.yaml" >"$T/init.log" 2>&1 || fail "netpulsed --once: $(cat "$T/init.log")"
ts() { date -u -d "$1" +%s; }
sqlite3 "$T/np.db" <<EOS
INSERT INTO series (id, source, device, interface, kind, labels, first_seen, last_seen) VALUES
 (1001, 'fixture', 'sw1', 'eth0', 'if', '{"site":"fra"}', $(ts 2027-02-01T00:00Z), $(ts 2027-04-01T00:00Z)),
 (1002, 'fixture', 'sw2', 'eth1', 'if', '{"site":"zrh"}', $(ts 2027-02-01T00:00Z), $(ts 2027-04-01T00:00Z));
INSERT INTO rollup_1h (bucket, series, secs, rx_bytes, tx_bytes, peak_rx, peak_tx) VALUES
 ($(ts 2027-02-14T22:00Z), 1001, 3600, 5000, 50, 10, 1),   -- Sun 23:00 local: the week before
 ($(ts 2027-02-14T23:00Z), 1001, 3600, 1000, 10, 10, 1),   -- Mon 00:00 local: week 1
 ($(ts 2027-02-21T22:00Z), 1002, 3600, 777, 7, 1, 1),      -- Sun 23:00 local: week 1
 ($(ts 2027-02-21T23:00Z), 1002, 3600, 888, 8, 1, 1),      -- Mon 00:00 local: week 2
 ($(ts 2027-03-31T21:00Z), 1002, 3600, 99, 9, 1, 1),       -- Mar 31 23:00 CEST: March
 ($(ts 2027-03-31T22:00Z), 1002, 3600, 11, 1, 1, 1);       -- Apr 1 00:00 CEST: April
INSERT INTO rollup_1d (bucket, series, secs, rx_bytes, tx_bytes, peak_rx, peak_tx) VALUES
 ($(ts 2027-02-16T00:00Z), 1001, 86400, 1073741824, 536870912, 125000, 100),
 ($(ts 2027-02-16T00:00Z), 1002, 86400, 123456789, 987654321, 10, 20),
 ($(ts 2027-02-24T00:00Z), 1001, 86400, 2222222, 33333, 5, 5),
 ($(ts 2027-03-03T00:00Z), 1002, 86400, 4444, 5555, 1, 1),
 ($(ts 2027-03-29T00:00Z), 1001, 86400, 6666, 7777, 1, 1);
-- an interval amount straddling the end of week 3 (Mon 2027-03-08 00:00 local): half in it
INSERT INTO amounts (start, series, end, rx_bytes, tx_bytes) VALUES
 ($(ts 2027-03-07T22:00Z), 1001, $(ts 2027-03-08T00:00Z), 2000, 400);
-- folded up to after every period: the hours and days are read from rollup_1h/rollup_1d
UPDATE fold SET next_5m = $(ts 2027-04-02T00:00Z);
EOS

mailcfg() { # mailcfg FILE REPORTS_YAML
	cat >"$1" <<EOC
daemon: { database: $T/np.db, timezone: Europe/Zurich }
sources:
  - { name: ns-host, type: local, interval: 1s, include: ["^npa\$"] }
mail:
  server: "smtp://127.0.0.1:$PORT"
  from: netpulse@example.net
  user: np
  password_file: $T/pw
  ca_file: $T/cert.pem
  timeout: 20s
reports:
$2
EOC
	"$NETPULSED" --check-config -c "$1" >"$T/check.log" 2>&1 || fail "config $1: $(cat "$T/check.log")"
}
mailcfg "$T/weekly.yaml" '  - name: weekly
    schedule: weekly
    at: "06:00"
    to: [a@example.net, b@example.org]
    source: fixture'
mailcfg "$T/monthly.yaml" '  - name: monthly
    schedule: monthly
    at: "06:00"
    to: [c@example.net]
    source: fixture
    group_by: [site]
    per: week'

# ---- the daemon under libfaketime: the offset file is relative to the true time ----
DAEMON_ENV=(LD_PRELOAD="$FAKETIME_LIB" FAKETIME_TIMESTAMP_FILE="$T/offset"
	FAKETIME_DONT_FAKE_MONOTONIC=1 FAKETIME_NO_CACHE=1)
if ldd "$NETPULSED" | grep -q 'libclang_rt.asan\|libasan'; then
	asan_rt=$(ldd "$NETPULSED" | awk '/libclang_rt.asan|libasan/ { print $3; exit }')
	DAEMON_ENV[0]="LD_PRELOAD=$asan_rt $FAKETIME_LIB"
fi
RUN=0
DPID=""
# start_at LOCAL_TIME CONFIG: netpulsed (loop, debug log $T/run$RUN.log) with its wall clock
# at LOCAL_TIME (Europe/Zurich) now; waits until it logged "started".
start_at() {
	RUN=$((RUN + 1))
	LOG=$T/run$RUN.log
	local want
	want=$(TZ=Europe/Zurich date -d "$1" +%s)
	echo "+$((want - $(date +%s)))" >"$T/offset"
	ip netns exec "$NS" env "${DAEMON_ENV[@]}" "$NETPULSED" --foreground -v -c "$2" >"$LOG" 2>&1 &
	DPID=$!
	CLEANUP+=("kill $DPID 2>/dev/null; wait $DPID 2>/dev/null")
	wait_for 20 "grep -q 'netpulsed: info: started: ' $LOG" || fail "run $RUN did not start"
}
stop_daemon() {
	local rc=0
	kill "$DPID"
	wait "$DPID" || rc=$?
	[ $rc = 0 ] || fail "run $RUN: netpulsed exited $rc"
}
# polls: the daemon's wall clock (at=) of each poll it stored in this run, one a line.
polls() { sed -n 's/.*: ns-host: poll cpu_us=.* stored=1 at=\([0-9]*\).*/\1/p' "$LOG"; }
# wait_more_polls N: the loop went on: N more polls stored in this run.
wait_more_polls() {
	local n0
	n0=$(polls | wc -l)
	wait_for 30 "test \$(polls | wc -l) -ge $((n0 + $1))" || fail "run $RUN: polls stalled"
}
nmsgs() { find "$T/in" -name '*.json' | wc -l; }

# check.py: the sink's messages. `subjects`: "N DATE SUBJECT" per message (DATE: Unix
# seconds of its Date header); `verify N ...`: one message whole.
cat >"$T/check.py" <<'EOP'
import email, email.policy, email.utils, json, os, sys
d, cmd = sys.argv[1], sys.argv[2]
def load(n):
    return email.message_from_bytes(open(f"{d}/{n}.eml", "rb").read(), policy=email.policy.default)
if cmd == "subjects":
    n = 1
    while os.path.exists(f"{d}/{n}.json"):
        m = load(n)
        print(n, int(email.utils.parsedate_to_datetime(m["Date"]).timestamp()), m["Subject"])
        n += 1
    sys.exit(0)
n, subject, att_name, csv, txt, rcpts, not_before = sys.argv[3:]
want_csv, want_txt = open(csv, "rb").read(), open(txt, "rb").read()
env = json.load(open(f"{d}/{n}.json"))
assert env == {"mail_from": "netpulse@example.net", "rcpt_tos": rcpts.split(",")}, env
raw = open(f"{d}/{n}.eml", "rb").read()
assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b""), "not CRLF throughout"
m = load(n)
assert m["Subject"] == subject, m["Subject"]
assert m["From"] == "netpulse@example.net", m["From"]
assert m["To"] == ", ".join(rcpts.split(",")), m["To"]
date = int(email.utils.parsedate_to_datetime(m["Date"]).timestamp())
assert date >= int(not_before), f"dated {m['Date']}, before the due time {not_before}"
body, att = m.get_payload()
a, b = subject[subject.index("[") + 1:-1].split(" to ")
text = body.get_payload(decode=True)
assert text == f"Usage report: {a} to {b}\r\n\r\n".encode() + want_txt.replace(b"\n", b"\r\n"), text
assert att.get_content_type() == "text/csv"
assert att.get_filename() == att_name, att.get_filename()
got = att.get_payload(decode=True)
assert got == want_csv, (got, want_csv)
print(m["Date"])
EOP
subjects() { "$PY" "$T/check.py" "$T/in" subjects; }
# csv_is FILE KEYS COLUMN WANT: in the CSV report FILE, the row whose columns match KEYS
# (col=value,...) has WANT in COLUMN: pins the numbers, so a zone error that the CLI and the
# daemon would share still fails.
csv_is() {
	"$PY" - "$@" <<'EOP' || fail "$1: $(cat "$1")"
import csv, sys
f, keys, col, want = sys.argv[1:]
rows = list(csv.DictReader(open(f, newline="")))
kv = dict(k.split("=", 1) for k in keys.split(","))
got = [r[col] for r in rows if all(r.get(k) == v for k, v in kv.items())]
assert got == [want], f"{keys} {col}: {got}, want [{want}]"
EOP
}
# msgs_with SUBJECT: numbers of the messages with that Subject.
msgs_with() { subjects | awk -v s="$1" '{ n = $1; $1 = ""; $2 = ""; sub(/^  /, ""); if ($0 == s) print n }'; }

BUGS=()
bug() { echo "BUG: $*" >&2; BUGS+=("$*"); }
# expect_report N0 NAME FROM TO DUE RCPTS CLI_OPTS...: since message N0, exactly one message
# for the period FROM..TO (local dates), correct whole, dated at or after DUE; any other new
# message is an error (one sent before DUE at the first start of a report is recorded as a
# bug, see below, and the test goes on).
expect_report() {
	local n0=$1 name=$2 from=$3 to=$4 due=$5 rcpts=$6
	shift 6
	local subj="Network usage report [$from to $to]"
	"$NETPULSE" --db "$T/np.db" --now "$due" --tz Europe/Zurich --format csv usage \
		--period "$from..$to" --source fixture "$@" >"$T/$name.csv" || fail "csv usage $from..$to"
	"$NETPULSE" --db "$T/np.db" --now "$due" --tz Europe/Zurich usage \
		--period "$from..$to" --source fixture "$@" >"$T/$name.txt" || fail "text usage $from..$to"
	[ "$(wc -l <"$T/$name.csv")" -ge 3 ] || fail "$name: the expected CSV has no rows: $(cat "$T/$name.csv")"
	wait_for 40 "test -n \"\$(msgs_with '$subj')\"" || fail "$name: no message '$subj'; got: $(subjects)"
	local ns
	ns=$(msgs_with "$subj" | tr '\n' ' ')
	[ "$ns" = "$((n0 + 1)) " ] || [ "$(msgs_with "$subj" | wc -l)" = 1 ] ||
		fail "$name: messages '$subj': $ns (want exactly one)"
	"$PY" "$T/check.py" "$T/in" verify "${ns% }" "$subj" "usage-$from-$to.csv" "$T/$name.csv" \
		"$T/$name.txt" "$rcpts" "$due" >"$T/$name.date" || fail "$name: message ${ns% } differs"
	local line
	while read -r line; do
		local n=${line%% *} rest=${line#* } date subject
		date=${rest%% *}
		subject=${rest#* }
		[ "$n" -gt "$n0" ] && [ "$subject" != "$subj" ] || continue
		if [ "$date" -lt "$due" ]; then
			bug "run $RUN: a new report's first start mailed at once (before its first due time" \
				"$(date -u -d @"$due" +%FT%TZ)) the period of the due time before it: '$subject'"
		else
			fail "$name: unexpected message $n: '$subject'"
		fi
	done < <(subjects)
	pass "$name: one message '$subj' to $rcpts, dated $(cat "$T/$name.date"), CSV == netpulse --format csv usage --source fixture $*"
}

# ---- 1. weekly: the clock passes Monday 06:00 while the loop runs ----
DUE1=$(ts 2027-02-22T05:00Z) # Monday 06:00 CET
start_at "2027-02-22 05:59:50" "$T/weekly.yaml"
wait_more_polls 1
first=$(polls | head -n1)
[ "$first" -lt "$DUE1" ] || fail "the first poll is dated $first, not before 06:00 ($DUE1)"
# Nothing for last week before 06:00: the loop ran (a poll dated before 06:00) and the sink has
# no message of last week; the message that comes is dated 06:00 or later (checked below).
W1="Network usage report [2027-02-15 to 2027-02-21]"
[ -z "$(msgs_with "$W1")" ] || fail "last week's report sent before 06:00"
pass "run $RUN: polling since $(date -u -d @"$first" +%T)Z (before 05:00Z = 06:00 CET), no report yet"
expect_report 0 week1 2027-02-15 2027-02-21 "$DUE1" a@example.net,b@example.org
grep -q "netpulsed: info: report weekly mailed to 2 recipient(s) through smtp://127.0.0.1:$PORT$" "$LOG" ||
	fail "no 'mailed' log line"
# Monday 00:00 CET (Sunday 23:00 UTC) is in the week, Sunday 23:00 CET is not.
csv_is "$T/week1.csv" device=sw1 rx_bytes 1073742824
csv_is "$T/week1.csv" device=sw2 rx_bytes 123457566
N=$(nmsgs)
wait_more_polls 2
stop_daemon
[ "$(nmsgs)" = "$N" ] || fail "run $RUN: more messages after the report: $(subjects)"

# ---- 2. restart on that Monday after 06:00: nothing again ----
start_at "2027-02-22 06:00:30" "$T/weekly.yaml"
# Past start-up (the decision is taken there; a send would run on the first loop turns):
# three polls later, and then stopped, nothing was sent and nothing was tried.
wait_more_polls 3
stop_daemon
[ "$(nmsgs)" = "$N" ] || fail "restart after 06:00 sent again: $(subjects)"
! grep -q 'report weekly' "$LOG" || fail "restart after 06:00: $(grep 'report weekly' "$LOG")"
[ "$(sqlite3 "$T/np.db" "SELECT name, period_start FROM report_runs WHERE name = 'weekly' AND period_start = $(ts 2027-02-14T23:00Z)")" = "weekly|$(ts 2027-02-14T23:00Z)" ] ||
	fail "report_runs lacks week 1: $(sqlite3 "$T/np.db" 'SELECT * FROM report_runs')"
pass "run $RUN: restarted on Monday 06:00:30, still $N message(s) (report_runs has week 1)"

# ---- 3. down across the next Monday 06:00, back on Tuesday 10:00 ----
DUE2=$(ts 2027-03-01T05:00Z)
start_at "2027-03-02 10:00:00" "$T/weekly.yaml"
expect_report "$N" week2 2027-02-22 2027-02-28 "$DUE2" a@example.net,b@example.org
csv_is "$T/week2.csv" device=sw1 rx_bytes 2222222
csv_is "$T/week2.csv" device=sw2 rx_bytes 888
N=$(nmsgs)
wait_more_polls 3
stop_daemon
[ "$(nmsgs)" = "$N" ] || fail "run $RUN: more messages: $(subjects)"

# ---- 4. SMTP server down when the missed report is due ----
DUE3=$(ts 2027-03-08T05:00Z)
stop_sink
start_at "2027-03-08 06:00:30" "$T/weekly.yaml"
wait_for 30 "grep -q 'report weekly not sent' $LOG" || fail "no failure logged"
line=$(grep 'report weekly not sent' "$LOG" | head -n1)
# curl's own text (the "after N ms" varies): the server, the reason, the first backoff.
want="^netpulsed: warning: report weekly not sent: smtp://127\\.0\\.0\\.1:$PORT: Failed to connect to 127\\.0\\.0\\.1 port $PORT after [0-9]+ ms: Couldn't connect to server; retrying in 60s\$"
grep -Eq "$want" <<<"${line#* }" || fail "failure line: '$line', want /$want/"
pass "run $RUN: server down: '${line#* }'"
stop_daemon
[ "$(sqlite3 "$T/np.db" "SELECT count(*) FROM report_runs WHERE period_start = $(ts 2027-02-28T23:00Z)")" = 0 ] ||
	fail "a period that failed is in report_runs"
start_sink "$PORT"
start_at "2027-03-08 06:05:00" "$T/weekly.yaml"
expect_report "$N" week3 2027-03-01 2027-03-07 "$DUE3" a@example.net,b@example.org
csv_is "$T/week3.csv" device=sw1 rx_bytes 1000 # half of the amount straddling the week's end
csv_is "$T/week3.csv" device=sw2 rx_bytes 4444
N=$(nmsgs)
wait_more_polls 3
stop_daemon
[ "$(nmsgs)" = "$N" ] || fail "run $RUN: more messages: $(subjects)"
[ "$(sqlite3 "$T/np.db" "SELECT group_concat(period_start, ' ') FROM (SELECT period_start FROM report_runs WHERE name = 'weekly' AND period_start >= $(ts 2027-02-14T23:00Z) ORDER BY 1)")" = \
	"$(ts 2027-02-14T23:00Z) $(ts 2027-02-21T23:00Z) $(ts 2027-02-28T23:00Z)" ] ||
	fail "report_runs: $(sqlite3 "$T/np.db" 'SELECT * FROM report_runs')"

# ---- 5. monthly: the clock passes April 1st 06:00 (CEST) while the loop runs ----
DUE5=$(ts 2027-04-01T04:00Z)
start_at "2027-04-01 05:59:50" "$T/monthly.yaml"
wait_more_polls 1
first=$(polls | head -n1)
[ "$first" -lt "$DUE5" ] || fail "the first poll is dated $first, not before 06:00 ($DUE5)"
M3="Network usage report [2027-03-01 to 2027-03-31]"
[ -z "$(msgs_with "$M3")" ] || fail "March's report sent before 06:00"
expect_report "$N" march 2027-03-01 2027-03-31 "$DUE5" c@example.net --group-by site --per week
# The last week, cut at April 1st 00:00 CEST: Mar 31 23:00 CEST in it, Apr 1 00:00 not.
csv_is "$T/march.csv" site=zrh,start=2027-03-29T00:00:00+02:00 rx_bytes 99
csv_is "$T/march.csv" site=total rx_bytes 13209
grep -q "netpulsed: info: report monthly mailed to 1 recipient(s) through smtp://127.0.0.1:$PORT$" "$LOG" ||
	fail "no 'mailed' log line"
N=$(nmsgs)
wait_more_polls 2
stop_daemon
[ "$(nmsgs)" = "$N" ] || fail "run $RUN: more messages: $(subjects)"
echo "messages received:"
subjects

if [ ${#BUGS[@]} -gt 0 ]; then
	printf 'FAIL: %s\n' "${BUGS[@]}" >&2
	exit 1
fi
