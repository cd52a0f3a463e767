from govcenter import audit


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
