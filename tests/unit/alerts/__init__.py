"""Unit tests of the `alerts` package."""
