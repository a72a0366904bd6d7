"""Meetings stage: which Japan-U.S. meeting a document reports (extract: what its title and lead
claim, who took part and the other fields), who the officials are (roster, titles, people), when
and where (when, places), and when two reports are one meeting (merge). Pure: no I/O, no clock.

Importing the package loads no rules: reading the archive's meetings (`monitor meetings`, the
archive's `list_meetings`) needs none, and their patterns and tables take a tenth of a second
to load. `extract_meeting` loads them on its first call."""

from __future__ import annotations

from typing import TYPE_CHECKING

from monitor.meetings.merge import same_meeting, title_score

if TYPE_CHECKING:
    from monitor.meetings.roster import Roster
    from monitor.models import Document, Meeting

# Bump when the rules change what a document's meeting is: archives found with other rules have
# their meetings found again from the pages they hold (meetstore.rebuild_meetings).
EXTRACTOR_VERSION = "2"


def extract_meeting(
    doc: Document, site: str | None = None, roster: Roster | None = None
) -> Meeting | None:
    """The meeting `doc` reports, or None (`extract.extract_meeting`)."""
    from monitor.meetings.extract import extract_meeting as extract

    return extract(doc, site, roster)


__all__ = [
    "EXTRACTOR_VERSION",
    "extract_meeting",
    "same_meeting",
    "title_score",
]
