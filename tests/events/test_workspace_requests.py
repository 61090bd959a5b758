"""The meeting-request pages of the workspace (events.workspace_views): asking with the fit
warnings, answering, cancelling."""

import pytest

from events import meeting_requests
from events.models import MeetingRequest
from tests.worlds import add_match, english

pytestmark = pytest.mark.django_db

MISFITS = {
    "ko": {"fits": [], "misfits": ["너무 이른: 프로토타입, 니즈는 임상 이후를 요구합니다"]},
    "en": {"fits": [], "misfits": ["Too early: Prototype, the need asks for Clinical or later"]},
}


# --- Meeting requests ----------------------------------------------------------------------


def test_a_startup_sees_the_fit_warnings_and_the_request_is_sent_only_once_confirmed(
    client, offer, need, owner, salon, startup, corporate
):
    add_match(offer, need, 0.41, explanation=MISFITS)
    client.force_login(owner)
    url = f"/workspace/requests/new/?offer={offer.public_id}&need={need.public_id}"

    page = english(client).get(url).content.decode()
    assert page.index("Too early: Prototype, the need asks for Clinical or later") < page.index(
        '<form method="post" class="form"'
    )
    assert '<label for="id_confirm_misfit"><input type="checkbox" name="confirm_misfit"' in page
    assert "Send anyway" in page
    assert f'<input type="radio" name="event" value="{salon.pk}"' in page

    response = client.post(url, {"event": salon.pk, "message": "Hello"})
    assert response.status_code == 200
    assert 'id="id_confirm_misfit-error"' in response.content.decode()
    assert MeetingRequest.objects.count() == 0

    response = client.post(url, {"event": salon.pk, "message": "Hello", "confirm_misfit": "on"})
    assert response.status_code == 302
    assert response["Location"] == "/workspace/"
    request = MeetingRequest.objects.get()
    assert (request.requester, request.recipient, request.offer, request.need, request.status, request.message) == (
        startup,
        corporate,
        offer,
        need,
        "pending",
        "Hello",
    )
    assert "Your meeting request is sent." in client.get("/workspace/").content.decode()


def test_service_errors_are_shown_in_the_request_form(client, offer, need, salon, corporate, owner):
    add_match(offer, need, 0.8)
    meeting_requests.meeting_request_create(event=salon, requester=corporate, offer=offer, need=need)
    client.force_login(owner)
    url = f"/workspace/requests/new/?offer={offer.public_id}&need={need.public_id}"
    page = english(client).get(url).content.decode()
    assert "confirm_misfit" not in page  # no misfit, no checkbox
    response = client.post(url, {"event": salon.pk})
    assert response.status_code == 200
    assert "You already have a request with this BD team at this salon." in response.content.decode()
    assert MeetingRequest.objects.count() == 1


def test_a_bd_team_accepts_and_a_startup_declines_from_the_workspace(
    client, offer, need, rival_offer, salon, startup, corporate, bd, outsider
):
    add_match(offer, need, 0.8)
    add_match(rival_offer, need, 0.5)
    to_accept = meeting_requests.meeting_request_create(
        event=salon, requester=startup, offer=offer, need=need, confirm_misfit=True
    )
    to_decline = meeting_requests.meeting_request_create(event=salon, requester=corporate, offer=rival_offer, need=need)

    client.force_login(bd)
    home = english(client).get("/workspace/").content.decode()
    assert f'action="/workspace/requests/{to_accept.pk}/accept/"' in home
    assert f'action="/workspace/requests/{to_decline.pk}/cancel/"' in home  # sent by the BD team
    assert f'<label for="reason-{to_accept.pk}">decline reason</label>' in home
    assert client.post(f"/workspace/requests/{to_accept.pk}/accept/").status_code == 302
    to_accept.refresh_from_db()
    assert (to_accept.status, to_accept.responded_by) == ("accepted", bd)

    client.force_login(outsider)
    assert client.get(f"/workspace/requests/{to_accept.pk}/accept/").status_code == 405
    assert client.post(f"/workspace/requests/{to_accept.pk}/decline/", {"reason": "other"}).status_code == 404
    response = client.post(f"/workspace/requests/{to_decline.pk}/decline/", {"reason": "made_up"})
    assert response.status_code == 302
    to_decline.refresh_from_db()
    assert to_decline.status == "pending"
    client.post(f"/workspace/requests/{to_decline.pk}/decline/", {"reason": "too_early", "note": "Next year"})
    to_decline.refresh_from_db()
    assert (to_decline.status, to_decline.decline_reason, to_decline.decline_note) == (
        "declined",
        "too_early",
        "Next year",
    )


def test_the_requester_cancels_a_pending_request(client, offer, need, salon, startup, owner):
    add_match(offer, need, 0.8)
    request = meeting_requests.meeting_request_create(event=salon, requester=startup, offer=offer, need=need)
    client.force_login(owner)
    response = english(client).post(f"/workspace/requests/{request.pk}/cancel/", follow=True)
    request.refresh_from_db()
    assert request.status == "cancelled"
    assert "The request is cancelled." in response.content.decode()
