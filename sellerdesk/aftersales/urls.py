"""Page routes of the after-sales desk (included at the site root by sellerdesk/urls.py)."""

from django.urls import path

from . import views

app_name = "aftersales"

urlpatterns = [
    # Merchant, PC: 售后工作台
    path("workbench/", views.workbench, name="workbench"),
    path("workbench/aftersales/", views.aftersale_query, name="query"),
    path("workbench/aftersales/<int:aftersale_id>/", views.merchant_detail, name="merchant_detail"),
    path("workbench/aftersales/<int:aftersale_id>/history/", views.history_page, name="history"),
    # Merchant, seller app (商家后台, phone)
    path("m/orders/", views.m_orders, name="m_orders"),
    path("m/aftersales/<int:aftersale_id>/", views.m_detail, name="m_detail"),
    path("m/aftersales/<int:aftersale_id>/history/", views.history_page, name="m_history"),
    # Buyer
    path("buyer/orders/", views.buyer_orders, name="buyer_orders"),
    path("buyer/orders/<int:order_id>/aftersale/", views.buyer_new, name="buyer_new"),
    path("buyer/aftersales/<int:aftersale_id>/", views.buyer_detail, name="buyer_detail"),
    path("buyer/aftersales/<int:aftersale_id>/history/", views.history_page, name="buyer_history"),
    # Platform CS console
    path("cs/", views.cs_queue, name="cs_queue"),
    path("cs/cases/<int:aftersale_id>/", views.cs_case, name="cs_case"),
    path("cs/cases/<int:aftersale_id>/history/", views.history_page, name="cs_history"),
    path("cs/attachments/<int:attachment_id>/integrity/", views.cs_integrity, name="cs_integrity"),
    path("cs/refunds/<int:refund_id>/retry/", views.cs_retry_refund, name="cs_retry_refund"),
]
