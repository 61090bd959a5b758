"""Platform staff see every e-mail that did not go out in the admin, and send failed ones again."""

import pytest
from django.core import mail

from accounts.models import MailDelivery
from events.models import MeetingRequest
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_staff_see_a_failed_mail_in_the_admin_and_send_it_again(
    client, salon, startup, offer, need, owner, bd, django_capture_on_commit_callbacks
):
    request = MeetingRequest.objects.create(
        event=salon,
        offer=offer,
        need=need,
        startup=startup,
        corporate=need.organization,
        origin="organizer",
        status="accepted",
    )
    failed = MailDelivery.objects.create(
        task_id="failed-once",
        task="events.notifications.mail_request_change",
        args=[request.pk, "arranged"],
        kind="request.arranged",
        recipients=["ceo@medivision.kr", "bd@globalmed.com"],
        salon_id=salon.pk,
        status="failed",
        attempts=6,
        last_error="SMTPDataError: (451, b'Try again later')",
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get("/admin/accounts/maildelivery/?status__exact=failed").content.decode()
    assert "SMTPDataError: (451, b&#x27;Try again later&#x27;)" in page and "주최 측이 주선한 미팅" in page
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post("/admin/accounts/maildelivery/", {"action": "retry", "_selected_action": [failed.pk]})
    assert answer.status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.task_id != "failed-once") == ("sent", 7, True)
    assert sorted(message.to for message in mail.outbox) == [["bd@globalmed.com"], ["ceo@medivision.kr"]]
