"""Signals of the core: login auditing, and `calendar_changed` for apps that keep deadlines."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import Signal, receiver

from govcenter import audit

# Sent after commit when working days change: `dates` is the sorted list of affected days. Apps
# that store deadlines recompute the open ones that reach past the earliest of them.
calendar_changed = Signal()


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    audit.record(actor=user, action="auth.login", obj=user)


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        audit.record(actor=user, action="auth.logout", obj=user)


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs):
    audit.record(actor=None, action="auth.login_failed", data={"username": str(credentials.get("username", ""))[:150]})
