"""Models of the outreach app (issue #5)."""
