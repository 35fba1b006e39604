"""``python -m tuireader`` and the ``tuireader`` command."""

from __future__ import annotations

import sys

from tuireader.cli.main import run


def main() -> None:
    """Entry point of the console script."""
    sys.exit(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
