"""natstui: a terminal UI for NATS operators."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("natstui")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
