"""cgtwatch package."""
