"""Orchestration over the adapters: the library facade and refresh. No Textual here."""
