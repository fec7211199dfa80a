"""Serving MEPSIS: gunicorn workers running the WSGI application, static files served by WhiteNoise."""

from __future__ import annotations

import os


# Each worker process serves its connections from a few threads (gunicorn's gthread workers): a connection
# waiting for its next request (a tablet's user reading a page, kept alive) holds no worker, and a request
# waiting on the database lets another run. A plain sync worker would wait on an idle connection until it
# speaks, so a few dozen users reading pages would stall every worker without a buffering proxy in front.
THREADS = 4


def default_workers() -> int:
    """Gunicorn's rule of thumb: two workers a core, and one more."""
    return 2 * (os.cpu_count() or 1) + 1


def serve(host: str, port: int, workers: int) -> None:
    """Serve until stopped (Ctrl-C or SIGTERM)."""
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    class Gunicorn(BaseApplication):
        def load_config(self):
            for name, value in {"bind": f"{host}:{port}", "workers": workers, "worker_class": "gthread",
                                "threads": THREADS, "errorlog": "-", "accesslog": None,
                                "proc_name": "mepsis"}.items():
                self.cfg.set(name, value)

        def load(self):
            from mepsis.wsgi import application

            return application

    # Forked workers must not share the parent's database connection: each opens its own.
    connections.close_all()
    Gunicorn().run()
