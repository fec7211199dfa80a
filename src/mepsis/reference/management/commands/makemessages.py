from django.core.management.commands import makemessages


class Command(makemessages.Command):
    # mepsis.rules marks its messages with N_ (it cannot import Django's gettext_noop).
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=N_"]
