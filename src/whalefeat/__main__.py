"""Allow ``python -m whalefeat``."""

from whalefeat.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
