from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from sellerdesk.events import views as event_views
from sellerdesk.identity import views as identity_views
from sellerdesk.identity import views_security

from .api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # Browsers ask for /favicon.ico whatever the page says; send them to the one icon we have.
    path("favicon.ico", lambda request: HttpResponsePermanentRedirect(static("sellerdesk/favicon.svg"))),
    # Pages
    path("login/", identity_views.LoginView.as_view(), name="login"),
    path("logout/", identity_views.LogoutView.as_view(), name="logout"),
    path("", identity_views.landing, name="landing"),
    path("notifications/", event_views.notifications, name="notifications"),
    # 账户中心 → 安全设置 → 身份验证器 (TOTP for step-up)
    path("account-centre/security/", views_security.security, name="security"),
    path("account/api-tokens/", views_security.api_tokens, name="api_tokens"),
    path("account-centre/security/authenticator/", views_security.security_totp, name="security_totp"),
    # 账户设置 → 消息推送 (merchants' webhook endpoints)
    path("workbench/webhooks/", event_views.webhooks_page, name="webhooks"),
    path("workbench/webhooks/<int:endpoint_id>/", event_views.webhook_detail, name="webhook_detail"),
    path("workbench/webhooks/<int:endpoint_id>/rotate-secret/", event_views.webhook_rotate, name="webhook_rotate"),
    path("workbench/webhooks/<int:endpoint_id>/disable/", event_views.webhook_disable, name="webhook_disable"),
    path(
        "workbench/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/resend/",
        event_views.webhook_resend,
        name="webhook_resend",
    ),
    path("", include("sellerdesk.aftersales.urls")),
    path("", include("sellerdesk.payouts.urls")),
]
