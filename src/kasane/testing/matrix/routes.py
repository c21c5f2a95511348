"""Every route of the site (from the URL resolver) and every API operation (from the
OpenAPI schema), with their path parameters."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern, RoutePattern


@dataclass(frozen=True)
class Route:
    """One URL pattern of the site: its key (namespace:name, or the pattern when unnamed),
    its path template with ``<param>`` slots, and the parameters to fill."""

    key: str
    template: str
    params: tuple[str, ...]


_SLOT = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")
_NAMED_GROUP = re.compile(r"\(\?P<(?P<parameter>\w+)>[^)]*\)")


def _template(pattern: RoutePattern | RegexPattern | Any) -> str:
    raw = str(pattern)
    if isinstance(pattern, RegexPattern):
        raw = raw.removeprefix("^").removesuffix("$").replace("\\", "")
        raw = _NAMED_GROUP.sub(lambda m: f"<{m['parameter']}>", raw)
    return _SLOT.sub(lambda m: f"<{m['parameter']}>", raw)


def site_routes(*, skip_namespaces: frozenset[str] = frozenset()) -> list[Route]:
    """Every URL pattern of the site, through every include."""
    routes: list[Route] = []

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}{entry.namespace}:"
                if entry.namespace in skip_namespaces:
                    continue
                walk(entry, prefix + _template(entry.pattern), inner)
            else:
                assert isinstance(entry, URLPattern)
                template = prefix + _template(entry.pattern)
                key = f"{namespace}{entry.name or '<' + template + '>'}"
                params = tuple(m["parameter"] for m in _SLOT.finditer(template))
                routes.append(Route(key=key, template=template, params=params))

    walk(get_resolver(), "/", "")
    # A path listed twice (the API names each method of a path) resolves to its first entry;
    # the others exist only for reverse().
    seen: set[str] = set()
    unique = []
    for route in routes:
        if route.template not in seen:
            seen.add(route.template)
            unique.append(route)
    return unique


def fill(template: str, values: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        return str(values[match["parameter"]])

    return _SLOT.sub(value, template)


def resolves_to(path: str, route: Route) -> bool:
    """The concrete path reaches the pattern it was made from (not another one)."""
    try:
        match = resolve(path.split("?")[0])
    except Resolver404:
        return False
    namespace = ":".join(match.namespaces)
    key = f"{namespace}:{match.url_name}" if namespace else (match.url_name or "")
    return key == route.key or (match.url_name is None and route.key.endswith(">"))


def match_rule(key: str, patterns: list[str]) -> str | None:
    """The first pattern (fnmatch, so ``cases:*``) that names the key."""
    for pattern in patterns:
        if fnmatch.fnmatchcase(key, pattern):
            return pattern
    return None


@dataclass(frozen=True)
class Operation:
    """One operation of the OpenAPI schema."""

    method: str
    template: str
    params: tuple[str, ...]
    spec: dict[str, Any] = field(compare=False, hash=False)

    @property
    def key(self) -> str:
        return f"{self.method} {self.template}"


def iter_operations(schema: dict[str, Any]) -> Iterator[Operation]:
    """Every operation of the OpenAPI schema."""
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method.upper() not in {"GET", "POST", "PUT", "PATCH", "DELETE"}:
                continue
            params = tuple(
                p["name"] for p in operation.get("parameters", []) if p.get("in") == "path"
            )
            yield Operation(method.upper(), path, params, operation)


def fill_api(template: str, values: dict[str, Any]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m[1]]), template)
