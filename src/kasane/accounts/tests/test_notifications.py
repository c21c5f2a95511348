"""Notifications: told once per active recipient, shown on the home page, marked read."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from kasane.accounts.models import Notification
from kasane.accounts.notifications import notifications_read, notify, unread_notifications
from kasane.conftest import StaffFactory

pytestmark = pytest.mark.django_db


def test_the_table_stayed_where_core_created_it() -> None:
    # The model moved from core to accounts; its rows did not.
    assert Notification._meta.db_table == "core_notification"
    assert "core_notification" in connection.introspection.table_names()


def test_notify_tells_each_active_recipient_once() -> None:
    staff, idle = StaffFactory.create(), StaffFactory.create(is_active=False)
    told = notify([staff, staff, idle], kind="test", message="Case 1 needs you", link="/x/")
    assert told == 1
    assert [n.message for n in unread_notifications(staff)] == ["Case 1 needs you"]
    assert unread_notifications(idle) == []


def test_the_home_page_shows_them_and_marking_read_clears_them(client: Client) -> None:
    staff = StaffFactory.create()
    notify([staff], kind="test", message="Meeting on 4/1")
    client.force_login(staff)
    page = client.get(reverse("core:home"))
    assert "Meeting on 4/1" in page.content.decode()
    response = client.post(reverse("notifications_read"))
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert unread_notifications(staff) == []
    assert notifications_read(staff) == 0
