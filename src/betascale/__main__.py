"""``python -m betascale`` runs the console script."""

import sys

from betascale.cli import main

sys.exit(main())
