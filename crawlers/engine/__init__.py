"""The Scrapy parts: the generic spider, item building, pipelines, middleware."""
