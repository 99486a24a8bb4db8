// JSON calls to the REST API with the session cookie and the CSRF header.

export class NetworkError extends Error {}

function cookie(name) {
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return "";
}

// Resolves to {status, data} for every HTTP answer; rejects with NetworkError
// when no answer came (offline, server gone, timeout).
export async function apiFetch(url, { method = "GET", body, timeoutMs = 15000 } = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const headers = { Accept: "application/json" };
  if (method !== "GET" && method !== "HEAD") headers["X-CSRFToken"] = cookie("csrftoken");
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      signal: controller.signal,
      cache: "no-store",
    });
  } catch (error) {
    throw new NetworkError(error && error.message ? error.message : "network error");
  } finally {
    clearTimeout(timer);
  }
  let data = null;
  const type = response.headers.get("Content-Type") || "";
  if (response.status !== 204 && type.includes("json")) {
    try {
      data = await response.json();
    } catch {
      data = null;
    }
  }
  return { status: response.status, data };
}

export function errorMessage(data, fallback) {
  const error = data && data.error;
  if (!error) return fallback;
  // The message already names the first field's problem; with fields, list
  // them all instead (so it is not said twice).
  const fields = error.fields
    ? Object.entries(error.fields).map(([field, msgs]) => {
        const text = [].concat(msgs).join(" ");
        return field === "non_field_errors" ? text : `${field}: ${text}`;
      })
    : [];
  return (fields.length ? fields.join(" ") : error.message) || fallback;
}
