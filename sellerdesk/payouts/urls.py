"""Page routes of the account centre (included at the site root by sellerdesk/urls.py).

The domain's notifications link to /account-centre/wallets/<channel>/ and
/account-centre/account-changes/<id>/: keep those two shapes.
"""

from django.urls import path

from . import views

app_name = "payouts"

urlpatterns = [
    path("account-centre/", views.account_centre, name="account_centre"),
    path("account-centre/talent-wallet/", views.talent_wallet, name="talent_wallet"),
    path("account-centre/wallets/<str:channel>/", views.wallet, name="wallet"),
    path("account-centre/wallets/<str:channel>/change/", views.change, name="change"),
    path("account-centre/account-changes/<int:change_id>/", views.change_detail, name="change_detail"),
    path("account-centre/account-changes/<int:change_id>/cancel/", views.change_cancel, name="change_cancel"),
    path("account-centre/shop/", views.choose_shop, name="choose_shop"),
    path("account-centre/staff/", views.staff, name="staff"),
    path("account-centre/sandbox/bank-statement/", views.bank_statement, name="bank_statement"),
]
