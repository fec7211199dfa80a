from django.core.management import call_command

from mepsis.cli import MepsisCommand
from mepsis.web.server import default_workers, serve


class Command(MepsisCommand):
    help = ("Serve the pages and the API with gunicorn, static files by WhiteNoise (--dev: Django's development "
            "server). Serving on another address than localhost needs MEPSIS_ALLOWED_HOSTS.")

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="the port (default 8000)")
        parser.add_argument("--workers", type=int, default=default_workers(),
                            help="gunicorn worker processes (default: two a core, and one)")
        parser.add_argument("--dev", action="store_true",
                            help="Django's development server instead (reloads on code changes; not for real use)")

    def run(self, host, port, workers, dev, **options) -> int:
        if workers < 1:
            self.say("mepsis serve: --workers must be 1 or more.")
            return 2
        self.say(f"MEPSIS at http://{host}:{port}/ (Ctrl-C stops it).")
        if dev:
            call_command("runserver", f"{host}:{port}")
        else:
            serve(host, port, workers)
        return 0
