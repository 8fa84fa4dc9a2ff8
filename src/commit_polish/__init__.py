"""commit-polish: the squash-commit message a pull request deserves."""

__version__ = "0.1.0"
