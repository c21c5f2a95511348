"""Models of the participation app (issue #5)."""
