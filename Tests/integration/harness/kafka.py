"""Read back everything the poller published to a topic.

Uses a consumer with a throwaway group id and manual `assign` of every partition from the
beginning: nothing is committed, no group rebalancing, so reads are repeatable and never
interfere with other readers.  The end is the high watermark of each partition taken when
the read starts; a read stops there, at partition EOF, or at the timeout.
"""
from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, TopicPartition


@dataclass
class Message:
    topic: str
    partition: int
    offset: int
    key: str | bytes | None            # str when the key is UTF-8
    value: object                      # parsed JSON, or the raw bytes if it is not JSON
    headers: dict[str, str | bytes] = field(default_factory=dict)   # last value wins
    raw_headers: list[tuple[str, bytes]] = field(default_factory=list)
    timestamp_ms: int | None = None


class KafkaReadTimeout(TimeoutError):
    def __init__(self, msg: str, messages: list[Message]):
        super().__init__(msg)
        self.messages = messages   # what was read before the deadline


def _consumer(bootstrap: str, extra: dict | None) -> Consumer:
    conf = {
        "bootstrap.servers": bootstrap,
        "group.id": f"siem-it-reader-{uuid.uuid4()}",   # required by the client; never committed
        "enable.auto.commit": False,
        "enable.partition.eof": True,
        "auto.offset.reset": "earliest",
        "socket.timeout.ms": 10000,
        "log_level": 3,
    }
    conf.update(extra or {})
    return Consumer(conf)


def partition_ends(bootstrap: str, topic: str, timeout: float = 10.0,
                   extra_conf: dict | None = None) -> dict[int, tuple[int, int]]:
    """{partition: (low, high)} watermarks; raises if the topic does not exist."""
    c = _consumer(bootstrap, extra_conf)
    try:
        return _watermarks(c, topic, timeout)
    finally:
        c.close()


def _watermarks(c: Consumer, topic: str, timeout: float) -> dict[int, tuple[int, int]]:
    md = c.list_topics(topic, timeout=timeout)
    t = md.topics.get(topic)
    if t is None or t.error is not None:
        raise KafkaException(t.error if t is not None else f"topic {topic} not found")
    return {p: c.get_watermark_offsets(TopicPartition(topic, p), timeout=timeout) for p in sorted(t.partitions)}


def read_topic(bootstrap: str, topic: str, timeout: float = 30.0, parse_json: bool = True,
               extra_conf: dict | None = None, raise_on_timeout: bool = True) -> list[Message]:
    """All messages currently in `topic`, ordered by (partition, offset)."""
    deadline = time.monotonic() + timeout
    c = _consumer(bootstrap, extra_conf)
    out: list[Message] = []
    try:
        ends = _watermarks(c, topic, max(1.0, deadline - time.monotonic()))
        pending = {p for p, (lo, hi) in ends.items() if hi > lo}
        c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in sorted(pending)])
        while pending:
            left = deadline - time.monotonic()
            if left <= 0:
                if raise_on_timeout:
                    raise KafkaReadTimeout(f"read {len(out)} messages; partitions {sorted(pending)} unfinished "
                                           f"after {timeout}s", out)
                break
            msg = c.poll(min(1.0, left))
            if msg is None:
                continue
            err = msg.error()
            if err is not None:
                if err.code() == KafkaError._PARTITION_EOF:
                    pending.discard(msg.partition())
                    continue
                raise KafkaException(err)
            out.append(_to_message(msg, parse_json))
            if msg.offset() + 1 >= ends[msg.partition()][1]:
                pending.discard(msg.partition())
    finally:
        c.close()
    out.sort(key=lambda m: (m.partition, m.offset))
    return out


def _to_message(msg, parse_json: bool) -> Message:
    raw_key, raw_val = msg.key(), msg.value()
    key = _text(raw_key)
    value: object = raw_val
    if parse_json and raw_val is not None:
        try:
            value = json.loads(raw_val)
        except ValueError:
            value = raw_val
    raw_headers = [(k, v) for k, v in (msg.headers() or [])]
    ts_type, ts = msg.timestamp()
    return Message(msg.topic(), msg.partition(), msg.offset(), key, value,
                   {k: _text(v) for k, v in raw_headers}, raw_headers, ts if ts_type else None)


def _text(b: bytes | None) -> str | bytes | None:
    if b is None:
        return None
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        return b
