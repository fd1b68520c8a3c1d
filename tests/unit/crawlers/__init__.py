"""Unit tests of the `crawlers` package."""
