"""The headless command line: scripts and cron."""
