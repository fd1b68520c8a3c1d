"""How the dev stack's supervisor starts a service: ``python -m cgtwatch.devstack.launch NAME``.

Input: the service name (and its options) on the command line, ``Settings`` from the
environment. Output: the same run as ``cgtwatch NAME``; when Kafka is the embedded noida-db
(no ``CGTWATCH_KAFKA__BOOTSTRAP_SERVERS``), aiokafka's fetcher first gets the empty-fetch pause
(``cgtwatch.devstack.fetchpause``) and the service logs one line saying so. On real Kafka this
is exactly ``cgtwatch NAME``. Production runs ``cgtwatch NAME`` and never comes here.
"""

from __future__ import annotations

import sys

from cgtwatch.devstack.fetchpause import LOCAL_EMPTY_FETCH_PAUSE_S, pause_after_empty_fetches
from config.settings import Settings

PAUSE_NOTICE = "dev stack: aiokafka waits {:.1f} s after an empty fetch (embedded noida-db)"


def prepare(settings: Settings) -> bool:
    """Install what the embedded broker needs; True when the fetcher was patched."""
    if settings.kafka.bootstrap_servers:  # real Kafka holds empty fetches itself
        return False
    patched = pause_after_empty_fetches(LOCAL_EMPTY_FETCH_PAUSE_S)
    if patched:
        print(PAUSE_NOTICE.format(LOCAL_EMPTY_FETCH_PAUSE_S), file=sys.stderr, flush=True)
    return patched


def main(argv: list[str] | None = None) -> None:
    try:
        settings = Settings()
    except ValueError:  # the service itself reports bad settings, in one line
        settings = None
    if settings is not None:
        prepare(settings)
    from cgtwatch.cli.app import main as cgtwatch_main

    sys.argv = ["cgtwatch", *(sys.argv[1:] if argv is None else argv)]
    cgtwatch_main()


if __name__ == "__main__":
    main()
