"""Every URL pattern of the site and the API, requested by every kind of user: no server error
anywhere (outsiders get 403/404 or a login redirect, never a 500)."""

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from accounts import tokens
from events.models import Meeting, MeetingRequest, Outcome, Registration
from matching.models import Match, PartneringNeed, TechnologyOffer
from tests.events.test_agenda import make_salon

SKIPPED = ("admin/", "media/", "^media/", "i18n/")


def routes(patterns=None, prefix=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        text = prefix + str(pattern.pattern)
        if text.startswith(SKIPPED):
            continue
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, text)
        elif isinstance(pattern, URLPattern) and "format" not in text:
            yield text


def fill(route: str, ids: dict) -> str:
    """A concrete path for a route, with real objects of the demo world in its parameters."""
    path = route.replace("^", "").replace("$", "")
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", path)
    path = re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", path)
    for resource, key in (
        ("offers", "offer"),
        ("needs", "need"),
        ("matches", "match"),
        ("requests", "request"),
        ("meetings", "meeting"),
        ("outcomes", "outcome"),
        ("organizations", "organization"),
        ("registrations", "registration"),
    ):
        path = re.sub(rf"{resource}/<pk>", f"{resource}/{ids[key]}", path)
    path = path.replace("<offer_pk>", str(ids["offer"])).replace("<slug>", ids["slug"])
    path = path.replace("<token>", ids["token"]).replace("<kind>", "propose").replace("<pk>", str(ids["offer"]))
    path = path.replace("<api_token>", str(ids["offer"]))  # no such token: the route answers 404 or 405
    assert "<" not in path, path
    return "/" + path


@pytest.fixture
def users(owner, bd, organizer, outsider) -> dict:
    return {"startup": owner, "corporate": bd, "organizer": organizer.user, "outsider": outsider}


@pytest.fixture
def ids(users, startup, corporate, offer, need, organizer) -> dict:
    """The route parameters: owner and partner met at a closed salon of the organizer."""
    event = make_salon(
        dt.date(2026, 6, 10), "every-page", [(startup, corporate, offer, 0.8)], organizer=organizer.organization
    )
    event.status = "closed"
    event.save()
    match = Match.objects.create(offer=offer, need=need, score=0.8, computed_at=timezone.now())
    meeting = Meeting.objects.get(event=event)
    outcome = Outcome.objects.create(meeting=meeting, organization=startup, took_place=True, next_step="nda_cda")
    assert TechnologyOffer.objects.count() == 1 and PartneringNeed.objects.count() == 1
    return {
        "offer": offer.pk,
        "need": need.pk,
        "match": match.pk,
        "request": MeetingRequest.objects.get(event=event).pk,
        "meeting": meeting.pk,
        "outcome": outcome.pk,
        "organization": startup.pk,
        "registration": Registration.objects.filter(event=event).first().pk,
        "slug": event.slug,
        "token": tokens.feed_token(users["startup"]),
    }


def test_no_page_or_api_route_fails_for_any_kind_of_user(users, ids):
    paths = sorted({fill(route, ids) for route in routes()})
    assert len(paths) >= 60
    statuses = {}
    for role in ("anonymous", *users):
        client = Client()
        if role != "anonymous":
            client.force_login(users[role])
        for path in paths:
            statuses[(role, path)] = client.get(path).status_code  # a server error raises here
    assert not {key: code for key, code in statuses.items() if code >= 500}
    # Outsiders never see another organization's objects.
    assert statuses[("outsider", f"/workspace/offers/{ids['offer']}/edit/")] == 404
    assert statuses[("outsider", f"/organize/salons/{ids['slug']}/")] == 404
    assert statuses[("outsider", f"/api/v1/meetings/{ids['meeting']}/")] == 404
    assert statuses[("startup", f"/workspace/offers/{ids['offer']}/edit/")] == 200
    assert statuses[("organizer", f"/organize/salons/{ids['slug']}/schedule/")] == 200
    assert statuses[("anonymous", "/workspace/")] == 302


# --- Content-Security-Policy ----------------------------------------------------------------------
# The site's policy; the API docs' Swagger UI alone also loads its icons as data: images (config.urls).
POLICY = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'"},
    "font-src": {"'self'"},
    "connect-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # as a browser asks
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


def parse_policy(header: str) -> dict[str, set[str]]:
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = set(sources)
    return directives


class InlineCode(HTMLParser):
    """Collects what a strict policy blocks in a page: inline scripts (a script element without src,
    unless it only holds data), style elements, style and on* event attributes, javascript: URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and "src" not in attributes and attributes.get("type") not in DATA_SCRIPT_TYPES:
            self.found.append(f"inline <script> at line {self.getpos()[0]}")
        if tag == "style":
            self.found.append(f"<style> at line {self.getpos()[0]}")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f'<{tag} {name}="{value}"> at line {self.getpos()[0]}')
            if name in {"href", "src", "action", "formaction"} and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f'<{tag} {name}="{value}"> at line {self.getpos()[0]}')

    handle_startendtag = handle_starttag


def test_every_page_sends_the_policy_and_holds_no_inline_script_or_style(users, ids, offer):
    paths = sorted({fill(route, ids) for route in routes()})
    html_pages = set()
    problems = {}
    for role in ("anonymous", *users):
        client = Client()
        if role != "anonymous":
            client.force_login(users[role])
        for path in paths:
            for language in ("ko", "en"):
                response = client.get(path, HTTP_ACCEPT_LANGUAGE=language, HTTP_ACCEPT=BROWSER_ACCEPT)
                expected = POLICY if path != "/api/docs/" else {**POLICY, "img-src": {"'self'", "data:"}}
                assert parse_policy(response["Content-Security-Policy"]) == expected, (role, path)
                if response.get("Content-Type", "").startswith("text/html"):  # error pages too
                    if response.status_code == 200:
                        html_pages.add(path)
                    parser = InlineCode()
                    parser.feed(b"".join(response).decode() if response.streaming else response.content.decode())
                    if parser.found:
                        problems[(role, path, language)] = parser.found
    assert not problems
    # The walk did reach the pages: the workspace, the organizer's schedule grid and funnel, the API docs.
    for path in ("/", "/accounts/login/", "/workspace/", f"/organize/salons/{ids['slug']}/schedule/", "/api/docs/"):
        assert path in html_pages, path
    assert len(html_pages) >= 24
    # The API answers a browser in JSON: its browsable pages (inline style) are off.
    assert not [path for path in html_pages if path.startswith("/api/v1/")]


def test_the_parser_sees_each_kind_of_inline_code():
    parser = InlineCode()
    parser.feed(
        '<script>alert(1)</script><script src="/static/a.js"></script><script type="application/json">{}</script>'
        '<style>p{}</style><p style="color:red" onclick="x()"><a href="javascript:x()">a</a>'
        '<svg><rect style="x"/></svg>'
    )
    assert [item.split(" at ")[0] for item in parser.found] == [
        "inline <script>",
        "<style>",
        '<p style="color:red">',
        '<p onclick="x()">',
        '<a href="javascript:x()">',
        '<rect style="x">',
    ]
