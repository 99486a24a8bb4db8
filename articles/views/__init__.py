"""Server-rendered HTML pages. Thin views: access through articles.permissions,
reads through articles.selectors; the labeling screen writes through the API."""
