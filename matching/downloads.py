"""The teaser download of the web page and the API: the permission check, the file, the audit trail."""

from __future__ import annotations

from django.http import FileResponse, Http404

from accounts import audit
from accounts.models import AuditAction
from accounts.selectors import affiliation
from matching import public_ids
from matching.disclosure import Disclosure
from matching.documents import teaser_response
from matching.models import TechnologyOffer


def teaser_download(user, public_id) -> FileResponse:
    """The web page's and the API's download of the teaser of the offer with ``public_id``: 404 unless
    ``Disclosure.teaser`` allows it (so no one else learns whether the offer or its teaser exists),
    and for a malformed id; a download by another organization than the offer's own is written to
    the audit log."""
    public_id = public_ids.parse(public_id)
    offer = TechnologyOffer.objects.filter(public_id=public_id).exclude(teaser="").first() if public_id else None
    if offer is None or not Disclosure.for_user(user).teaser(offer):
        raise Http404
    response = teaser_response(offer)
    mine = affiliation(user).organizations
    if offer.organization_id not in mine:
        audit.record(
            AuditAction.DOCUMENT_DOWNLOADED,
            actor=user,
            organization=min(mine),
            target=offer,
            owner=offer.organization_id,
        )
    return response
