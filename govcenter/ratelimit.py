"""Rate limits of the public pages (the API uses DRF's throttles on the same settings)."""

from django.core.cache import cache

from govcenter import audit

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "20/hour" → (20, 3600), in the notation of DRF's DEFAULT_THROTTLE_RATES."""
    count, period = rate.split("/")
    return int(count), _PERIODS[period.strip()[0].lower()]


def over_limit(request, scope: str, rate: str) -> bool:
    """Counts this request against the client address's limit for `scope`; True when it is over.

    The counter lives in the shared cache, so it holds across several app servers."""
    limit, seconds = parse_rate(rate)
    key = f"pages:throttle:{scope}:{audit.client_ip(request) or 'unknown'}"
    cache.add(key, 0, timeout=seconds)
    try:
        hits = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=seconds)
        hits = 1
    return hits > limit
