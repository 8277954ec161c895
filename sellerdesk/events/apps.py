from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "sellerdesk.events"
    label = "events"
