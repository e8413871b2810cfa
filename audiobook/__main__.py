"""`python -m audiobook` runs the command line."""

from audiobook.cli import main

if __name__ == "__main__":  # pragma: no cover
    main()
