from django.utils.functional import SimpleLazyObject

from .scope import scope_for


class ScopeMiddleware:
    """Sets ``request.scope``, the signed-in user's scope (``mepsis.access.scope``), made on first use.

    After AuthenticationMiddleware. DRF views authenticate by token themselves: they use
    ``scope_for(request.user)``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.scope = SimpleLazyObject(lambda: scope_for(request.user))
        return self.get_response(request)
