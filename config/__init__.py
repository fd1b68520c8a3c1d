"""cgtwatch configuration: settings, the wire contract and operator files.

This package imports nothing else of cgtwatch, so every stage may depend on it.
"""
