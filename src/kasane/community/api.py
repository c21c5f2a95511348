"""JSON API of the community app (issue #5)."""

from ninja import Router

router = Router(tags=["community"])
