// The REST calls of the labeling screen (static/js/labeling/annotation-api.js)
// and the error wording they rely on (static/js/lib/api.js).

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { errorMessage } from "../../static/js/lib/api.js";
import { annotationApi, sentencesFetcher } from "../../static/js/labeling/annotation-api.js";

function recorder() {
  const calls = [];
  const fetchJson = async (url, options) => {
    calls.push({ url, options });
    return { status: 200, data: null };
  };
  return { calls, fetchJson };
}

describe("annotationApi", () => {
  it("puts a sentence's annotation with the body as given", async () => {
    const { calls, fetchJson } = recorder();
    const body = { label: "claim", note: "", source: "", version: 2 };
    await annotationApi("/api/", fetchJson).put(41, body);
    assert.deepEqual(calls, [{ url: "/api/sentences/41/annotation/", options: { method: "PUT", body } }]);
  });

  it("deletes with the version it was based on in the query", async () => {
    const { calls, fetchJson } = recorder();
    await annotationApi("/api/", fetchJson).del(41, 3);
    assert.deepEqual(calls, [{ url: "/api/sentences/41/annotation/?version=3", options: { method: "DELETE" } }]);
  });

  it("passes the answer on unchanged", async () => {
    const answer = { status: 409, data: { current: null } };
    const api = annotationApi("/api/", async () => answer);
    assert.equal(await api.put(1, {}), answer);
  });
});

describe("sentencesFetcher", () => {
  it("asks for a page of the article's sentences under the API root", async () => {
    const { calls, fetchJson } = recorder();
    await sentencesFetcher("/api/", 17, fetchJson)({ offset: 200, limit: 50 });
    assert.deepEqual(calls, [{ url: "/api/articles/17/sentences/?offset=200&limit=50", options: undefined }]);
  });

  it("asks for unlabeled sentences only when told to", async () => {
    const { calls, fetchJson } = recorder();
    await sentencesFetcher("/api/", 17, fetchJson)({ offset: 0, limit: 1, unlabeled: true });
    assert.equal(calls[0].url, "/api/articles/17/sentences/?offset=0&limit=1&unlabeled=true");
  });
});

describe("errorMessage", () => {
  it("lists every field's problems instead of the summary message", () => {
    const data = {
      error: {
        message: "The article is being segmented again.",
        fields: { sentence: ["The article is being segmented again."], note: ["Too long.", "Not text."] },
      },
    };
    assert.equal(errorMessage(data, "fallback"), "sentence: The article is being segmented again. note: Too long. Not text.");
  });

  it("does not name non_field_errors", () => {
    assert.equal(errorMessage({ error: { message: "m", fields: { non_field_errors: "Both set." } } }, "f"), "Both set.");
  });

  it("uses the message without fields, and the fallback without an error", () => {
    assert.equal(errorMessage({ error: { message: "Try again shortly." } }, "f"), "Try again shortly.");
    assert.equal(errorMessage(null, "Server answered 500"), "Server answered 500");
    assert.equal(errorMessage({ error: {} }, "Refused (400)"), "Refused (400)");
  });
});
