import hashlib
import time

from django.conf import settings
from django.core.cache import cache

from govcenter import audit, db_router


class RequestContextMiddleware:
    """Remembers the client's address for the audit log while the request is handled, so services
    record it without every call passing the request along."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = audit.bind_request(request)
        try:
            return self.get_response(request)
        finally:
            audit.unbind_request(token)


class ReadReplicaMiddleware:
    """Sends the reads of a read-only request (GET, HEAD, OPTIONS) to a read replica, when
    DATABASE_REPLICA_URLS configures one; see `govcenter.db_router`.

    Read your own writes: after any other request the client is pinned to the primary for
    REPLICA_PIN_SECONDS, longer than a replica lags in normal running, so the redirect after a POST
    and the next pages show what was just saved. Browsers carry the pin as a cookie; API clients,
    which often keep no cookies, are pinned by their Authorization header in the shared cache.
    """

    SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
    COOKIE = "gc_primary_until"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not db_router.replica_aliases():
            return self.get_response(request)
        safe = request.method in self.SAFE_METHODS
        token = db_router.bind(db_router.choose_replica() if safe and not self._pinned(request) else None)
        try:
            response = self.get_response(request)
        finally:
            db_router.unbind(token)
        if not safe:
            self._pin(request, response)
        return response

    @staticmethod
    def _credential_key(request) -> str | None:
        credential = request.META.get("HTTP_AUTHORIZATION")
        if not credential:
            return None
        return "db:primary-pin:" + hashlib.sha256(credential.encode()).hexdigest()

    def _pinned(self, request) -> bool:
        try:
            if float(request.COOKIES.get(self.COOKIE, 0)) > time.time():
                return True
        except ValueError:
            pass
        key = self._credential_key(request)
        return bool(key and cache.get(key))

    def _pin(self, request, response) -> None:
        seconds = settings.REPLICA_PIN_SECONDS
        if seconds <= 0:
            return
        # The deadline is in the value too, so a cookie kept past its max-age is not honoured.
        response.set_cookie(
            self.COOKIE,
            str(int(time.time()) + seconds),
            max_age=seconds,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
        key = self._credential_key(request)
        if key:
            cache.set(key, 1, timeout=seconds)
