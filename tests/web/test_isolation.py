"""Tenant isolation, walked over every URL pattern of the site and the API.

The shared cast (tests/worlds.py): startup MediVision (the owner) met BD team GlobalMed (the
partner) at a salon of the organizer; MediVision also has a draft offer, GlobalMed a confidential
need; the rival startup matches that need without having engaged; Delta Devices is an unrelated BD
team; the other organizer runs other salons. Then:

1. Every route that names an object of MediVision, GlobalMed or the salon, asked with every method
   by each outsider (rival, Delta, the other organizer, anonymous), answers exactly what it answers for an object
   that does not exist (404 for signed-in users; the login redirect or 401/403 for anonymous), so
   nothing tells an outsider that the object exists. The writes carry a payload that would be
   valid for the owner, and the database is unchanged afterwards, row for row.
2. No page, list, filter or file answered to a user contains a private text the disclosure rules
   keep from that user (draft offer, confidential need, contact details, meeting message,
   outcome note, shortlist note).
3. The owner, by contrast, gets those objects (so the walk is not vacuous).
"""

import datetime as dt
import json
import re

import pytest
from django.apps import apps
from django.test import Client
from django.utils import timezone

from accounts import tokens
from accounts.models import MailDelivery
from events import agenda
from events.models import ImportJob, Meeting, MeetingRequest, Outcome, Registration
from matching.models import Match, Shortlist
from tests.events.test_agenda import make_salon
from tests.factories import (
    PartneringNeedFactory,
)
from tests.web.test_every_page import routes

MISSING_PK = 987_654
MISSING_PUBLIC_ID = "00000000-0000-4000-8000-000000000000"  # a well-formed public id of nothing
# Private texts, and who may read each (roles below). Organizers see the profiles and contacts of the
# organizations that applied to their salons (matching.selectors), not those of anyone else.
SECRETS = {
    "초안 기술": {"owner", "organizer"},  # the draft offer
    "Secret cardiology program": {"partner", "owner", "organizer"},  # the confidential need
    "contact@medivision.kr": {"owner", "partner", "organizer"},
    "+82-2-555-0101": {"owner", "partner", "organizer"},
    "bd@globalmed.com": {"owner", "partner", "organizer"},
    "MEETING-MESSAGE-ALPHA-GAMMA": {"owner", "partner", "organizer"},
    "OUTCOME-NOTE-ALPHA": {"owner", "organizer"},
    "IMPORT-FILE-ALPHA.xlsx": {"organizer"},  # a spreadsheet import job of the organizer
}
OUTSIDERS = ("rival", "stranger", "other_organizer", "anonymous")
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture
def users(owner, bd, outsider, other_bd, organizer, other_organizer) -> dict:
    """The shared cast by role: the startup's owner, its partner BD team, the rival startup, an
    unrelated BD team, the organizer of the salon where they met and another organizer."""
    return {
        "owner": owner,
        "partner": bd,
        "rival": outsider,
        "stranger": other_bd,
        "organizer": organizer.user,
        "other_organizer": other_organizer.user,
    }


@pytest.fixture
def met_at_salon(
    users, startup, corporate, other_corporate, offer, draft_offer, rival_offer, confidential_need, organizer
):
    """The startup met its partner about the confidential need at a published salon of the organizer,
    and both left private texts; returns the objects' parameters for the routes and a free slot and
    table."""
    PartneringNeedFactory(organization=other_corporate, title="Delta public need")
    now = timezone.now()
    for matched in (offer, rival_offer, draft_offer):
        Match.objects.create(offer=matched, need=confidential_need, score=0.8, computed_at=now)
    event = make_salon(
        dt.date(2026, 6, 10), "isolation-salon", [(startup, corporate, offer, 0.8)], organizer=organizer.organization
    )
    event.status = "published"
    event.save()
    MeetingRequest.objects.filter(event=event).update(need=confidential_need, message="MEETING-MESSAGE-ALPHA-GAMMA")
    meeting = Meeting.objects.get(event=event)
    # The entry now names the need: published with it (a feed read by its token would raise the
    # sequence, which is not a write of the outsider's).
    agenda.calendar_sync(Meeting.objects.select_related(*agenda.CALENDAR_RELATED).filter(event=event))
    outcome = Outcome.objects.create(
        meeting=meeting, organization=startup, took_place=True, next_step="nda_cda", note="OUTCOME-NOTE-ALPHA"
    )
    Shortlist.objects.create(organization=corporate, offer=offer, need=confidential_need, note="SHORTLIST-NOTE-GAMMA")
    failed_mail = MailDelivery.objects.create(
        task_id="isolation-mail",
        task="events.notifications.mail_request_change",
        args=[MeetingRequest.objects.get(event=event).pk, "accepted"],
        kind="request.accepted",
        recipients=["ceo@medivision.kr"],
        salon_id=event.pk,
        status="failed",
        attempts=6,
        last_error="SMTPDataError: (451, b'Try again later')",
    )
    job = ImportJob.objects.create(
        organizer=organizer.organization,
        user=users["organizer"],
        file_name="IMPORT-FILE-ALPHA.xlsx",
        status="done",
        result={"ok": True, "dry_run": True, "notes": [], "errors": [], "rows": [], "counts": {}},
    )
    ids = {
        "import": job.pk,
        "offer": str(draft_offer.public_id),
        "need": str(confidential_need.public_id),
        "match": Match.objects.get(offer=offer).pk,
        "request": MeetingRequest.objects.get(event=event).pk,
        "meeting": meeting.pk,
        "outcome": outcome.pk,
        "organization": startup.pk,
        "registration": Registration.objects.get(event=event, organization=startup).pk,
        "offer_public_id": str(offer.public_id),
        "slug": event.slug,
        "token": tokens.feed_token(users["owner"]),
        "api_token": tokens.issue(users["owner"], name="isolation")[0].pk,
        "key": "not-a-key",
        "review": draft_offer.public_id,
        "uidb36": "1",
        "kind": "schedule",
        "mail": failed_mail.pk,
    }
    slot, table = event.slots.order_by("index").last(), event.tables.order_by("number").last()
    return ids, {"slot": slot.pk, "table": table.pk, "event": event.pk}


