"""The project's URLconf plus views that fail on purpose (tests/project/test_request_id.py)."""

from django.http import HttpResponse
from django.urls import path
from rest_framework.exceptions import APIException
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from annotator.urls import handler500
from annotator.urls import urlpatterns as project_urlpatterns

__all__ = ["handler500", "urlpatterns"]


class Crash(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        raise RuntimeError("an unexpected bug in an API view")


class Unavailable(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        raise APIException("The upstream store did not answer.")


def page_crash(request) -> HttpResponse:
    raise RuntimeError("an unexpected bug in a page")


urlpatterns = [
    path("api/test-crash/", Crash.as_view()),
    path("api/test-unavailable/", Unavailable.as_view()),
    path("test-page-crash/", page_crash),
    *project_urlpatterns,
]
