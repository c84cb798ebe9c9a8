// The bearer token: kept in sessionStorage (this tab only), decoded for display.
// The page never verifies the token; the API does. Claims shown here are a hint only.

const KEY = "siem.admin.token";

export function storedToken() {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function storeToken(token) {
  sessionStorage.setItem(KEY, token);
}

export function clearToken() {
  sessionStorage.removeItem(KEY);
}

function base64UrlDecode(segment) {
  const base64 = segment.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
}

/**
 * The payload of a compact JWS, or throws with a message fit for the user.
 * Accepts a pasted "Bearer …" too.
 */
export function decodeToken(raw) {
  const token = normalizeToken(raw);
  const parts = token.split(".");
  if (parts.length !== 3 || parts.some((p, i) => i < 2 && !p)) {
    throw new Error("This is not a JWT: expected three parts separated by dots.");
  }
  let payload;
  try {
    payload = JSON.parse(base64UrlDecode(parts[1]));
  } catch {
    throw new Error("This is not a JWT: its payload is not base64url-encoded JSON.");
  }
  if (!payload || typeof payload !== "object" || Array.isArray(payload)) {
    throw new Error("This is not a JWT: its payload is not a JSON object.");
  }
  return payload;
}

export function normalizeToken(raw) {
  return raw.trim().replace(/^bearer\s+/i, "").replace(/\s+/g, "");
}

/** Display facts from the payload: tenant, roles, expiry (Date or null). */
export function describeClaims(payload) {
  const roles = Array.isArray(payload.roles) ? payload.roles.filter((r) => typeof r === "string") : [];
  const tenant = typeof payload.tenant_id === "string" ? payload.tenant_id : null;
  const expiry = Number.isFinite(payload.exp) ? new Date(payload.exp * 1000) : null;
  return { tenant, roles, expiry, subject: typeof payload.sub === "string" ? payload.sub : null };
}
