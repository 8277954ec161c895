"""Login, logout and the role-aware landing page."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.vary import vary_on_headers

from .devices import is_phone
from .models import Role

# Where each role starts its day; a merchant on a phone starts in the seller app (商家后台).
PHONE_HOME_BY_ROLE = {Role.MERCHANT: "aftersales:m_orders"}
HOME_BY_ROLE = {
    Role.MERCHANT: "aftersales:workbench",
    Role.BUYER: "aftersales:buyer_orders",
    Role.CS: "aftersales:cs_queue",
    Role.ADMIN: "aftersales:cs_queue",
}


class LoginView(auth_views.LoginView):
    template_name = "identity/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    next_page = "/login/"


@vary_on_headers("Sec-CH-UA-Mobile", "User-Agent")
@login_required
def landing(request):
    """Send merchants to the workbench (on a phone to the seller app), buyers to their orders, CS to
    the queue; others get a page. Logging in without a `next` lands here."""
    role = request.user.role
    target = (is_phone(request) and PHONE_HOME_BY_ROLE.get(role)) or HOME_BY_ROLE.get(role)
    if target:
        return redirect(target)
    return render(request, "identity/landing.html", {})
