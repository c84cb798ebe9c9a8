"""htdocs/openapi.yaml matches the implementation: the document is valid
OpenAPI 3.1, every documented operation exists (and nothing undocumented does),
and real responses validate against the documented schemas."""
import re

import jsonschema
import yaml
from openapi_spec_validator import validate

from sample_sources import body
from stack import ROOT

SPEC = yaml.safe_load((ROOT / "htdocs" / "openapi.yaml").read_text())


def resolve(schema):
    """Inline the document's $refs so jsonschema can check a response."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            name = schema["$ref"].split("/")[-1]
            return resolve(SPEC["components"]["schemas"][name])
        return {k: resolve(v) for k, v in schema.items()}
    if isinstance(schema, list):
        return [resolve(v) for v in schema]
    return schema


def response_schema(path, method, status):
    op = SPEC["paths"][path][method]
    resp = op["responses"][str(status)]
    if "$ref" in resp:
        resp = SPEC["components"]["responses"][resp["$ref"].split("/")[-1]]
    content = resp.get("content")
    if not content:
        return None
    return resolve(next(iter(content.values()))["schema"])


def check(r, path, method):
    assert str(r.status_code) in SPEC["paths"][path][method]["responses"], \
        f"{method.upper()} {path} answered {r.status_code}, which the document does not list"
    schema = response_schema(path, method, r.status_code)
    if schema is not None:
        jsonschema.validate(r.json(), schema)


def test_document_is_valid_openapi_31():
    validate(SPEC)
    assert SPEC["openapi"].startswith("3.1")


def test_every_documented_operation_is_routed(stack, admin):
    for path, item in SPEC["paths"].items():
        url = stack.url + re.sub(r"\{stream\}", "directory_audits",
                                 re.sub(r"\{source_id\}", "00000000-0000-0000-0000-000000000000", path))
        for method in ("get", "post", "put", "delete"):
            r = admin.request(method.upper(), url, json={})
            if method in item:
                assert r.status_code != 405, f"{method} {path} documented but not routed"
            else:
                assert r.status_code in (404, 405), f"{method} {path} routed but not documented"


def test_responses_match_schemas(stack, admin, tenant):
    base = stack.url
    created = admin.post(f"{base}/v1/cloud_api_sources", json=body("GCP"))
    check(created, "/v1/cloud_api_sources", "post")
    sid = created.json()["source_id"]
    check(admin.get(f"{base}/v1/cloud_api_sources"), "/v1/cloud_api_sources", "get")
    check(admin.get(f"{base}/v1/cloud_api_sources/{sid}"), "/v1/cloud_api_sources/{source_id}", "get")
    check(admin.put(f"{base}/v1/cloud_api_sources/{sid}", json={"platform": "GCP", "source_name": "x"}),
          "/v1/cloud_api_sources/{source_id}", "put")
    check(admin.post(f"{base}/v1/cloud_api_sources", json={"platform": "nope"}), "/v1/cloud_api_sources", "post")
    check(stack.session().get(f"{base}/v1/cloud_api_sources"), "/v1/cloud_api_sources", "get")
    check(stack.session().get(f"{base}/v1/health"), "/v1/health", "get")
    poller = stack.session(stack.token(roles=["poller"]))
    check(poller.get(f"{base}/v1/cloud_api_sources/poll/configurations"),
          "/v1/cloud_api_sources/poll/configurations", "get")
    check(poller.post(f"{base}/v1/cloud_api_sources/poll/status",
                      json={"source_id": sid, "status": "success", "events": 3}),
          "/v1/cloud_api_sources/poll/status", "post")
    r = admin.delete(f"{base}/v1/cloud_api_sources/{sid}")
    check(r, "/v1/cloud_api_sources/{source_id}", "delete")
