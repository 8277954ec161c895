"""Remember the language a user reads the pages in, so what reaches them later (notification
e-mails) speaks it too."""

from django.contrib.auth import get_user_model
from django.utils import translation


class RememberLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = translation.get_language() or ""
            if language and user.language != language:  # one UPDATE when it changes, none otherwise
                get_user_model().objects.filter(pk=user.pk).update(language=language)
                user.language = language
        return response
