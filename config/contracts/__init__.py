"""The wire contract: topic names, message models and the one ``article_id``.

Every stage imports its topics and message models from the submodules of this package, and
nothing else crosses a process boundary:

- ``topics``: Kafka topic names;
- ``ids``: ``canonical_url``, ``article_id`` (Kafka key, Elasticsearch ``_id`` and alert dedupe
  key all derive from it: a hash of the canonical URL) and ``content_hash``;
- ``wire``: the ``Message`` base with its ``schema_version``, ``encode``/``decode`` (JSON,
  validated at decode, so a consumer refuses with a clear error what it does not understand)
  and the clock ``utcnow``;
- ``articles``: raw and classified articles, classifications and the label vocabulary;
- ``crawl``: crawl jobs, crawl outcomes and per-source health;
- ``ops``: dead letters and operator events.

This module re-exports nothing: import each name from the submodule that defines it.
"""