# The object routes that are public by design, with the world's objects: the page of a published
# salon, applying to it (for one's own organization) in the web and the API, an organization's
# public profile (contact details hidden: checked below), and the calendar feed, whose secret token
# is the key. Writes through them must still change nothing (the snapshot covers them).
PUBLIC = {
    "/salons/<slug>/",
    "/salons/<slug>/apply/",
    "/api/v1/events/<slug>/",
    "/api/v1/events/<slug>/register/",
    "/api/v1/organizations/<organization>/",
    "/calendar/<token>.ics",
    "/accounts/confirm-email/<key>/",  # django-allauth's e-mailed links: the key is the secret
    "/accounts/password/reset/key/<uidb36>-<key>/",
}


def template(route: str) -> str:
    """``api/v1/^offers/(?P<pk>[^/.]+)/$`` → ``/api/v1/offers/<offer>/``: each parameter named after
    the object it stands for (the resource in front of it)."""
    path = "/" + route.replace("^", "").replace("$", "")
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", path)
    path = re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", path)

    def name(match):
        resource, parameter = match.group(1), match.group(2)
        if parameter not in ("pk", "public_id"):
            return f"{resource}/<{parameter}>"
        singular = {"matches": "match", "salons": "slug"}.get(resource, resource.rstrip("s"))
        return f"{resource}/<{singular}>"

    return re.sub(r"(\w+)/<(\w+)>", name, path)


def concrete(path_template: str, ids: dict) -> str:
    path = path_template
    for key, value in ids.items():
        path = path.replace(f"<{key}>", str(value))
    assert "<" not in path, path
    return path


def missing(ids: dict) -> dict:
    """The same parameters naming objects that do not exist."""
    absent = {key: MISSING_PK for key, value in ids.items() if isinstance(value, int)}
    absent |= {key: MISSING_PUBLIC_ID for key in ("offer", "need", "offer_public_id")}
    return {**ids, **absent, "slug": "no-such-salon", "token": "not-a-token"}


def hostile_payload(extra: dict) -> dict:
    """What the owner (or the salon's organizer) could send to change the object: a title, a status,
    a lifecycle step, a slot and table, a lock, an outcome, a decline reason."""
    return {
        "title": "HIJACKED",
        "description": "HIJACKED by an outsider",
        "stage": "clinical",
        "stage_min": "clinical",
        "stage_max": "marketed",
        "deal_types": ["licensing"],
        "target_regions": ["US"],
        "regions": ["US"],
        "status": "rejected",
        "action": "close",
        "locked": True,
        "slot": extra["slot"],
        "table": extra["table"],
        "took_place": False,
        "next_step": "deal",
        "note": "HIJACKED",
        "reason": "other",
        "count": 3,
        "max_meetings": 3,
        "languages": ["ko"],
    }


def clients(users) -> dict[str, Client]:
    result = {"anonymous": Client()}
    for role, user in users.items():
        result[role] = Client()
        result[role].force_login(user)
    return result


def snapshot() -> dict:
    """Every row of every table of the project (sessions aside), as plain values."""
    rows = {}
    for model in apps.get_models():
        if model._meta.app_label in ("sessions", "admin", "contenttypes", "auth"):
            continue
        rows[model._meta.label] = sorted(
            json.dumps(row, sort_keys=True, default=str) for row in model.objects.order_by().values()
        )
    return rows


def send(client: Client, method: str, path: str, payload: dict):
    if method == "get":
        return client.get(path)
    if path.startswith("/api/"):
        return getattr(client, method)(path, payload, content_type="application/json")
    form = {key: value for key, value in payload.items() if not isinstance(value, bool)}
    form["locked"] = "1"
    return getattr(client, method)(path, form) if method == "post" else getattr(client, method)(path)


