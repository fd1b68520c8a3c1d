"""Crawl state: the seen-store and source health."""
