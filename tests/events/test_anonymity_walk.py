"""No channel tells a startup who owns a confidential need (issue #15).

An outsider startup walks every route that creates or changes a meeting request or a shortlist
entry, once with a confidential need and once with an ordinary control need of the same shape,
in Korean and in English. The owner of the confidential need, GlobalMed, already has something
with the startup at the salon — a pending request, a decline, a proposal — about an ordinary need
of its own (so the startup knows GlobalMed); the control's owner, Delta Devices, has nothing. If any
of those decided an answer (a "duplicate" error, a "declined" error, the reuse of the proposal's
id, which salons the form offers, an error naming the team), the two walks would differ or the
answers would name GlobalMed."""

import json
import re

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import transaction
from rest_framework.test import APIClient

from accounts import tokens
from events import meeting_requests
from events.models import MeetingRequest
from matching.disclosure import anonymous_label
from tests.factories import EventFactory, PartneringNeedFactory, RegistrationFactory
from tests.worlds import add_match

OWNER_NAMES = ("글로벌메드", "GlobalMed", "bd@globalmed.com", "Secret cardiology program")
HISTORIES = ("nothing", "pending", "declined", "proposal")


@pytest.fixture
def world(startup, owner, offer, corporate, confidential_need, other_corporate, cardiology, organizer):
    offer.areas.set([cardiology])
    salon = EventFactory(organizer=organizer.organization, title_en="Daejeon Salon", status="open", meeting_quota=5)
    elsewhere = EventFactory(organizer=organizer.organization, title_en="Osong Salon", status="open", meeting_quota=5)
    for organization in (startup, corporate, other_corporate):
        RegistrationFactory(event=salon, organization=organization, status="approved")
    RegistrationFactory(event=elsewhere, organization=startup, status="approved")  # the BD teams are not there
    control = PartneringNeedFactory(organization=other_corporate, title="Cardiac monitoring partner")
    control.areas.set([cardiology])
    known = PartneringNeedFactory(organization=corporate, title="Open call: cardiology devices")  # GlobalMed's, public
    for need in (confidential_need, control, known):
        add_match(offer, need, 0.8)
    return {
        "salon": salon,
        "elsewhere": elsewhere,
        "confidential": confidential_need,
        "control": control,
        "known": known,
        "owner": owner,
        "key": tokens.issue(owner, name="walk")[1],
    }


def give_history(world, history: str, offer, startup, corporate) -> None:
    """What GlobalMed already has with the startup at the salon, about its public need."""
    values = {"event": world["salon"], "offer": offer, "need": world["known"], "startup": startup}
    if history == "pending":
        MeetingRequest.objects.create(
            **values, corporate=corporate, origin="startup", status="pending", requester=startup, recipient=corporate
        )
    elif history == "declined":
        MeetingRequest.objects.create(
            **values,
            corporate=corporate,
            origin="startup",
            status="declined",
            decline_reason="no_capacity",
            requester=startup,
            recipient=corporate,
        )
    elif history == "proposal":
        MeetingRequest.objects.create(**values, corporate=corporate, origin="proposal", status="proposed")


IDENTITY = ("corporate", "corporate_name", "requester", "recipient", "need_title")


def without_identity(data, need):
    """A request as JSON with the fields that name its BD team set aside: an ordinary need's team is
    named there by design; a confidential one's must be hidden (asserted here)."""
    if isinstance(data, list):
        return [without_identity(item, need) for item in data]
    if not isinstance(data, dict):
        return data
    if "corporate_name" in data and need.is_confidential:
        label = anonymous_label(need)
        assert [data[key] for key in IDENTITY] == [None, label, data["requester"], None, label]
        assert data["requester"] in (None, data["startup"])
    return {key: "<identity>" if key in IDENTITY else without_identity(value, need) for key, value in data.items()}


def clean(text: str, need, ids: dict[int, str]) -> str:
    """An answer with what legitimately differs between the two walks replaced: the need's public id,
    the ids of new rows, the need as the startup sees it (the anonymous label, or its team and title), times,
    the per-response CSRF token and CSP nonce."""
    if text.startswith(("{", "[")):
        text = json.dumps(without_identity(json.loads(text), need), ensure_ascii=False, sort_keys=True)
    text = re.sub(r"\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d)?", "<time>", text)
    text = re.sub(r'(name="csrfmiddlewaretoken" value|nonce)="[^"]*"', r'\1="<random>"', text)
    for label in sorted(label_of(need), key=len, reverse=True):
        text = text.replace(label, "<need>")
    text = text.replace(str(need.public_id), "<need-id>")
    for number, placeholder in ids.items():
        text = re.sub(rf'("id": |requests/){number}\b', rf"\1{placeholder}", text)
    return text


def label_of(need) -> list[str]:
    if need.is_confidential:
        return [anonymous_label(need)]
    names = [need.organization.name_ko, need.organization.name_en]
    return [*(f"{name}: {need.title}" for name in names), *names, need.title]


