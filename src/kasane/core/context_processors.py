"""Navigation shared by every page: the five functions and the user's own tools."""

from typing import Any

from django.http import HttpRequest

from kasane.core.functions import FUNCTIONS


def navigation(request: HttpRequest) -> dict[str, Any]:
    return {"program_functions": FUNCTIONS}
