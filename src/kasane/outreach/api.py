"""JSON API of the outreach app (issue #5)."""

from ninja import Router

router = Router(tags=["outreach"])
