"""The salon lifecycle: one capability table, read by the services, pages and queries."""

import pytest

from events.models import LIFECYCLE, STEPS, Event, EventStatus
from tests.factories import EventFactory

COLUMNS = (
    "public",
    "takes_applications",
    "accepts_requests",
    "proposable",
    "arrangeable",
    "registrations_editable",
    "schedulable",
    "agenda_visible",
    "reportable",
)


def test_the_table_says_what_each_state_allows():
    allowed = {status: [c for c in COLUMNS if getattr(LIFECYCLE[status], c)] for status in EventStatus.values}
    assert allowed == {
        "draft": ["registrations_editable"],
        "open": [
            "public",
            "takes_applications",
            "accepts_requests",
            "proposable",
            "arrangeable",
            "registrations_editable",
        ],
        "matching": [
            "public",
            "accepts_requests",
            "proposable",
            "arrangeable",
            "registrations_editable",
            "schedulable",
        ],
        "scheduling": ["public", "arrangeable", "registrations_editable", "schedulable"],
        "published": ["public", "schedulable", "agenda_visible", "reportable"],
        "closed": ["public", "agenda_visible", "reportable"],
    }
    assert EventStatus.accepting_requests() == ("open", "matching")
    assert EventStatus.having("agenda_visible") == ("published", "closed")


def test_the_steps_walk_the_states_in_order():
    assert [(source, target) for source, target in STEPS.values()] == list(
        zip(EventStatus.values, EventStatus.values[1:], strict=False)
    )
    assert [Event(status=status).next_steps for status in EventStatus.values] == [
        ["open"],
        ["start_matching"],
        ["close_requests"],
        ["publish"],
        ["close"],
        [],
    ]


@pytest.mark.django_db
def test_an_event_reads_its_capabilities_from_the_table():
    event = EventFactory(status="matching")
    assert (event.accepts_requests, event.proposable, event.schedulable, event.reportable, event.is_public) == (
        True,
        True,
        True,
        False,
        True,
    )
    event.status = "published"
    assert (event.accepts_requests, event.arrangeable, event.agenda_visible, event.reportable) == (
        False,
        False,
        True,
        True,
    )
