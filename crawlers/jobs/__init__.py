"""Crawl jobs: the scheduler, the crawler worker and the one-crawl child process."""
