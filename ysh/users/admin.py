from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from ysh.users import services
from ysh.users.models import (
    Invitation,
    LoginHistory,
    Membership,
    Organization,
    OrganizationStatus,
    Plan,
    User,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user", "organization"]
    fields = ["user", "organization", "role", "created_at"]
    readonly_fields = ["created_at"]


class UserMembershipInline(MembershipInline):
    fk_name = "user"
    verbose_name_plural = _("organizations")


class OrganizationMembershipInline(MembershipInline):
    fk_name = "organization"
    verbose_name_plural = _("members")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "organization")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "last_login", "date_joined"]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "full_name", "cpf", "whatsapp"]
    readonly_fields = ["last_login", "date_joined"]
    inlines = [UserMembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal data"), {"fields": ("full_name", "cpf", "whatsapp")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),
    )
    filter_horizontal = ("groups", "user_permissions")


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "monthly_price",
        "billing_cycle",
        "max_users",
        "max_projects_per_month",
        "max_products_listed",
        "is_default",
        "is_active",
        "organization_count",
    ]
    list_filter = ["is_active", "billing_cycle"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_organizations=Count("organizations"))

    @admin.display(description=_("organizations"), ordering="_organizations")
    def organization_count(self, obj):
        return obj._organizations


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "legal_name", "cnpj", "kind", "status", "plan", "state", "created_at"]
    list_filter = ["kind", "status", "plan", "state"]
    list_select_related = ["plan"]
    search_fields = ["legal_name", "trade_name", "cnpj", "email", "city"]
    autocomplete_fields = ["plan"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [OrganizationMembershipInline]
    actions = ["suspend", "reactivate"]
    date_hierarchy = "created_at"
    fieldsets = (
        (None, {"fields": ("kind", "legal_name", "trade_name", "cnpj", "email", "phone")}),
        (
            _("Address"),
            {"fields": ("street", "number", "complement", "district", "city", "state", "cep")},
        ),
        (_("Subscription"), {"fields": ("plan", "enabled_modules", "status", "status_reason")}),
        (_("Dates"), {"fields": ("created_at", "updated_at")}),
    )

    @admin.action(description=_("Suspend selected organizations"))
    def suspend(self, request, queryset):
        for organization in queryset:
            services.organization_set_status(
                organization=organization,
                status=OrganizationStatus.SUSPENDED,
                reason=f"Suspended in the admin by {request.user.email}",
            )
        self.message_user(request, _("Organizations suspended."), messages.SUCCESS)

    @admin.action(description=_("Reactivate selected organizations"))
    def reactivate(self, request, queryset):
        for organization in queryset:
            services.organization_set_status(organization=organization, status=OrganizationStatus.ACTIVE)
        self.message_user(request, _("Organizations reactivated."), messages.SUCCESS)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role", "organization__kind"]
    list_select_related = ["user", "organization"]
    search_fields = ["user__email", "user__full_name", "organization__legal_name", "organization__cnpj"]
    autocomplete_fields = ["user", "organization"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organization", "role", "status", "invited_by", "created_at", "expires_at"]
    list_filter = ["status", "role"]
    list_select_related = ["organization", "invited_by"]
    search_fields = ["email", "organization__legal_name", "organization__cnpj"]
    autocomplete_fields = ["organization", "invited_by", "accepted_by"]
    readonly_fields = ["token", "created_at", "accepted_at", "accepted_by"]


@admin.register(LoginHistory)
class LoginHistoryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "email", "success", "reason", "source", "user", "short_ip_hash"]
    list_filter = ["success", "source", "reason", ("created_at", admin.DateFieldListFilter)]
    list_select_related = ["user"]
    search_fields = ["email", "ip_hash", "user__full_name"]
    date_hierarchy = "created_at"
    # A big, append-only table: no full COUNT(*) on the changelist.
    show_full_result_count = False
    readonly_fields = [f.name for f in LoginHistory._meta.fields]

    @admin.display(description=_("IP hash"))
    def short_ip_hash(self, obj):
        return obj.ip_hash[:12] if obj.ip_hash else ""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
