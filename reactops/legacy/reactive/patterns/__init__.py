"""``charms.reactive.patterns``: reusable interface patterns (request/response)."""
