"""What the fleet benchmark (scripts/bench_fleet.py) counts after a tick: the events in Kafka per
source, the requests each fake saw per customer, the CPU every process of the stack used.

The topic is read key and headers only (values are dropped at once): a tick puts 200,000 events
of ~1.5 KiB in it, more than is worth holding in memory for a count.
"""
import os
import time
from collections import Counter, defaultdict

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, TopicPartition

HEALTH_LOG_TYPE = "collector_health"
CLK_TCK = os.sysconf("SC_CLK_TCK")


class CheckFailed(AssertionError):
    pass


def tally_topic(bootstrap, topic, timeout=120.0):
    """{source_id: Counter(event key -> copies)} of every collected event in the topic.
    Raises when the broker no longer holds the whole topic (its low watermark moved)."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"fleet-{time.time_ns()}",
                  "enable.auto.commit": False, "enable.partition.eof": True})
    out = defaultdict(Counter)
    deadline = time.monotonic() + timeout
    try:
        parts = sorted(c.list_topics(topic, timeout=10).topics[topic].partitions)
        ends = {p: c.get_watermark_offsets(TopicPartition(topic, p), timeout=10) for p in parts}
        dropped = {p: lo for p, (lo, hi) in ends.items() if lo > 0}
        if dropped:
            raise CheckFailed(f"the broker dropped the start of partitions {dropped}: counts would be short")
        pending = {p for p, (lo, hi) in ends.items() if hi > lo}
        c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in sorted(pending)])
        while pending:
            if time.monotonic() > deadline:
                raise CheckFailed(f"reading {topic} took over {timeout} s (partitions {sorted(pending)} unfinished)")
            for msg in c.consume(10_000, 1.0):
                err = msg.error()
                if err is not None:
                    if err.code() == KafkaError._PARTITION_EOF:
                        pending.discard(msg.partition())
                        continue
                    raise CheckFailed(f"Kafka: {err}")
                headers = dict(msg.headers() or [])
                if headers.get("log_type") != HEALTH_LOG_TYPE.encode():
                    out[headers.get("source_id", b"").decode()][msg.key()] += 1
                if msg.offset() + 1 >= ends[msg.partition()][1]:
                    pending.discard(msg.partition())
    finally:
        c.close()
    return out


def check_events(tally, owed, unfinished, seen_before=None):
    """Every source delivered exactly the events it owes (`owed`: {source_id: n}, those added at
    the fake and not delivered yet), each once, none delivered by an earlier tick (`seen_before`:
    {source_id: set of keys}); or, if the deadline stopped it (`unfinished`: ids whose poll left a
    backlog or that were not reached), fewer, still each once.
    Returns (events in all, ids of the sources complete, {id: events} of those cut short)."""
    problems, complete, partial = [], [], {}
    for sid, want in owed.items():
        keys = tally.get(sid, Counter())
        twice = sum(1 for n in keys.values() if n > 1)
        again = len(set(keys) & seen_before.get(sid, set())) if seen_before else 0
        if len(keys) == want and not twice and not again:
            complete.append(sid)
        elif len(keys) < want and not twice and not again and sid in unfinished:
            if keys:
                partial[sid] = len(keys)
        elif keys:
            problems.append(f"{sid}: {len(keys)} distinct events (want {want}), {twice} more than once, "
                            f"{again} already delivered by an earlier tick")
    strangers = set(tally) - set(owed)
    if strangers:
        problems.append(f"events from {len(strangers)} sources outside the fleet")
    if problems:
        raise CheckFailed(f"{len(problems)} sources wrong, e.g. " + "; ".join(problems[:5]))
    return sum(sum(tally[sid].values()) for sid in owed), complete, partial


def fake_requests(fake, since):
    """{customer key: [requests of any kind and answer, data pages answered 200]} the fake saw since
    `since` (epoch s); under None the requests it could not attribute (an unknown credential). The
    connectors' fakes (fakes/saas.py) log a token request under the tenant whose client signed the
    assertion, so a connector source's token and data requests are counted like the clouds'."""
    counts = defaultdict(lambda: [0, 0])
    for r in fake.control("GET", "requests", since=since, limit=50_000)["value"]:
        customer = r.get("tenant") or r.get("project")     # the GCP fake says project
        counts[customer][0] += 1
        counts[customer][1] += 1 if r.get("status") == 200 and r.get("kind") != "token" else 0
    return counts


def check_requests(counts_by_fake, sources, reported):
    """Each customer's requests at its fake are exactly those the one poll of its source reported
    (`reported`: {source_id: requests in its "source polled" lines}): a second poller touching
    the customer would add requests no log line accounts for. Returns data pages served."""
    problems, pages = [], 0
    for sid, ident in sources:
        seen, data = counts_by_fake[ident.fake].get(ident.key, (0, 0))
        pages += data
        if seen != reported.get(sid, 0):
            problems.append(f"{ident.platform} {ident.key}: {seen} requests at the fake, "
                            f"{reported.get(sid, 0)} reported by the poller")
    if problems:
        raise CheckFailed(f"{len(problems)} customers with requests no poll accounts for, e.g. "
                          + "; ".join(problems[:5]))
    return pages


def cpu_seconds(pids, reaped=False):
    """user+sys CPU seconds of these processes (those that have exited count 0); `reaped`: with
    their children that exited and were waited for (PostgreSQL's finished backends)."""
    total = 0.0
    for pid in pids:
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15 if reaped else 13]) / CLK_TCK
    return total


def children(pid):
    """The direct children of `pid` (PostgreSQL's backends under its postmaster)."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if int(open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    return out
