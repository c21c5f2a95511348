"""JSON API of the participation app (issue #5)."""

from ninja import Router

router = Router(tags=["participation"])
