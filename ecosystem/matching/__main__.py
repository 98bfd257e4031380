"""Command line of the matching engine: ``python -m ecosystem.matching rank|evaluate``.

The engine is a library of its own (``ecosystem.matching.engine``): this loads neither Flask
nor the platform.
"""

import sys

from ecosystem.matching.engine.cli import main

if __name__ == "__main__":
    sys.exit(main())
