// Presentation only: how the page words and lays out what the catalog (catalog.js,
// GET /v1/platforms) defines. No platform fact lives here.

/** File inputs of credential fields: accepted types and wording; generic for fields not listed. */
const FILE_HINTS = {
  certificate_pem: { accept: ".pem,.crt,.cer", fileLabel: "…or load the certificate file", fileWhat: "a certificate" },
  private_key_pem: { accept: ".pem,.key", fileLabel: "…or load the key file", fileWhat: "a private key" },
  service_account_key: { accept: ".json,application/json", fileLabel: "…or load the key file",
    fileWhat: "a service-account key" },
};

export function fileHints(field) {
  return FILE_HINTS[field.name] || {
    accept: field.kind === "file" ? ".json,application/json" : ".pem",
    fileLabel: "…or load it from a file",
    fileWhat: field.label.toLowerCase(),
  };
}

export const TEST_STATUS_LABELS = {
  ok: "OK",
  bad_credentials: "Bad credentials",
  missing_permission: "Missing permission",
  missing_licence: "Missing licence",
  throttled: "Throttled",
  unreachable: "Unreachable",
  error: "Error",
};
