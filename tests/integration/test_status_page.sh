#!/usr/bin/env bash
# The status page in a real browser: netpulsed in a namespace whose host name carries a
# <script> element watches two veths; one goes down. Headless Chromium (Debian's) loads
# http://127.0.0.1:9479/ inside the namespace: the DOM it built lists the down link first with
# the state "down", shows the host name as text (no script element exists anywhere), and a
# screenshot is taken. /api/status, /api/events and /api/downtime answer the CLI's JSON.
source "$(dirname "$0")/lib.sh"
require_root
require_cmd chromium unshare curl python3
make_netns
make_veth_pair # npa <-> npb
ip -n "$NS" link add npc type veth peer name npd
ip -n "$NS" link set npc up
ip -n "$NS" link set npd up
HOSTNAME_EVIL='lab<script>document.title="pwned"</script>'

cat >"$T/np.yaml" <<EOC
daemon: { database: $T/np.db, log_level: debug }
http: { listen: "127.0.0.1:9479" }
sources:
  - { name: ns-host, type: local, interval: 1s, include: ["^np[ac]\$"] }
alerts:
  - { type: stderr }
EOC
"$NETPULSED" --check-config -c "$T/np.yaml" >"$T/check.log" 2>&1 || fail "config rejected: $(cat "$T/check.log")"
# Its own UTS namespace: the local source names the device after the host name.
# hostname(1) refuses such a name; the kernel takes any bytes.
ip netns exec "$NS" unshare --uts python3 -c 'import os, socket, sys
socket.sethostname(sys.argv[1])
os.execv(sys.argv[2], sys.argv[2:])' "$HOSTNAME_EVIL" "$NETPULSED" --foreground -v -c "$T/np.yaml" \
	>>"$T/netpulsed.log" 2>&1 &
CLEANUP+=("kill $! 2>/dev/null; wait $! 2>/dev/null")
wait_for 20 'test "$(link_state npa)" = up && test "$(link_state npc)" = up' || fail "npa/npc never up"
ip -n "$NS" link set npd down
wait_for 20 'test "$(link_state npc)" = down' || fail "npc not down"
pass "npc down, npa up"

get() { ip netns exec "$NS" curl -s -o "$T/body" -w '%{http_code} %{content_type}' "http://127.0.0.1:9479$1"; }
[ "$(get /)" = "200 text/html; charset=utf-8" ] || fail "GET / did not answer the page"
ip netns exec "$NS" curl -s -D - -o /dev/null http://127.0.0.1:9479/ >"$T/headers"
grep -qi "^content-security-policy: default-src 'none'; style-src 'unsafe-inline'" "$T/headers" \
	|| fail "no Content-Security-Policy on the page: $(cat "$T/headers")"
grep -q '<script' "$T/body" && fail "the page holds a <script> element"
pass "GET / answers HTML with a CSP and no script"

# Chromium as root needs --no-sandbox; its own profile under $T.
browse() {
	ip netns exec "$NS" timeout 120 chromium --headless --no-sandbox --disable-gpu \
		--user-data-dir="$T/chromium" --window-size=1200,800 "$@" http://127.0.0.1:9479/ 2>>"$T/chromium.log"
}
browse --dump-dom >"$T/dom.html" || fail "chromium --dump-dom failed"
browse --screenshot="$T/page.png" >/dev/null || fail "chromium --screenshot failed"
python3 - "$T/dom.html" "$HOSTNAME_EVIL" <<'PY' || fail "the DOM is not what it should be"
import sys
from html.parser import HTMLParser

class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts = 0
        self.title = ""
        self.rows = []      # (class, [cell texts]) of #links tbody
        self.in_links = self.in_tbody = self.in_title = False
        self.cell = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if tag == "title":
            self.in_title = True
        if tag == "table" and a.get("id") == "links":
            self.in_links = True
        if self.in_links and tag == "tbody":
            self.in_tbody = True
        if self.in_tbody and tag == "tr":
            self.rows.append((a.get("class"), []))
        if self.in_tbody and tag == "td":
            self.cell = ""
    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        if tag == "table":
            self.in_links = self.in_tbody = False
        if tag == "td" and self.cell is not None:
            self.rows[-1][1].append(self.cell.strip())
            self.cell = None
    def handle_data(self, d):
        if self.in_title:
            self.title += d
        if self.cell is not None:
            self.cell += d

p = P()
p.feed(open(sys.argv[1]).read())
evil = sys.argv[2]
ok = True
def check(cond, what):
    global ok
    if not cond:
        print("DOM check failed:", what, file=sys.stderr)
        ok = False
check(p.scripts == 0, "%d script elements" % p.scripts)
check(p.title == "netpulse: " + evil, "title %r" % p.title)
check(len(p.rows) == 2, "rows %r" % p.rows)
if len(p.rows) == 2:
    (c0, r0), (c1, r1) = p.rows
    check(c0 == "down" and r0[0].lower() == "down" and r0[2] == "npc", "first row %r %r" % (c0, r0))
    check(r0[1] == evil, "device shown as %r" % r0[1])
    check(c1 == "up" and r1[2] == "npa", "second row %r %r" % (c1, r1))
sys.exit(0 if ok else 1)
PY
python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); sys.exit(0 if d[:8]==b"\x89PNG\r\n\x1a\n" and len(d) > 10000 else 1)' "$T/page.png" \
	|| fail "no screenshot"
pass "Chromium: npc (down) first, the host name shown as text, no script; screenshot taken"

# The API answers the CLI's JSON.
np() { "$NETPULSE" --db "$T/np.db" "$@"; }
[ "$(get /api/status)" = "200 application/json" ] || fail "GET /api/status"
python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.loads(sys.argv[2]); sys.exit(a!=b)' \
	"$T/body" "$(np status --format json)" || fail "/api/status differs from netpulse status --format json"
[ "$(get '/api/events?since=1h&state=down')" = "200 application/json" ] || fail "GET /api/events"
python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.loads(sys.argv[2]); sys.exit(a!=b)' \
	"$T/body" "$(np events --since 1h --state down --format json)" || fail "/api/events differs from the CLI's"
[ "$(json_get "[e['interface'] for e in j['events']]" <"$T/body")" = "['npc']" ] || fail "events: $(cat "$T/body")"
[ "$(get '/api/downtime?period=1h&device=nothing')" = "200 application/json" ] || fail "GET /api/downtime"
[ "$(json_get "len(j['links'])" <"$T/body")" = 0 ] || fail "downtime for device=nothing: $(cat "$T/body")"
[ "$(get '/api/events?since=yesterdayish')" = "400 application/json" ] || fail "a bad since is not 400"
json_get "j['error']" <"$T/body" | grep -q 'invalid since "yesterdayish"' || fail "400 without the reason"
pass "/api/status, /api/events, /api/downtime answer the CLI's JSON; a bad query is 400"
