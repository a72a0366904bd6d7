"""Report stage: a run's view (`view`: its events in the sections a reader sees, rendered),
written and published (`reports`: HTML and text reports, the index, version pages), mailed
(`notify`) and exported (`export`: WARC, JSON, the Atom feed)."""

from __future__ import annotations

from monitor.context import plain_segments
from monitor.models import shown
from monitor.report.files import write_atomic
from monitor.report.reports import (
    OUTPUT_REMIND_EVERY,
    added_pages,
    alert_outputs,
    archive_loader,
    attempt,
    documents,
    failing_now,
    gather,
    meetings_now,
    pending,
    publish,
    recover,
    report_file,
    served_version,
    write_index,
    write_run_report,
)
from monitor.report.versions import VersionPages, site_names
from monitor.report.view import (
    MAX_CHANGES_SHOWN,
    Loaded,
    Loader,
    PageView,
    ReportView,
    build_view,
    consolidate,
    environment,
    left_out_view,
    render,
    safe_url,
    summarize,
    typed,
    with_changes,
)

__all__ = [
    "MAX_CHANGES_SHOWN",
    "OUTPUT_REMIND_EVERY",
    "Loaded",
    "Loader",
    "PageView",
    "ReportView",
    "VersionPages",
    "added_pages",
    "alert_outputs",
    "archive_loader",
    "attempt",
    "build_view",
    "consolidate",
    "documents",
    "environment",
    "failing_now",
    "gather",
    "left_out_view",
    "meetings_now",
    "pending",
    "plain_segments",
    "publish",
    "recover",
    "render",
    "report_file",
    "safe_url",
    "served_version",
    "shown",
    "site_names",
    "summarize",
    "typed",
    "with_changes",
    "write_atomic",
    "write_index",
    "write_run_report",
]
