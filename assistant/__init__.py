"""Assistant: Helio, the RAG assistant."""
