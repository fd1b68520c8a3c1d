"""Unit tests of the `config` package."""
