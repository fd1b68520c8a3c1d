"""Unit tests of the `cgtwatch` package."""