def object_routes() -> list[str]:
    return sorted({template(route) for route in routes() if "<" in template(route)})


def test_outsiders_cannot_tell_an_object_exists_and_change_nothing(users, met_at_salon):
    ids, extra = met_at_salon
    browsers = clients(users)
    payload = hostile_payload(extra)
    templates = object_routes()
    assert (len(templates), len(PUBLIC & set(templates))) == (57, 8)  # a new route: decide where it belongs
    before = snapshot()
    answered = {}
    for role in OUTSIDERS:
        for path_template in templates:
            for method in METHODS:
                real = send(browsers[role], method, concrete(path_template, ids), payload)
                absent = send(browsers[role], method, concrete(path_template, missing(ids)), payload)
                answered[(role, method, path_template)] = (real.status_code, absent.status_code)
    assert snapshot() == before  # no denied write changed a single row (nor wrote an audit row)
    # The rival's offer matches the confidential need: it reads the need's page, anonymised (the
    # secrets test below checks that nothing names its team), as it sees it among its matches.
    matched = ("rival", "get", "/workspace/needs/<need>/")
    assert answered.pop(matched) == (200, 404)
    oracles = {key: codes for key, codes in answered.items() if codes[0] != codes[1] and key[2] not in PUBLIC}
    assert sorted(oracles.items()) == [], "\n".join(map(str, sorted(oracles.items())))
    private = {key: codes for key, codes in answered.items() if key[2] not in PUBLIC}
    signed_in = {codes[0] for (role, _m, _p), codes in private.items() if role != "anonymous"}
    assert signed_in <= {404, 405}, signed_in
    anonymous = {codes[0] for (role, _m, _p), codes in private.items() if role == "anonymous"}
    assert anonymous <= {302, 401, 404, 405}, anonymous  # 401: the API asks for a token (WWW-Authenticate)
    # Writes by outsiders are refused as "not found", never "forbidden" (which would confirm it).
    assert answered[("rival", "patch", "/api/v1/offers/<offer>/")] == (404, 404)
    assert answered[("stranger", "post", "/api/v1/requests/<request>/accept/")] == (404, 404)
    assert answered[("other_organizer", "post", "/api/v1/meetings/<meeting>/move/")] == (404, 404)
    assert answered[("other_organizer", "post", "/organize/salons/<slug>/transition/")] == (404, 404)
    assert answered[("rival", "post", "/workspace/offers/<offer>/edit/")] == (404, 404)
    assert answered[("anonymous", "post", "/workspace/offers/<offer>/edit/")] == (302, 302)
    # Public pages answer only the methods they serve.
    assert answered[("rival", "delete", "/salons/<slug>/")] == (405, 405)
    assert answered[("rival", "post", "/calendar/<token>.ics")] == (405, 405)


def readable_paths(ids: dict) -> list[str]:
    """Every route filled with the world's objects, plus the lists filtered on them."""
    paths = {concrete(template(route), ids) for route in routes()}
    filters = {
        "offers": ("organization", "organization"),
        "needs": ("organization", "organization"),
        "matches": ("need", "need"),
        "requests": ("event", "event"),
        "meetings": ("event", "event"),
        "outcomes": ("meeting", "meeting"),
    }
    for resource, (parameter, key) in filters.items():
        value = ids["event"] if key == "event" else ids[key]
        paths.add(f"/api/v1/{resource}/?{parameter}={value}")
    paths.add(f"/api/v1/matches/?offer={ids['offer']}")
    paths.add(f"/api/v1/offers/?status=draft&organization={ids['organization']}")
    paths.add(f"/api/v1/needs/?is_confidential=true&organization={ids['partner_org']}")
    return sorted(paths)


def test_no_answer_carries_a_secret_its_reader_may_not_know(users, met_at_salon):
    ids, extra = met_at_salon
    ids = {**ids, "event": extra["event"], "partner_org": users["partner"].memberships.get().organization_id}
    browsers = clients(users)
    paths = readable_paths(ids)
    leaks = []
    seen = {secret: set() for secret in SECRETS}
    for role, browser in browsers.items():
        # Each user reads the calendar feed of its own token (the token is the key to one agenda).
        own_feed = f"/calendar/{tokens.feed_token(users[role])}.ics" if role in users else None
        for path in [own_feed if p.startswith("/calendar/") else p for p in paths]:
            if path is None:
                continue
            response = browser.get(path)
            assert response.status_code < 500, (role, path)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            text = body.decode("utf-8", "replace")
            for secret, readers in SECRETS.items():
                if secret in text:
                    seen[secret].add(role)
                    if role not in readers:
                        leaks.append((role, path, secret))
    assert leaks == [], "\n".join(map(str, leaks))
    # Each secret does reach its readers somewhere, so the walk looked in the right places.
    assert seen == {secret: readers for secret, readers in SECRETS.items()}
