"""Reports worth opening: a change in its sentence, an added paragraph with the sentence before
and after it (issue 14)."""

from __future__ import annotations

from pathlib import Path

from monitor.context import in_context, in_sentences
from monitor.diff import diff_documents
from monitor.models import Block, Document, Segment
from monitor.testing.localsite import LocalSite
from tests.conftest import monitor
from tests.support import PARAS, make_config, mofa, site_source, write_config

LONG = (
    "The Secretary welcomed the Minister to Washington. They reviewed the security situation "
    "in the region at length. The two sides confirmed that the Alliance remains the "
    "cornerstone of peace. They agreed to hold the next round of talks in Tokyo in the spring. "
    "The meeting lasted about an hour."
)


def doc(*paras: str, url: str = "https://example.org/p") -> Document:
    return Document(url, "A record", tuple(Block("paragraph", p) for p in paras))


def test_a_word_changed_in_a_long_paragraph_shows_its_sentence_only() -> None:
    edited = LONG.replace("in the spring", "in the autumn")
    (change,) = diff_documents(doc(LONG), doc(edited)).changes
    (shown,) = in_context([change], doc(LONG), doc(edited))
    text = "".join(s.text for s in shown.segments)
    assert "They agreed to hold the next round of talks in Tokyo in the" in text
    assert "welcomed the Minister" not in text and "lasted about an hour" not in text
    assert text.startswith("… They agreed") and text.rstrip().endswith("…")
    assert [s.op for s in shown.segments if s.op != " "] == ["-", "+"]  # the edit kept whole


def test_two_edits_far_apart_keep_both_sentences_and_skip_the_ones_between() -> None:
    edited = LONG.replace("Washington", "Honolulu").replace("an hour", "two hours")
    segments = in_sentences(diff_documents(doc(LONG), doc(edited)).changes[0].segments)
    text = "".join(s.text for s in segments)
    assert "The Secretary welcomed the Minister to" in text and "The meeting lasted about" in text
    assert "reviewed the security situation" not in text and "… " in text


def test_initials_and_titles_do_not_end_a_sentence() -> None:
    para = "Mr. Hayashi met the U.S. Ambassador. They spoke briefly about trade."
    segments = in_sentences(
        (Segment(" ", para + " "), Segment("+", "New words."), Segment(" ", " End."))
    )
    assert segments[0].text == "… They spoke briefly about trade. "


def test_japanese_is_cut_at_its_full_stops_without_spaces() -> None:
    old = "両大臣は会談した。日米同盟の強化で一致した。次回は東京で会うことを確認した。"
    new = old.replace("東京", "大阪")
    (change,) = diff_documents(doc(old), doc(new)).changes
    text = "".join(s.text for s in in_sentences(change.segments))
    assert text.startswith("…次回は") and "両大臣は会談した" not in text


def test_an_added_paragraph_comes_with_the_sentences_around_it() -> None:
    first, last = "The ministers met in Tokyo. They spoke for an hour.", "Both sides agreed."
    added = "A new paragraph on export controls was added to the record."
    old, new = doc(first, last), doc(first, added, last)
    (shown,) = in_context(diff_documents(old, new).changes, old, new)
    assert shown.op == "added" and "".join(s.text for s in shown.segments) == added
    assert shown.before == "… They spoke for an hour." and shown.after == last


def test_two_added_paragraphs_in_a_row_do_not_quote_each_other() -> None:
    a, b = "The first added paragraph.", "The second added paragraph."
    old, new = doc("Before.", "After."), doc("Before.", a, b, "After.")
    shown = in_context(diff_documents(old, new).changes, old, new)
    assert [(s.before, s.after) for s in shown] == [("Before.", None), (None, "After.")]


def test_a_removed_paragraph_is_placed_in_the_old_text() -> None:
    gone = "This paragraph was withdrawn."
    old, new = doc("Opening.", gone, "Closing."), doc("Opening.", "Closing.")
    (shown,) = in_context(diff_documents(old, new).changes, old, new)
    assert (shown.op, shown.before, shown.after) == ("removed", "Opening.", "Closing.")


def test_the_report_and_its_text_twin_show_the_context(
    site: LocalSite, tmp_path: Path, runner
) -> None:  # type: ignore[no-untyped-def]
    site["/fm.html"] = mofa([PARAS[0], LONG])
    run = runner(make_config(tmp_path, [site_source(site)]))
    run()
    added = "The ministers also discussed supply chains."
    site["/fm.html"] = mofa([PARAS[0], LONG.replace("spring", "autumn"), added])
    report = run()
    html = Path(str(report.report)).read_text(encoding="utf-8")
    text = Path(str(report.report)).with_suffix(".txt").read_text(encoding="utf-8")
    assert "… They agreed to hold the next round of talks in Tokyo in the " in html
    assert "welcomed the Minister to Washington" not in html  # the rest of the paragraph
    assert "[added] {+" + added + "+}" in text
    assert "      … The meeting lasted about an hour.\n  [added]" in text  # the sentence before


def test_monitor_diff_shows_changes_as_the_report_does(site: LocalSite, tmp_path: Path) -> None:
    """`monitor diff` and `diff --html`: each change in its sentence, an added paragraph with
    the sentence before it, times in the configured zone, the source by its site."""
    site["/fm.html"] = mofa([PARAS[0], LONG])
    write_config(tmp_path, [site_source(site)], timezone="Asia/Tokyo")
    assert monitor(tmp_path, "check-now", "--no-email").returncode == 0
    added = "The ministers also discussed supply chains."
    site["/fm.html"] = mofa([PARAS[0], LONG.replace("spring", "autumn"), added])
    assert monitor(tmp_path, "check-now", "--no-email").returncode == 0
    out = monitor(tmp_path, "diff", "mofa-fm")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert " JST) → 2 (" in lines[0] and "Z)" not in lines[0]
    assert "[changed] … They agreed to hold the next round of talks in Tokyo in the " in out.stdout
    assert "welcomed the Minister" not in out.stdout
    assert "      … The meeting lasted about an hour.\n[added] {+" + added + "+}" in out.stdout
    html_path = tmp_path / "d.html"
    assert monitor(tmp_path, "diff", "mofa-fm", "--html", str(html_path)).returncode == 0
    html = html_path.read_text(encoding="utf-8")
    assert "MOFA (en) · mofa-fm" in html and " JST" in html
    assert "welcomed the Minister" not in html
