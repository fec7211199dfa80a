"""Serving MEPSIS: gunicorn workers running the WSGI application, static files served by WhiteNoise."""

from __future__ import annotations

import os


def default_workers() -> int:
    """Gunicorn's rule of thumb: two workers a core, and one more."""
    return 2 * (os.cpu_count() or 1) + 1


def serve(host: str, port: int, workers: int) -> None:
    """Serve until stopped (Ctrl-C or SIGTERM)."""
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    class Gunicorn(BaseApplication):
        def load_config(self):
            for name, value in {"bind": f"{host}:{port}", "workers": workers, "errorlog": "-",
                                "accesslog": None, "proc_name": "mepsis"}.items():
                self.cfg.set(name, value)

        def load(self):
            from mepsis.wsgi import application

            return application

    # Forked workers must not share the parent's database connection: each opens its own.
    connections.close_all()
    Gunicorn().run()
