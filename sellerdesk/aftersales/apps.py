from django.apps import AppConfig


class AftersalesConfig(AppConfig):
    name = "sellerdesk.aftersales"
    label = "aftersales"
