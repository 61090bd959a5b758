"""What matching reads about the meetings organizations asked for, accepted or declined.

Meeting requests are a salon's workflow and live in ``events``, above ``matching`` in the layering
(events → matching → accounts → core), so nothing here may import them. ``matching`` declares the
few facts it needs — declined pairs, which the scores learn from (``matching.match_service``), and
who engaged whom, which decides what ``matching.disclosure`` reveals — and ``events`` supplies
them when Django starts (``events.apps.EventsConfig.ready`` calls :func:`provide` with
``events.engagement``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet


class Source(Protocol):
    def declines(self) -> Iterable[tuple[int, int | None, int, int | None, str]]:
        """``(offer_id, need_id, corporate_id, recipient_id, decline_reason)`` of every declined request."""

    def engaged_corporates(self, startups: Iterable[int]) -> Iterable[int]:
        """BD teams that asked one of ``startups`` for a meeting or hold an accepted one with it."""

    def accepted_pairs(self, organizations: Iterable[int]) -> Iterable[tuple[int, int]]:
        """``(startup_id, corporate_id)`` of the accepted meetings that ``organizations`` take part in."""

    def requestable_counterparts(self, organization_id: int, others: Iterable[int]) -> set[int]:
        """Those of ``others`` that share a salon accepting requests with ``organization_id``."""

    def requested_offers(self, corporates: Iterable[int]) -> QuerySet:
        """``values_list("offer_id")`` of the requests of ``corporates`` in any state: a query, so that
        the caller can combine it with its own in one round trip."""


_source: Source | None = None


def provide(source: Source) -> None:
    global _source
    _source = source


def source() -> Source:
    if _source is None:
        raise ImproperlyConfigured("No engagement source: the 'events' app must be in INSTALLED_APPS.")
    return _source
