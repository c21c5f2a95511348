"""The demo logins, printed at start and by ``kasane demo_logins``."""

from typing import Protocol

from kasane.accounts.models import Staff
from kasane.demo.agencies import STAFF
from kasane.demo.city import DEMO_PASSWORD


def demo_logins() -> list[dict[str, str]]:
    usernames = [s.username for s in STAFF]
    staff = {
        s.username: s for s in Staff.objects.filter(username__in=usernames).select_related("agency")
    }
    return [
        {
            "username": spec.username,
            "password": DEMO_PASSWORD,
            "role": spec.role.value,
            "role_label": str(spec.role.label),
            "agency": staff[spec.username].agency.name if staff[spec.username].agency else "",  # type: ignore[union-attr]
        }
        for spec in STAFF
        if spec.username in staff
    ]


class Writer(Protocol):
    """A text stream, or a management command's ``self.stdout``."""

    def write(self, text: str, /) -> object: ...


def print_logins(out: Writer) -> None:
    rows = demo_logins()
    if not rows:
        out.write("No demo logins: this database was not loaded with the demo city.\n")
        return
    out.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})\n")
    for row in rows:
        out.write(f"  {row['username']:<12} {row['role']:<21} {row['agency']}\n")
    out.write("\n")
