"""Story bodies (HTML, Markdown, plain text) turned into reader text and plain text.

Imports only :mod:`tuireader.domain` and parsing libraries (markdownify, bs4, lxml). Import
the modules themselves (``content.reader``): this package imports nothing,
so plain-text indexing never pays for the HTML converter's start-up.
"""
