"""A URL whose view fails with a mobile number in its error, for test_error_log.py."""

from django.urls import path


def failing(request):
    raise RuntimeError("lookup of 13912345678 failed")


urlpatterns = [path("failing/", failing)]
