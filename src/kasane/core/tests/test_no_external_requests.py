"""Municipal networks (LGWAN) have no internet: no page may fetch anything from outside.

Scans every template and static file for absolute URLs to other hosts and for
protocol-relative CDN references. The browser tests check the same thing at run time.
"""

from __future__ import annotations

import re
from pathlib import Path

import kasane

PACKAGE = Path(kasane.__file__).resolve().parent
SCANNED = [PACKAGE / "templates", PACKAGE / "static"]
LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]"}

# Vendored libraries' licence texts name their authors' sites; they are never served to a page.
SKIPPED_NAMES = {"LICENSE", "LICENSE.txt", "LICENSE.md", "NOTICE"}

# URLs that appear in files but are provably never fetched, each with the reason.
NOT_FETCHED = {
    # An XML namespace name: an identifier compared as a string, never requested.
    "http://www.w3.org/2000/svg",
    "http://www.w3.org/1999/xlink",
}

URL = re.compile(r"""(?i)\bhttps?://[^\s"'<>()\\]+""")
PROTOCOL_RELATIVE = re.compile(r"""(?i)(?:["'(=\s]|url\()\s*//[a-z0-9-]+\.[a-z0-9.-]+""")
CDN = re.compile(r"(?i)//cdn")


def _host(url: str) -> str:
    rest = url.split("://", 1)[1]
    host = re.split(r"[/?#]", rest, maxsplit=1)[0]
    return host.rsplit("@", 1)[-1].split(":")[0] if not host.startswith("[") else host


def _files() -> list[Path]:
    return sorted(
        p
        for root in SCANNED
        for p in root.rglob("*")
        if p.is_file() and p.name not in SKIPPED_NAMES
    )


def external_references(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    found = []
    for match in URL.finditer(text):
        url = match.group(0).rstrip(".,;")
        if url in NOT_FETCHED or _host(url) in LOCAL_HOSTS:
            continue
        found.append(url)
    found += [m.group(0).strip() for m in PROTOCOL_RELATIVE.finditer(text)]
    found += [text[max(0, m.start() - 20) : m.end() + 20] for m in CDN.finditer(text)]
    return found


def test_the_scan_covers_templates_css_and_the_vendored_htmx() -> None:
    names = {p.relative_to(PACKAGE).as_posix() for p in _files()}
    assert "templates/base.html" in names
    assert "static/kasane/kasane.css" in names
    assert "static/vendor/htmx/htmx.min.js" in names


def test_the_scanner_finds_what_it_looks_for(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        '<script src="https://unpkg.com/htmx.org"></script>'
        '<link href="//fonts.googleapis.com/css">'
        "<style>@import url(//cdn.example.com/x.css)</style>"
        '<a href="http://localhost:8000/">ok</a>'
        '<svg xmlns="http://www.w3.org/2000/svg"></svg>',
        encoding="utf-8",
    )
    found = external_references(page)
    assert "https://unpkg.com/htmx.org" in found
    assert any("fonts.googleapis.com" in f for f in found)
    assert any("cdn.example.com" in f for f in found)
    assert not any("localhost" in f or "w3.org" in f for f in found)


def test_no_template_or_static_file_refers_to_another_host() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): refs
        for path in _files()
        if (refs := external_references(path))
    }
    assert offenders == {}, "external references found:\n" + "\n".join(
        f"  {name}: {refs}" for name, refs in offenders.items()
    )
