"""The stored cursor: unreadable fails loudly, bounded in size (reliability issue #11, items 5 and 8)."""
import collections
import json

import pytest

import sample_sources
from pollerkit import PollerKit, iso, source_lines


@pytest.fixture
def kit(stack, ms_fake, cert_dir):
    return PollerKit(stack, ms_fake, cert_dir)


@pytest.mark.parametrize("stored", [
    {"watermark": "yesterday", "seen": {}},
    {"seen": {"a": "2026-01-01T00:00:00Z"}},
    "garbage",
    {"watermark": "2026-01-01T00:00:00Z", "seen": []},
])
def test_an_unreadable_checkpoint_fails_the_source_instead_of_starting_over(kit, db, stored):
    app = kit.new_app()
    kit.add_events(app, "directoryAudits", 20, iso(3000), iso(100))
    source = kit.create_source(app, streams=["directory_audits"])
    db.execute("UPDATE cloud_api_sources SET cursor = jsonb_build_object('directory_audits', %s::jsonb) "
               "WHERE source_id = %s", (json.dumps(stored), source["source_id"]))
    proc = kit.run_poller("--source", source["source_id"])
    assert proc.returncode == 1
    line = source_lines(proc)[0]
    assert line["error.kind"] == "configuration"
    assert "directory_audits" in line["error"] and "checkpoint" in line["error"] and "rewind" in line["error"]
    assert kit.topic_size() == 0
    row = db.execute("SELECT cursor -> 'directory_audits', error_count FROM cloud_api_sources WHERE source_id = %s",
                     (source["source_id"],)).fetchone()
    assert row == (stored, 1)   # left as it was, for the operator to look at


def test_the_remembered_ids_are_bounded_by_count(kit):
    app = kit.new_app()
    ids = kit.add_events(app, "directoryAudits", 1500, iso(1500), iso(60))
    source = kit.create_source(app, streams=["directory_audits"], dedup_max_ids=1000)
    kit.poll(source)
    checkpoint = kit.source(source["source_id"])["cursor"]["directory_audits"]
    assert checkpoint["seen_count"] == 1000
    # Past the bound a re-read may repeat the oldest events, never lose one.
    kit.poll(source)
    delivered = collections.Counter(m.key for m in kit.read())
    assert set(delivered) == set(ids)


@pytest.mark.parametrize("platform,minutes", [("Microsoft365", 0), ("Microsoft365", 1), ("AWS", 4), ("GCP", 0)])
def test_an_overlap_below_the_platforms_floor_is_refused(stack, admin, platform, minutes):
    r = admin.post(f"{stack.url}/v1/cloud_api_sources",
                   json=sample_sources.body(platform, settings={"overlap_minutes": minutes}))
    assert r.status_code == 400
    assert [e["field"] for e in r.json()["errors"]] == ["settings.overlap_minutes"]
