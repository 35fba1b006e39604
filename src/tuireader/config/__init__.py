"""Configuration: TOML under the platform's config dir, and where data lives."""
