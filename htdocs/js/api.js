// The REST API client: same origin, bearer token, problem+json errors.
// Paths are relative to the page's origin, so the CSP's connect-src 'self' covers them.

const BASE = "/v1/cloud_api_sources";

/** An API answer that was not 2xx: status, the problem document and its field errors. */
export class ApiError extends Error {
  constructor(status, problem) {
    const detail = problem.detail || problem.title || `HTTP ${status}`;
    super(detail);
    this.status = status;
    this.problem = problem;
    this.fieldErrors = Array.isArray(problem.errors) ? problem.errors : [];
  }
}

export class Api {
  /** @param {() => string|null} getToken */
  constructor(getToken) {
    this.getToken = getToken;
  }

  async request(method, path, body) {
    const headers = { Accept: "application/json, application/problem+json" };
    const token = this.getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    const init = { method, headers, cache: "no-store", credentials: "omit", redirect: "error" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (error) {
      throw new ApiError(0, { title: "Network error", detail: `The API could not be reached (${error.message}).` });
    }
    if (response.status === 204) return null;
    const text = await response.text();
    let data = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
    }
    if (!response.ok) {
      const problem = data && typeof data === "object" ? data : { title: response.statusText, detail: text.slice(0, 200) };
      throw new ApiError(response.status, problem);
    }
    return data;
  }

  /** Every source of the token's tenant, following next_page_token. */
  async listSources() {
    const items = [];
    let pageToken = null;
    for (let page = 0; page < 100; page++) {
      const query = new URLSearchParams({ limit: "500" });
      if (pageToken) query.set("page_token", pageToken);
      const data = await this.request("GET", `${BASE}?${query}`);
      items.push(...data.items);
      pageToken = data.next_page_token;
      if (!pageToken) break;
    }
    return items;
  }

  /** The platform catalog (any signed-in role may read it). */
  platforms() { return this.request("GET", "/v1/platforms"); }
  getSource(id) { return this.request("GET", `${BASE}/${encodeURIComponent(id)}`); }
  createSource(body) { return this.request("POST", BASE, body); }
  replaceSource(id, body) { return this.request("PUT", `${BASE}/${encodeURIComponent(id)}`, body); }
  deleteSource(id) { return this.request("DELETE", `${BASE}/${encodeURIComponent(id)}`); }
  // These two take no body (see openapi.yaml).
  pollNow(id) { return this.request("POST", `${BASE}/${encodeURIComponent(id)}/poll_now`); }
  testSource(id) { return this.request("POST", `${BASE}/${encodeURIComponent(id)}/test`); }
  testDraft(body) { return this.request("POST", `${BASE}/test`, body); }
  rewind(id, stream, watermark) {
    return this.request("PUT", `${BASE}/${encodeURIComponent(id)}/checkpoints/${encodeURIComponent(stream)}`,
      { watermark });
  }
}

/** The PUT body that keeps everything of `source` (credentials included) but what `changes` says. */
export function replacementBody(source, changes = {}) {
  return {
    platform: source.platform,
    source_name: source.source_name,
    polling_interval_minutes: source.polling_interval_minutes,
    is_enabled: source.is_enabled,
    settings: source.settings || {},
    ...changes,
  };
}
