"""Meetings stage: which Japan-U.S. meeting a document reports (extract), who the officials
are (roster, people), when and where (when, places), and when two reports are one meeting
(merge). Pure: no I/O, no clock."""

from __future__ import annotations

from monitor.meetings.extract import derive_kind, extract_meeting, meeting_id
from monitor.meetings.merge import same_meeting, title_score

__all__ = ["derive_kind", "extract_meeting", "meeting_id", "same_meeting", "title_score"]
