"""Meetings stage: which Japan-U.S. meeting a document reports (extract: what its title and lead
claim, who took part and the other fields), who the officials are (roster, titles, people), when
and where (when, places), and when two reports are one meeting (merge). Pure: no I/O, no clock."""

from __future__ import annotations

from monitor.meetings.extract import extract_meeting, meeting_id
from monitor.meetings.fields import derive_kind
from monitor.meetings.merge import same_meeting, title_score

# Bump when the rules change what a document's meeting is: archives found with other rules have
# their meetings found again from the pages they hold (meetstore.rebuild_meetings).
EXTRACTOR_VERSION = "2"

__all__ = [
    "EXTRACTOR_VERSION",
    "derive_kind",
    "extract_meeting",
    "meeting_id",
    "same_meeting",
    "title_score",
]