def walk(world, need, language: str, offer) -> list:
    """Every answer of every route, as comparable values; asserts no owner name on the way."""
    owner, salon, elsewhere = world["owner"], world["salon"], world["elsewhere"]
    web = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    web.force_login(owner)
    api = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    api.credentials(HTTP_AUTHORIZATION=f"Token {world['key']}")
    before = set(MeetingRequest.objects.values_list("pk", flat=True))
    ids: dict[int, str] = {}
    answers = []

    def record(route: str, response, body: str) -> None:
        for name in OWNER_NAMES:
            assert name not in body, (route, name)
        answers.append((route, response.status_code, clean(body, need, ids)))

    new = f"/workspace/requests/new/?offer={offer.public_id}&need={need.public_id}"
    form = web.get(new)
    record("form", form, form.content.decode())
    answers.append(("salons offered", [value for value, _label in form.context["form"].fields["event"].choices]))

    refused = web.post(new, {"event": elsewhere.pk, "message": "안녕하세요", "confirm_misfit": "on"})
    record("web, a salon the team is not at", refused, json.dumps(refused.context["form"].errors, ensure_ascii=False))

    sent = web.post(new, {"event": salon.pk, "message": "안녕하세요", "confirm_misfit": "on"})
    created = MeetingRequest.objects.exclude(pk__in=before).get()
    ids[created.pk] = "<web-request>"
    record("web, send", sent, f"{sent.get('Location')} {[str(m) for m in get_messages(sent.wsgi_request)]}")
    answers.append(("a new row, not an old one's id", created.pk not in before))
    record("web, cancel", web.post(f"/workspace/requests/{created.pk}/cancel/"), "")

    payload = {
        "event": salon.pk,
        "offer": str(offer.public_id),
        "need": str(need.public_id),
        "message": "Hello",
        "confirm_misfit": True,
    }
    refused = api.post("/api/v1/requests/", {**payload, "event": elsewhere.pk}, format="json")
    record("api, a salon the team is not at", refused, refused.content.decode())
    response = api.post("/api/v1/requests/", payload, format="json")
    request_id = response.json()["id"]
    ids[request_id] = "<api-request>"
    record("api, send", response, response.content.decode())
    answers.append(("a new row, not an old one's id", request_id not in before))
    again = api.post("/api/v1/requests/", payload, format="json")
    record("api, send again", again, again.content.decode())
    accept = api.post(f"/api/v1/requests/{request_id}/accept/", format="json")
    record("api, accept one's own request", accept, accept.content.decode())
    listed = api.get("/api/v1/requests/", {"need": str(need.public_id)})
    record("api, list", listed, listed.content.decode())
    cancel = api.post(f"/api/v1/requests/{request_id}/cancel/", format="json")
    record("api, cancel", cancel, cancel.content.decode())

    shortlist = web.post(f"/workspace/needs/{need.public_id}/shortlist/{offer.public_id}/")
    record("web, shortlist another team's need", shortlist, shortlist.content.decode())
    return answers


@pytest.mark.parametrize("history", HISTORIES)
@pytest.mark.parametrize("language", ["ko", "en"])
def test_a_confidential_need_answers_as_an_ordinary_one(world, history, language, offer, startup, corporate):
    give_history(world, history, offer, startup, corporate)
    walks = {}
    for kind in ("confidential", "control"):
        with transaction.atomic():
            walks[kind] = walk(world, world[kind], language, offer)
            transaction.set_rollback(True)
    for confidential, control in zip(walks["confidential"], walks["control"], strict=True):
        assert confidential == control
    statuses = [answer[1] for answer in walks["control"] if len(answer) == 3]
    assert statuses == [200, 200, 302, 302, 400, 201, 400, 400, 200, 200, 404]


def test_a_pair_with_an_anonymous_request_beside_another_gets_one_meeting(
    world, offer, startup, corporate, bd, django_capture_on_commit_callbacks
):
    salon = world["salon"]
    public = meeting_requests.meeting_request_create(
        event=salon, requester=startup, offer=offer, need=world["known"], confirm_misfit=True
    )
    anonymous = meeting_requests.meeting_request_create(
        event=salon, requester=startup, offer=offer, need=world["confidential"], confirm_misfit=True
    )
    assert (public.anonymous, anonymous.anonymous, anonymous.corporate) == (False, True, corporate)
    meeting_requests.meeting_request_accept(meeting_request=anonymous, organization=corporate, user=bd)
    with pytest.raises(ValidationError) as error:
        meeting_requests.meeting_request_accept(meeting_request=public, organization=corporate, user=bd)
    assert error.value.messages == ["이 두 기관은 이 살롱에서 이미 미팅이 잡혀 있습니다."]
    assert list(MeetingRequest.objects.order_by("pk").values_list("status", flat=True)) == ["pending", "accepted"]


def test_a_proposal_about_a_confidential_need_is_taken_up_by_the_anonymous_request(world, offer, startup, corporate):
    proposal = MeetingRequest.objects.create(
        event=world["salon"],
        offer=offer,
        need=world["confidential"],
        startup=startup,
        corporate=corporate,
        origin="proposal",
        status="proposed",
        anonymous=True,
    )
    request = meeting_requests.meeting_request_create(
        event=world["salon"], requester=startup, offer=offer, need=world["confidential"], confirm_misfit=True
    )
    assert (request.pk, request.status, request.anonymous) == (proposal.pk, "pending", True)
