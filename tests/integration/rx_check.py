#!/usr/bin/env python3
"""rx_check.py DB FILE...: every alert a receiver file (rsyslog %rawmsg%, one RFC 5424 message a
line, see lib.sh rx_config) holds must be an alert of the outbox in DB: its SD id="N" names an
outbox row whose MSGID it carries, its TIMESTAMP is the row's created_ms (the alert's real time,
to the millisecond), and every copy of one id is the same message (a re-send, not a new alert;
only PROCID, the sending daemon's pid, may differ). Prints one summary line per file and the
first violations; exit status 1 on any violation, 2 on bad usage."""
import datetime
import re
import sqlite3
import sys

LINE = re.compile(r'^<(\d+)>1 (\S+) (\S+) (\S+) (\S+) (\S+) (\[\S+@\d+ id="(\d+)".*)$')


def ms_of(ts):
    """RFC 5424 TIMESTAMP -> Unix ms (None if it has no fraction: the time must be sub-second)."""
    m = re.match(r'^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{1,6})(Z|[+-]\d\d:\d\d)$', ts)
    if not m:
        return None
    base = datetime.datetime.fromisoformat(m.group(1) + (
        '+00:00' if m.group(3) == 'Z' else m.group(3)))
    frac = int((m.group(2) + '000000')[:6])
    return int(base.timestamp()) * 1000 + frac // 1000


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    db = sqlite3.connect('file:%s?mode=ro' % sys.argv[1], uri=True, timeout=10)
    rows = {r[0]: r[1:] for r in db.execute(
        'SELECT id, msgid, coalesce(created_ms, created * 1000) FROM outbox')}
    bad = 0
    for path in sys.argv[2:]:
        seen = {}
        n = 0
        errs = []
        with open(path, encoding='utf-8', errors='replace') as f:
            for line in f:
                line = line.rstrip('\n')
                m = LINE.match(line)
                if not m:
                    continue  # no alert id: not an alert (e.g. a daemon log line)
                n += 1
                aid = int(m.group(8))
                if aid not in rows:
                    errs.append('id %d is no outbox row: %s' % (aid, line))
                    continue
                msgid, created_ms = rows[aid]
                if m.group(6) != msgid:
                    errs.append('id %d: MSGID %s, outbox says %s' % (aid, m.group(6), msgid))
                t = ms_of(m.group(2))
                if t != created_ms:
                    errs.append('id %d: TIMESTAMP %s (%s ms), outbox created_ms %s'
                                % (aid, m.group(2), t, created_ms))
                # Everything but PROCID must be the same in every copy.
                key = (m.group(1), m.group(2), m.group(3), m.group(4), m.group(6), m.group(7))
                if aid in seen and seen[aid] != key:
                    errs.append('id %d: copies differ:\n  %s\n  %s' % (aid, seen[aid], key))
                seen.setdefault(aid, key)
        print('%s: %d alert message(s), %d distinct id(s), %d violation(s)'
              % (path, n, len(seen), len(errs)))
        for e in errs[:10]:
            print('  ' + e)
        bad += len(errs)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
