"""monitor: a change-tracking monitor for the record of Japan-U.S. diplomatic meetings."""

from __future__ import annotations

__version__ = "0.1.0"
USER_AGENT = f"monitor/{__version__} (+change monitor for Japan-U.S. meeting records)"
