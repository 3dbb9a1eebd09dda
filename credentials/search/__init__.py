"""Search over the public register: CJK-aware documents, queries, filters and facets."""
