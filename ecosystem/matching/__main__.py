"""Command line of the matching engine: ``python -m ecosystem.matching rank|evaluate``.

Kept light: numpy and scipy are imported only once a command runs (see cli.py).
"""

import sys

from ecosystem.matching.engine.cli import main

if __name__ == "__main__":
    sys.exit(main())
