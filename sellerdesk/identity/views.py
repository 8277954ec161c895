"""Login, logout and the role-aware landing page."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from .models import Role

# Where each role starts its day.
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


@login_required
def landing(request):
    """Send merchants to the workbench, buyers to their orders, CS to the queue; others get a page."""
    target = HOME_BY_ROLE.get(request.user.role)
    if target:
        return redirect(target)
    return render(request, "identity/landing.html", {})
