"""Crawl jobs: the scheduler, the crawler worker feeding the engine, one crawl in-process."""
