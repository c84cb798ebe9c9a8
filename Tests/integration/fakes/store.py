"""Time-ordered event store with snapshot reads, for any fake that pages through logs.

Every insert or in-place update gets a global sequence number. A paging iteration pins
(snapshot seq, snapshot wall time) on its first page, so events that arrive, become visible
or get updated later never shift its pages: an update writes a new version and marks the old
one superseded at the new seq, and snapshot readers keep seeing the old one.
Callers hold their own lock around every method.
"""
from __future__ import annotations

import bisect
from collections import deque
from dataclasses import dataclass

from .odata import TimeRange

Key = tuple  # (ticks, id, seq): unique even when two versions share a timestamp
BULK = 64    # batches larger than this are appended and re-sorted instead of insort'ed


@dataclass
class Rec:
    key: Key
    seq: int
    visible_at: float          # wall seconds; hidden from snapshots taken before this
    body: bytes                # the event's JSON, serialized once
    superseded: int | None = None

    @property
    def ticks(self) -> int:
        return self.key[0]

    @property
    def id(self) -> str:
        return self.key[1]


class Stream:
    def __init__(self):
        self.keys: list[Key] = []
        self.recs: dict[Key, Rec] = {}
        self.latest: dict[str, Key] = {}   # event id -> key of its newest version
        self.order: deque[Key] = deque()   # insertion order, for eviction


class EventStore:
    def __init__(self, max_per_stream: int = 200_000):
        self.max_per_stream = max_per_stream
        self.streams: dict[tuple, Stream] = {}
        self.seq = 0

    def stream(self, skey: tuple) -> Stream:
        s = self.streams.get(skey)
        if s is None:
            s = self.streams[skey] = Stream()
        return s

    def has_id(self, skey: tuple, event_id: str) -> bool:
        s = self.streams.get(skey)
        return bool(s and event_id in s.latest)

    def add_many(self, skey: tuple, items: list[tuple[int, str, bytes, float]]) -> list[Rec]:
        """items: (ticks, id, body, visible_at). Ids must be new in this stream."""
        s = self.stream(skey)
        recs = []
        for ticks, event_id, body, visible_at in items:
            if event_id in s.latest:
                raise ValueError(f"duplicate event id {event_id!r}")
            self.seq += 1
            rec = Rec((ticks, event_id, self.seq), self.seq, visible_at, body)
            recs.append(rec)
            s.recs[rec.key] = rec
            s.latest[event_id] = rec.key
            s.order.append(rec.key)
        if len(recs) > BULK:
            s.keys.extend(r.key for r in recs)
            s.keys.sort()
        else:
            for r in recs:
                bisect.insort(s.keys, r.key)
        self._evict(s)
        return recs

    def update(self, skey: tuple, event_id: str, ticks: int, body: bytes, visible_at: float) -> Rec:
        """New version of an existing event (e.g. a risk detection whose state changed)."""
        s = self.stream(skey)
        old_key = s.latest.get(event_id)
        if old_key is None:
            raise KeyError(event_id)
        self.seq += 1
        s.recs[old_key].superseded = self.seq
        rec = Rec((ticks, event_id, self.seq), self.seq, visible_at, body)
        s.recs[rec.key] = rec
        s.latest[event_id] = rec.key
        s.order.append(rec.key)
        bisect.insort(s.keys, rec.key)
        self._evict(s)
        return rec

    def _evict(self, s: Stream) -> None:
        # Oldest-inserted first, like retention; an old version going early is harmless.
        while len(s.recs) > self.max_per_stream and s.order:
            key = s.order.popleft()
            rec = s.recs.pop(key, None)
            if rec is None:
                continue
            i = bisect.bisect_left(s.keys, key)
            if i < len(s.keys) and s.keys[i] == key:
                del s.keys[i]
            if s.latest.get(rec.id) == key:
                del s.latest[rec.id]

    def page(self, skey: tuple, rng: TimeRange, desc: bool, after: Key | None,
             snap_seq: int, snap_wall: float, top: int, pred=None) -> tuple[list[Rec], bool]:
        """Up to `top` records visible in the snapshot (and matching `pred`), after cursor `after`;
        plus whether more exist."""
        s = self.streams.get(skey)
        if s is None:
            return [], False
        keys = s.keys
        start = 0 if rng.lo is None else bisect.bisect_left(keys, (rng.lo if rng.lo_incl else rng.lo + 1,))
        end = len(keys) if rng.hi is None else bisect.bisect_left(keys, (rng.hi + 1 if rng.hi_incl else rng.hi,))
        if after is not None:
            after = tuple(after)
            if desc:
                end = min(end, bisect.bisect_left(keys, after))
            else:
                start = max(start, bisect.bisect_right(keys, after))
        out: list[Rec] = []
        idx = range(end - 1, start - 1, -1) if desc else range(start, end)
        for i in idx:  # bounded by the key range; stops one past a full page
            rec = s.recs[keys[i]]
            if rec.seq > snap_seq or rec.visible_at > snap_wall:
                continue
            if rec.superseded is not None and rec.superseded <= snap_seq:
                continue
            if pred is not None and not pred(rec):
                continue
            if len(out) == top:
                return out, True
            out.append(rec)
        return out, False

    def current(self, skey: tuple) -> list[Rec]:
        """Newest version of every event, oldest timestamp first (for assertions)."""
        s = self.streams.get(skey)
        if s is None:
            return []
        return sorted((s.recs[k] for k in s.latest.values()), key=lambda r: r.key)

    def clear(self) -> None:
        self.streams.clear()

    def dump(self) -> list[dict]:
        out = []
        for skey, s in self.streams.items():
            for key in s.order:
                r = s.recs.get(key)
                if r is not None:
                    out.append({"stream": list(skey), "key": list(r.key), "seq": r.seq, "visible_at": r.visible_at,
                                "superseded": r.superseded, "body": r.body.decode("utf-8")})
        return out

    def load(self, items: list[dict], seq: int) -> None:
        self.clear()
        for it in items:
            s = self.stream(tuple(it["stream"]))
            rec = Rec(tuple(it["key"]), it["seq"], it["visible_at"], it["body"].encode("utf-8"), it["superseded"])
            s.recs[rec.key] = rec
            s.order.append(rec.key)
            if rec.superseded is None:
                s.latest[rec.id] = rec.key
        for s in self.streams.values():
            s.keys = sorted(s.recs)
        self.seq = seq
