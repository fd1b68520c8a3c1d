"""Local test doubles shared by tests/ and bench/: generated fixture sites, their server and
the crawl harness (bench never imports tests)."""
