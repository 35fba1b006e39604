"""SQLite storage: sources, stories, state and the search index."""
