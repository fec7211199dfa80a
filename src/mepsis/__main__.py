import sys

from mepsis.cli import main

sys.exit(main())
