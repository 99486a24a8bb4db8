"""Server-rendered HTML pages. Thin views: access through corpora.permissions and
articles.access, reads through articles.selectors; the labeling screen writes through
the API."""
