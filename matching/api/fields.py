"""The API's reference to an offer or a need: its public id (``matching.public_ids``), never the
integer key, in both directions."""

from django.core.exceptions import ObjectDoesNotExist
from django.utils.encoding import smart_str
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from matching import public_ids

SHOWN_VALUE_CHARS = 60  # of a wrong value repeated in the error


class PublicIdRelatedField(serializers.SlugRelatedField):
    """An offer or a need named by its public id (a UUID string): reads give the public id, writes
    take one and answer a localised error naming the kind of profile for an id that is malformed
    (an integer key included) or that names nothing in ``queryset``."""

    default_error_messages = {
        "does_not_exist": _("There is no {kind} with the id “{value}”."),
        "invalid": _("“{value}” is not a valid id: a {kind} is named by its public id, a UUID."),
    }

    def __init__(self, **kwargs):
        super().__init__(slug_field="public_id", **kwargs)

    def _kind(self) -> str:
        return str(self.get_queryset().model._meta.verbose_name)

    def to_internal_value(self, data):
        shown = Truncator(smart_str(data)).chars(SHOWN_VALUE_CHARS)
        public_id = public_ids.parse(data)
        if public_id is None:
            self.fail("invalid", kind=self._kind(), value=shown)
        try:
            return self.get_queryset().get(public_id=public_id)
        except ObjectDoesNotExist:
            self.fail("does_not_exist", kind=self._kind(), value=shown)

    def to_representation(self, obj):
        return str(obj.public_id)
