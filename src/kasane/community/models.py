"""Models of the community app (issue #5)."""
