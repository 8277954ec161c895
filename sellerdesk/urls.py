from django.contrib import admin
from django.urls import include, path

from sellerdesk.events import views as event_views
from sellerdesk.identity import views as identity_views

from .api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # Pages
    path("login/", identity_views.LoginView.as_view(), name="login"),
    path("logout/", identity_views.LogoutView.as_view(), name="logout"),
    path("", identity_views.landing, name="landing"),
    path("notifications/", event_views.notifications, name="notifications"),
    path("", include("sellerdesk.aftersales.urls")),
    path("", include("sellerdesk.payouts.urls")),
]
