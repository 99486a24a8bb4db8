"""Reads for the HTML pages: plain functions returning querysets or rows."""
