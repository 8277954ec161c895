from django.apps import AppConfig


class PayoutsConfig(AppConfig):
    name = "sellerdesk.payouts"
    label = "payouts"
