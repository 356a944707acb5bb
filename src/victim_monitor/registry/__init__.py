"""The register of reports: organisations, intake of submissions, and what it holds."""
