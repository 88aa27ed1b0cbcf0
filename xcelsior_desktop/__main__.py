"""`python -m xcelsior_desktop` does exactly what the `xcelsior-desktop` command does."""

import sys

from xcelsior_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
