"""Helpers for the connector tests (#13): a SIEM tenant, topic and poller (KitBase) for a
platform declared in connectors/, polled against its HTTPS fake."""
import collections

from normalization import dig, rfc3339, text
from pollerkit import KitBase


def by_key(messages):
    return collections.Counter(m.key for m in messages)


def mapped(value, table):
    """A value looked up in a declaration's result table: absent → None, unknown → None."""
    return table.get(value) if isinstance(value, str) and value else None


class ConnectorKit(KitBase):
    """Sources of one declared platform against its fake."""

    platform = None

    def endpoints(self):
        """The source's URL settings that point it at the fake."""
        return {}

    def create_source(self, credentials, **settings):
        return self.post_source(self.platform, credentials, **{**self.endpoints(), **settings})

    def test_draft(self, credentials):
        """POST /v1/cloud_api_sources/test: a token and one page of each stream, nothing stored."""
        r = self.admin.post(f"{self.stack.url}/v1/cloud_api_sources/test", json={
            "platform": self.platform, "source_name": "draft", "api_credentials_json": credentials,
            "settings": self.endpoints()})
        assert r.status_code == 200, r.text
        return r.json()

    def fake_events(self, tenant, stream=None):
        query = {"tenant": tenant}
        if stream:
            query["stream"] = stream
        return self.fake.control("GET", "events", **query)["value"]

    def add_events(self, tenant, count, start, end, stream=None):
        body = {"tenant": tenant, "count": count, "start": start, "end": end}
        if stream:
            body["stream"] = stream
        return self.fake.control("POST", "events", body)["ids"]

    def check_messages(self, messages, originals, expected, source, log_type):
        """Every message against the fake's original record: the documented mapping field by field,
        raw_log the record as served, and the SIEM tenant and source."""
        for m in messages:
            raw = originals[m.key]
            v = m.value
            for field, value in expected(raw).items():
                assert v[field] == value, (field, m.key, v[field], value)
            assert v["raw_log"] == raw and v["event_id"] == m.key and v["source"] == self.platform
            assert v["log_type"] == log_type
            assert v["tenant_id"] == self.siem_tenant and v["source_id"] == source["source_id"]
            assert m.headers == {"tenant_id": self.siem_tenant, "source_id": source["source_id"],
                                 "platform": self.platform, "log_type": log_type}


__all__ = ["ConnectorKit", "by_key", "dig", "mapped", "rfc3339", "text"]
