"""The Content-Security-Policy in a real browser: Chromium walks the main pages as a visitor, a
startup, a BD member and the organizer, in Korean and English, with each page's scripts running
(concept suggestions, the organizer's progress polling, the API docs); the browser reports no
violation of the policy, which every page carries. A style attribute added to a page on purpose
is reported, so the watch is live."""

import pytest

from events.models import ImportJob, MeetingRequest
from tests.factories import EventFactory, RegistrationFactory

from .conftest import log_in
from .test_partnering_journey import PASSWORD, salon  # noqa: F401 - the journey's world, a fixture

pytestmark = pytest.mark.django_db(transaction=True)

# Every securitypolicyviolation event of the document, kept where the test can read it.
WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


def watched(page):
    page.add_init_script(WATCH)
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    page.policies = {}
    page.on(
        "response",
        lambda response: (
            response.request.resource_type == "document"
            and page.policies.__setitem__(response.url, response.headers.get("content-security-policy"))
        ),
    )
    return page


def test_the_main_pages_run_under_the_policy_without_a_violation(salon, open_page):  # noqa: F811
    event, startup, offer, need = salon
    RegistrationFactory(event=event, organization=startup, status="approved")
    MeetingRequest.objects.create(
        event=event,
        offer=offer,
        need=need,
        startup=startup,
        corporate=need.organization,
        origin="proposal",
        status="proposed",
        score=0.82,
    )
    # A salon of the same organizer in matching: closing its requests asks for a confirmation.
    matching = EventFactory(organizer=event.organizer, status="matching", slug="csp-matching")
    # A running spreadsheet import (its page refreshes itself) and a finished one.
    jobs = [
        ImportJob.objects.create(
            organizer=event.organizer, file_name="a.xlsx", status="running", rows_done=0, rows_total=0
        ),
        ImportJob.objects.create(
            organizer=event.organizer,
            file_name="b.xlsx",
            status="done",
            result={"ok": True, "dry_run": True, "notes": [], "errors": [], "rows": [], "counts": {}},
        ),
    ]
    visitor = watched(open_page())
    founder = watched(open_page())
    bd = watched(open_page(locale="en-US"))
    organizer = watched(open_page(locale="en-US"))
    log_in(founder, "ceo@medivision.kr", PASSWORD)
    log_in(bd, "bd@globalmed.com", PASSWORD)
    log_in(organizer, "salon@organizer.kr", PASSWORD)
    walk = [
        (visitor, "/"),
        (visitor, "/accounts/login/"),
        (visitor, "/accounts/signup/"),
        (visitor, f"/salons/{event.slug}/"),
        (visitor, "/api/docs/"),
        (founder, "/workspace/"),
        (founder, f"/workspace/offers/{offer.public_id}/edit/"),
        (founder, "/workspace/offers/new/"),
        (founder, f"/workspace/offers/{offer.public_id}/matches/"),
        (founder, f"/salons/{event.slug}/apply/"),
        (founder, "/agenda/"),
        (bd, "/workspace/"),
        (bd, f"/workspace/needs/{need.public_id}/matches/"),
        (bd, f"/workspace/needs/{need.public_id}/edit/"),
        (organizer, "/organize/"),
        (organizer, f"/organize/salons/{event.slug}/"),
        (organizer, f"/organize/salons/{event.slug}/edit/"),
        (organizer, f"/organize/salons/{event.slug}/schedule/"),
        (organizer, f"/organize/salons/{matching.slug}/transition/confirm/?action=close_requests"),
        (organizer, "/organize/import/"),
        *[(organizer, f"/organize/import/{job.pk}/") for job in jobs],
        (organizer, "/organize/audit/"),
    ]
    violations = {}
    for page, path in walk:
        response = page.goto(page.base + path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        if path.endswith("/edit/") and "offers" in path:
            # The description's concept suggestions: workspace.js fetches and inserts them.
            page.locator("textarea[name=description]").fill("저선량 흉부 CT 폐결절 검출 AI")
            page.wait_for_timeout(800)
        if path == "/api/docs/":
            page.locator(".swagger-ui .info").wait_for()
        found = page.evaluate("window.__cspViolations") + [
            text for text in page.console_errors if "Content Security Policy" in text
        ]
        page.console_errors.clear()
        if found:
            violations[path] = found
    assert violations == {}
    for page in (visitor, founder, bd, organizer):
        assert page.policies and all(
            policy and "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
            for policy in page.policies.values()
        ), page.policies
    # The watch is live: an inline style added on purpose is refused and reported.
    founder.goto(founder.base + "/workspace/")
    founder.evaluate("document.body.insertAdjacentHTML('beforeend', '<p id=probe style=\"color: red\">x</p>')")
    founder.wait_for_timeout(200)
    assert founder.evaluate("getComputedStyle(document.getElementById('probe')).color") != "rgb(255, 0, 0)"
    assert [v.split()[0] for v in founder.evaluate("window.__cspViolations")] == ["style-src-attr"]
