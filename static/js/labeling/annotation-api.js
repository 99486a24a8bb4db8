// The REST calls the labeling screen makes. fetchJson is lib/api.js's
// apiFetch in the page and a stand-in in the unit tests.

import { apiFetch } from "../lib/api.js";

// The {put, del} the SaveQueue sends a sentence's annotation through.
export function annotationApi(apiRoot, fetchJson = apiFetch) {
  return {
    put: (id, body) => fetchJson(`${apiRoot}sentences/${id}/annotation/`, { method: "PUT", body }),
    del: (id, version) =>
      fetchJson(`${apiRoot}sentences/${id}/annotation/?version=${encodeURIComponent(version)}`, { method: "DELETE" }),
  };
}

// A page of the article's sentences with this user's stored annotation of
// each: {offset, limit, unlabeled} as GET /api/articles/{id}/sentences/ takes them.
export function sentencesFetcher(apiRoot, articleId, fetchJson = apiFetch) {
  return ({ offset, limit, unlabeled = false }) => {
    const query = new URLSearchParams({ offset: String(offset), limit: String(limit) });
    if (unlabeled) query.set("unlabeled", "true");
    return fetchJson(`${apiRoot}articles/${articleId}/sentences/?${query}`);
  };
}
