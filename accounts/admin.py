from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts import services, tokens
from accounts.mail_delivery import mail_delivery_retry
from accounts.models import ApiToken, AuditEvent, MailDelivery, MailStatus, Membership, Organization, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user", "organization"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "preferred_language", "is_staff", "is_active"]
    list_filter = ["preferred_language", "is_staff", "is_active"]
    search_fields = ["email", "full_name"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Profile"), {"fields": ["full_name", "preferred_language"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


class VerifiedFilter(admin.SimpleListFilter):
    title = _("verification")
    parameter_name = "verified"

    def lookups(self, request, model_admin):
        return [("no", _("Waiting for verification")), ("yes", _("Verified"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(verified_at__isnull=self.value() == "no")
        return queryset


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    """Platform staff review who joins: the website's domain beside the members' e-mail domains, the
    사업자등록번호 (its checksum was checked at sign-up), then verify."""

    list_display = [
        "name_ko",
        "name_en",
        "kind",
        "country",
        "business_registration_number",
        "domains",
        "verified_at",
    ]
    list_filter = [VerifiedFilter, "kind", "country", "cluster"]
    search_fields = ["name_ko", "name_en", "business_registration_number", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}
    readonly_fields = ["domains", "verified_at", "verified_by"]
    inlines = [MembershipInline]
    actions = ["verify"]

    @admin.display(description=_("website domain / members' e-mail domains"))
    def domains(self, organization) -> str:
        site, domains, match = organization.domain_check()
        members = ", ".join(domains) or "—"
        verdict = _("domains match") if match else _("differ — check by hand")
        return f"{site or '—'} / {members} ({verdict})"

    @admin.action(description=_("Verify the selected organizations"))
    def verify(self, request, queryset):
        pending = list(queryset.filter(verified_at__isnull=True))
        for organization in pending:
            services.organization_verify(organization=organization, user=request.user)
        self.message_user(request, _("%(count)d organizations verified.") % {"count": len(pending)}, messages.SUCCESS)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role"]
    list_filter = ["role", "organization__kind"]
    search_fields = ["user__email", "organization__name_ko", "organization__name_en"]
    autocomplete_fields = ["user", "organization"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is written by ``accounts.audit.record`` and never edited."""

    list_display = ["created_at", "actor_email", "organization", "action", "target_label"]
    list_filter = ["action", "created_at"]
    search_fields = ["actor_email", "target_label", "organization__name_ko", "organization__name_en"]
    list_select_related = ["organization"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MailDelivery)
class MailDeliveryAdmin(admin.ModelAdmin):
    """Every e-mail task's outcome, read-only; failed ones can be queued again."""

    list_display = ["updated_at", "kind", "task", "status", "attempts", "salon_id", "last_error"]
    list_filter = ["status", "kind"]
    search_fields = ["recipients", "last_error", "task_id"]
    readonly_fields = [field.name for field in MailDelivery._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Send the selected failed e-mails again"))
    def retry(self, request, queryset):
        queued = 0
        for delivery in queryset.filter(status=MailStatus.FAILED):
            try:
                mail_delivery_retry(delivery=delivery)
            except ValidationError:
                continue  # queued again meanwhile by someone else
            queued += 1
        self.message_user(request, _("%(count)d e-mails queued again.") % {"count": queued}, messages.SUCCESS)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Every user's API tokens (digests only, never a key), which staff revoke, e.g. for a leaver."""

    list_display = ["user", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__email", "name", "prefix"]
    readonly_fields = [field.name for field in ApiToken._meta.fields if field.name != "digest"]
    exclude = ["digest"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        revoked = [tokens.revoke(token.user, token.pk) for token in queryset.filter(revoked_at__isnull=True)]
        self.message_user(request, _("%(count)d tokens revoked.") % {"count": len(revoked)}, messages.SUCCESS)
