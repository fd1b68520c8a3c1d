"""The Scrapy parts: the long-lived engine spider, job tracking, items, pipelines, middleware."""
