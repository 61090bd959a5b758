from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/", views.signup, name="signup"),
    path("organization/new/", views.organization_new, name="organization-new"),
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<int:api_token>/revoke/", views.token_revoke, name="token-revoke"),
    path("tokens/calendar/rotate/", views.calendar_rotate, name="calendar-rotate"),
]
