from axes.backends import AxesStandaloneBackend


class LoginThrottle(AxesStandaloneBackend):
    """django-axes' failed-login throttling, for every sign-in that comes with a request (the pages, the
    admin, the API's session login). A request-less ``authenticate()`` is code calling it in-process (the
    test client's ``login``, a shell), which has no client address to throttle by and no one to lock out."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
