from . import context


class AuditContextMiddleware:
    """Make the request's IP address and user available to ``audit_record`` while the request is served.

    Placed after AuthenticationMiddleware, which sets ``request.user``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = context.activate(request)
        try:
            return self.get_response(request)
        finally:
            context.deactivate(token)
