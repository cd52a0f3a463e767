"""Every (route name, HTTP verb) the urlconf answers, found by walking it.

DRF viewset routes answer the verbs of the router's method mapping that the viewset allows;
class-based views the handlers they define; function views the verbs of their
`require_http_methods` family of decorators, else GET and POST (a plain view answers both).
Format-suffix twins of API routes share their name and count once.
"""

from django.urls import URLPattern, URLResolver, get_resolver

VERBS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def walk(patterns=None, prefix: str = "", namespace: str = ""):
    """(route, pattern, namespace) of every leaf of the urlconf, with the prefixes of its includes."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern, namespace


def _viewset_verbs(callback) -> set[str]:
    allowed = {name.upper() for name in callback.cls.http_method_names}
    return {method.upper() for method in callback.actions} & allowed & set(VERBS)


def _class_verbs(view_class) -> set[str]:
    allowed = view_class.http_method_names
    return {verb for verb in VERBS if verb.lower() in allowed and hasattr(view_class, verb.lower())}


def _decorated_verbs(function) -> set[str] | None:
    """The verbs a `require_http_methods` (or require_GET / require_POST) wrapper lets through,
    looked up in the closures of the chain of wrappers; None when no wrapper restricts them."""
    while function is not None:
        for cell in function.__closure__ or ():
            try:
                value = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            if isinstance(value, list | tuple) and value and all(isinstance(v, str) and v.isupper() for v in value):
                return set(value) & set(VERBS)
        function = getattr(function, "__wrapped__", None)
    return None


def route_verbs(pattern: URLPattern) -> set[str]:
    callback = pattern.callback
    if getattr(callback, "actions", None) is not None:
        return _viewset_verbs(callback)
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is not None:
        return _class_verbs(view_class)
    decorated = _decorated_verbs(callback)
    return decorated if decorated is not None else {"GET", "POST"}


def url_routes() -> dict[str, dict]:
    """Route name → {"route": the pattern as text, "verbs": the verbs it answers}."""
    routes: dict[str, dict] = {}
    for route, pattern, namespace in walk():
        name = namespace + (pattern.name or route)
        entry = routes.setdefault(name, {"route": route, "verbs": set()})
        entry["verbs"] |= route_verbs(pattern)
    return routes


def route_cells() -> set[tuple[str, str]]:
    """Every (route name, verb) of the urlconf."""
    return {(name, verb) for name, entry in url_routes().items() for verb in entry["verbs"]}
