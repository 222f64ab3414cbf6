"""Build the explainer: `python build.py --help` lists the commands."""

import sys

from sitegen.cli import limit_memory, main

if __name__ == "__main__":
    limit_memory()
    sys.exit(main())
