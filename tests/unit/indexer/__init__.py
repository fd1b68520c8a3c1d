"""Unit tests of the `indexer` package."""
