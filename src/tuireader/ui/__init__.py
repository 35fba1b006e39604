"""The Textual app: screens, widgets, commands and styles. Asks services; never touches I/O."""
