"""Adapters that turn feeds and files into stories."""
