"""The dashboards take a constant number of SQL queries, whatever the amount of data behind them."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import Meeting
from tests.events.test_agenda import make_salon
from tests.factories import (
    EventFactory,
    MembershipFactory,
    OrganizationFactory,
    PartneringNeedFactory,
    StartupFactory,
    TechnologyOfferFactory,
    UserFactory,
)


def queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


def test_the_organizer_dashboard_and_the_workspace_do_not_grow_with_the_data(db, client):
    organizer = OrganizationFactory(kind="organizer")
    startup = StartupFactory()
    corporate = OrganizationFactory()
    staff, founder = UserFactory(), UserFactory()
    MembershipFactory(user=staff, organization=organizer)
    MembershipFactory(user=founder, organization=startup)
    offer = TechnologyOfferFactory(organization=startup)
    PartneringNeedFactory(organization=corporate)
    make_salon(dt.date(2026, 6, 1), "first", [(startup, corporate, offer, 0.7)], organizer=organizer)
    counts = []
    for round_ in range(2):
        client.force_login(staff)
        organizer_queries = queries(client, "/organize/")
        client.force_login(founder)
        counts.append((organizer_queries, queries(client, "/workspace/")))
        # Three times more salons, meetings, offers and requests for the second round.
        for index in range(3):
            more = TechnologyOfferFactory(organization=startup)
            partner = OrganizationFactory()
            make_salon(
                dt.date(2026, 7, 1 + index),
                f"more-{round_}-{index}",
                [(startup, partner, more, 0.5)],
                organizer=organizer,
            )
        EventFactory(organizer=organizer, slug=f"draft-{round_}", status="draft")
    assert Meeting.objects.count() == 7
    assert counts[0] == counts[1]
