"""Propose the meetings of a salon: load its participants' profiles, score them, choose the
meetings with ``matching.proposals.solve`` (min-cost flow) and store them as proposed requests.

Meetings are between organizations: a startup and a BD team meet once, about the pair of their
offer and need that scores best. Quotas: a BD team's remaining quota at this salon (its accepted
meetings and sent requests already count), a startup's ``PROPOSALS_PER_STARTUP`` capped the same
way. Pairs declined at this salon, or that met (accepted) at an earlier salon, are not proposed;
pairs that already have a live request here are left as they are. Re-running replaces the
previous proposals that nobody has taken up yet."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Q

from accounts import audit
from accounts.models import AuditAction, OrganizationKind, User
from events.meeting_requests import commitments_by_organization, quota_of
from events.models import Event, MeetingRequest, RegistrationStatus, RequestOrigin, RequestStatus
from matching import proposals, scoring
from matching.match_service import load_declines, load_profiles
from matching.models import PartneringNeed


@dataclass
class ProposalReport:
    startups: int
    corporates: int
    startups_with_match: int
    startups_covered: int
    candidate_pairs: int
    proposals: int
    total_score: float
    mean_score: float

    def summary(self) -> str:
        return (
            f"proposals: {self.proposals}, startups covered: {self.startups_covered}/{self.startups_with_match} "
            f"(of {self.startups} registered), BD teams: {self.corporates}, candidate pairs: {self.candidate_pairs}, "
            f"total score: {self.total_score:.3f}, mean score: {self.mean_score:.3f}"
        )


def _excluded_pairs(event: Event) -> set[tuple[int, int]]:
    """(startup, corporate) pairs not to propose: live or declined here, met at an earlier salon."""
    rows = MeetingRequest.objects.filter(
        Q(event=event, status__in=(RequestStatus.PENDING, RequestStatus.ACCEPTED, RequestStatus.DECLINED))
        | Q(status=RequestStatus.ACCEPTED, event__date__lt=event.date)
    ).values_list("startup_id", "corporate_id")
    return set(rows)


def organization_pairs(
    matrix: scoring.ScoreMatrix, offer_org: np.ndarray, need_org: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Best eligible (offer, need) per (startup, corporate): arrays of startup id, corporate id,
    score, offer row and need column, one entry per organization pair (vectorised)."""
    rows, columns = np.nonzero(matrix.eligible)
    scores = matrix.score[rows, columns]
    order = np.lexsort((-scores, need_org[columns], offer_org[rows]))
    rows, columns, scores = rows[order], columns[order], scores[order]
    keys = np.stack([offer_org[rows], need_org[columns]], axis=1)
    first = np.ones(len(keys), dtype=bool)
    first[1:] = np.any(keys[1:] != keys[:-1], axis=1)
    return keys[first, 0], keys[first, 1], scores[first], rows[first], columns[first]


def meeting_proposals_create(*, event: Event, top_l: int = 30, actor: User | None = None) -> ProposalReport:
    registrations = list(
        event.registrations.filter(status=RegistrationStatus.APPROVED).values_list(
            "organization_id", "organization__kind", "max_meetings"
        )
    )
    startups = {pk: cap for pk, kind, cap in registrations if kind == OrganizationKind.STARTUP}
    corporates = {pk: cap for pk, kind, cap in registrations if kind == OrganizationKind.CORPORATE}

    profiles = load_profiles()
    scored = scoring.score_pairs(
        profiles.offers,
        profiles.needs,
        recipe=profiles.recipe,
        declines=load_declines(),
        offer_rows=np.flatnonzero(np.isin(profiles.offers.organization, list(startups))),
        need_columns=np.flatnonzero(np.isin(profiles.needs.organization, list(corporates))),
    )
    offers, needs, matrix = scored.offers, scored.needs, scored.matrix
    startup_ids, corporate_ids, scores, pair_rows, pair_columns = organization_pairs(
        matrix, offers.organization, needs.organization
    )
    excluded = _excluded_pairs(event)
    keep = np.array(
        [(int(s), int(c)) not in excluded for s, c in zip(startup_ids, corporate_ids, strict=True)], dtype=bool
    )
    keep &= scores > 0
    startup_ids, corporate_ids, scores = startup_ids[keep], corporate_ids[keep], scores[keep]
    pair_rows, pair_columns = pair_rows[keep], pair_columns[keep]

    used = commitments_by_organization(event)
    startup_list, corporate_list = sorted(startups), sorted(corporates)
    startup_index = {pk: i for i, pk in enumerate(startup_list)}
    corporate_index = {pk: i for i, pk in enumerate(corporate_list)}

    def remaining(pk: int, cap: int) -> int:
        return max(0, quota_of(event, max_meetings=cap) - used.get(pk, 0))

    problem = proposals.ProposalProblem(
        startup=np.array([startup_index[int(s)] for s in startup_ids], dtype=np.int64),
        corporate=np.array([corporate_index[int(c)] for c in corporate_ids], dtype=np.int64),
        score=scores.astype(np.float64),
        startup_cap=np.array(
            [min(settings.PROPOSALS_PER_STARTUP, remaining(pk, startups[pk])) for pk in startup_list], dtype=np.int64
        ),
        corporate_cap=np.array([remaining(pk, corporates[pk]) for pk in corporate_list], dtype=np.int64),
    )
    result = proposals.solve(problem, top_l=top_l)
    chosen = result.chosen
    confidential = set(
        PartneringNeed.objects.filter(
            pk__in=[int(needs.ids[pair_columns[i]]) for i in chosen], is_confidential=True
        ).values_list("pk", flat=True)
    )
    created = [
        MeetingRequest(
            event=event,
            offer_id=int(offers.ids[pair_rows[i]]),
            need_id=int(needs.ids[pair_columns[i]]),
            startup_id=int(startup_ids[i]),
            corporate_id=int(corporate_ids[i]),
            origin=RequestOrigin.PROPOSAL,
            status=RequestStatus.PROPOSED,
            score=round(float(scores[i]), 6),
            # A proposal about a confidential need is taken up as an anonymous request would be.
            anonymous=int(needs.ids[pair_columns[i]]) in confidential,
        )
        for i in chosen
    ]
    with_match = {int(s) for s, cap in zip(problem.startup, problem.startup_cap[problem.startup], strict=True) if cap}
    covered = Counter(int(problem.startup[i]) for i in chosen)
    total = float(scores[chosen].sum()) if len(chosen) else 0.0
    with transaction.atomic():
        MeetingRequest.objects.filter(event=event, status=RequestStatus.PROPOSED).delete()
        MeetingRequest.objects.bulk_create(created)
        audit.record(
            AuditAction.PROPOSALS_RUN,
            actor=actor,
            organization=event.organizer_id,
            target=event,
            proposals=len(created),
            startups_covered=len(covered),
        )
    return ProposalReport(
        startups=len(startups),
        corporates=len(corporates),
        startups_with_match=len(with_match),
        startups_covered=len(covered),
        candidate_pairs=len(scores),
        proposals=len(created),
        total_score=total,
        mean_score=total / len(created) if created else 0.0,
    )
