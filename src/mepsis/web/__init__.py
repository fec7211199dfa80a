"""The web pages: server-rendered, htmx where it helps, usable on a tablet, in English and Spanish.

Each area of the pages is a module ``mepsis.web.views.<area>`` with its own ``urlpatterns``;
``mepsis.web.urls`` puts them together. Pages read records only through ``request.scope``.
"""
