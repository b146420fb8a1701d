"""Product search: searchable documents, lexical and semantic rankings, their fusion, and the
indexing that keeps Qdrant and ``Product.search_text`` in step with the catalog."""
