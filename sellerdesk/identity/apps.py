from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "sellerdesk.identity"
    label = "identity"
