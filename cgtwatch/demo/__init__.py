"""``cgtwatch demo``: the pipeline end to end on the bundled demo site."""
