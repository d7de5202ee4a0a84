#!/usr/bin/env python3
"""Writes the hand-made seeds paced, late and backlog of tests/fuzz/corpus/fuzz_store_rollup
(record format: the header of fuzz_store_rollup.c). Run from the repository root."""
import struct, os
D = 'tests/fuzz/corpus/fuzz_store_rollup'
def pack(start, length_ms, rx, c, k, tx, mask, flags, gauge):
    v = (rx & ((1 << 40) - 1)) | (c << 40) | (k << 48)
    return struct.pack('<IIQIBBH', start & 0xffffffff, length_ms - 1000, v, tx, mask, flags, gauge)
class Seq:
    """Records at absolute times (seconds), encoded as offsets from the previous end."""
    def __init__(s): s.out = b''; s.prev = None
    def add(s, frm, length_ms, rx=0, c=0, k=0, tx=0, mask=3, flags=0, gauge=0):
        if s.prev is None: start = frm
        else:
            d = frm - s.prev
            start = d if d >= 0 else (0x80000000 | -d)
        s.prev = frm + length_ms // 1000
        assert length_ms % 1000 == 0
        s.out += pack(start, length_ms, rx, c, k, tx, mask, flags, gauge)
    def save(s, name):
        assert len(s.out) <= 24 * 64
        open(os.path.join(D, name), 'wb').write(s.out)
H = 1780308000  # 2026-06-01T10:00:00Z
STEP = 1 << 2   # elapsed 0 ms: a step folds one series id
# paced: 60-s polls (alternating A and B) with a short fold step after each at clock = end +
# 300 s, so hour H is folded one series id per poll; after each poll, one late row per series
# for hour H: before the pass, while it is half done (A folded, B not), and after it.
q = Seq(); t = H + 3000
for i in range(21):
    q.add(t, 60000, rx=1000 + i, c=STEP, k=900, tx=10 * i + 1,
          mask=1 | 2 | 32 | (128 if i % 3 == 0 else 0),
          flags=(8 if i % 2 else 0) | (1 if i % 7 == 0 else 0), gauge=70 + i)
    q.add(t - 3000, 60000, rx=500 + i, tx=i, mask=1 | 2 | (128 if i % 2 else 0), flags=1, gauge=i)
    q.add(t - 2940, 60000, rx=700 + i, tx=i, mask=1 | 2, flags=8)
    t += 150
q.save('paced')
# late: a step whose clock is 48000 s ahead folds the future; then rows land in folded hours,
# some as rollup rows; a fold_all in the middle, then the same bucket again.
q = Seq(); t = H + 5
q.add(t, 299000, rx=5, c=2 | (20 << 2), k=3000, tx=7, mask=1 | 2 | 32, flags=1, gauge=14)
for i in range(1, 30):
    t += 40 if i % 5 else -250
    mask = 1 | 2 | (128 if i % 2 else 0) | (64 if i == 15 else 0) | (32 if i % 4 == 0 else 0)
    q.add(t, 5000 * i, rx=100 * i, c=(i % 4) | ((i % 3) << 2), k=600 + 37 * i, tx=i, mask=mask,
          flags=(8 if i % 3 == 0 else 0) | (1 if i % 2 else 0) | (2 if i == 9 else 0), gauge=3 * i)
    t += 5 * i
q.save('late')
# backlog: three days of 50-min samples first, then short steps with the clock far ahead (the
# budget grows with the hours waiting), with rows for the hours being folded in between.
q = Seq(); t = H - 3 * 86400
for i in range(24):
    q.add(t, 3000000, rx=77 * i + 1, tx=3, flags=8 if i % 2 else 0)
    t += 3000
for i in range(24):
    q.add(H - 3 * 86400 + 3600 * (i // 2) + 60, 1000, rx=1, c=1 | STEP, k=65000, mask=1 | 32,
          flags=8 if i % 2 else 0)
q.save('backlog')
