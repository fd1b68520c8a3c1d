"""The embedded local stack of ``cgtwatch up`` (noida-db servers, supervisor)."""
