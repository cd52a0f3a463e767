"""Texts of Django and DRF that their own zh-hans catalogs do not translate, given to the portal's
catalog here so the API answers in Chinese.

- Django 5.2 changed the password-length message to "%d" while its zh-hans catalog still has the
  earlier "%(min_length)d" text, so the new one would show in English. Named here (lazily, never
  rendered from here) so `makemessages` puts it in the portal's catalog, where Django finds it.
- DRF writes "No data provided" (a serializer given `null`) without gettext at all; the API's error
  handler (`govcenter.drf`) replaces it with `NO_DATA`.
"""

from django.utils.translation import gettext_lazy, ngettext_lazy

PASSWORD_TOO_SHORT = ngettext_lazy(
    "This password is too short. It must contain at least %d character.",
    "This password is too short. It must contain at least %d characters.",
    "min_length",
)
NO_DATA = gettext_lazy("No data was sent: send the fields as a JSON object.")
