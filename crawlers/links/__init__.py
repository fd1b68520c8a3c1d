"""Link discovery on list pages, feeds and sitemaps (pure), and the online probe."""
