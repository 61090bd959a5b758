"""A salon's settings and program (create and edit), and the slots and tables generated from them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Organization, OrganizationKind
from events import salon_service
from events.forms import EventForm, ProgramFormSet, TablesForm
from events.models import Event
from events.organize.access import organized_salon, organizer_ids


def _render_settings(request, event, *, form, formset, tables_form=None, status=200):
    context = {
        "event": event,
        "form": form,
        "formset": formset,
        "tables_form": tables_form,
        "slots": list(event.slots.order_by("index")) if event.pk else [],
        "tables": list(event.tables.order_by("number")) if event.pk else [],
    }
    if event.pk and tables_form is None:
        context["tables_form"] = TablesForm(initial={"count": salon_service.tables_needed(event)})
    return render(request, "events/organize/salon_form.html", context, status=status)


def _save_salon(request, event: Event | None):
    organizers = Organization.objects.filter(pk__in=organizer_ids(request), kind=OrganizationKind.ORGANIZER)
    instance = event or Event()
    if request.method == "POST":
        form = EventForm(request.POST, instance=instance, organizers=organizers.order_by("pk"))
        formset = ProgramFormSet(request.POST, instance=instance, prefix="program")
        if form.is_valid() and formset.is_valid():
            with transaction.atomic():
                saved = form.save()
                formset.instance = saved
                formset.save()
            messages.success(request, _("The salon is saved."))
            return redirect("organize:salon-edit", saved.slug)
        return _render_settings(request, event or Event(), form=form, formset=formset)
    form = EventForm(instance=instance, organizers=organizers.order_by("pk"))
    formset = ProgramFormSet(instance=instance, prefix="program")
    return _render_settings(request, instance, form=form, formset=formset)


@login_required
def salon_create(request):
    return _save_salon(request, None)


@login_required
def salon_edit(request, slug):
    return _save_salon(request, organized_salon(request, slug))


@login_required
@require_POST
def generate_slots(request, slug):
    event = organized_salon(request, slug)
    try:
        slots = salon_service.slots_generate(event=event)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(count)d slots generated from the program.") % {"count": len(slots)})
    return redirect(reverse("organize:salon-edit", args=[event.slug]) + "#slots")


@login_required
@require_POST
def generate_tables(request, slug):
    event = organized_salon(request, slug)
    form = TablesForm(request.POST)
    if form.is_valid():
        try:
            tables = salon_service.tables_generate(
                event=event, count=form.cleaned_data["count"], labels=form.cleaned_data["labels"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(count)d tables generated.") % {"count": len(tables)})
            return redirect(reverse("organize:salon-edit", args=[event.slug]) + "#tables")
    return _render_settings(
        request,
        event,
        form=EventForm(instance=event),
        formset=ProgramFormSet(instance=event, prefix="program"),
        tables_form=form,
    )
