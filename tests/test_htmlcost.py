"""Deep nesting (issue 12): a page the HTML parser would take minutes on is refused before it
is parsed, alone; the page beside it is reported as usual."""

from __future__ import annotations

import glob
from pathlib import Path

from monitor.archive import Archive, verify
from monitor.demo import pages as P
from monitor.normalise.htmlcost import MAX_WORK, parse_work
from monitor.testing.localsite import LocalSite
from tests.conftest import types
from tests.support import make_config, mofa, readout, site_source

DEEP = 100_000
NESTED = (
    "<html><head><title>Japan-U.S. Foreign Ministers' Meeting</title></head><body><main "
    "id='contents'><div id='maincontents'><p>The ministers met.</p>"
    + "<div>" * DEEP
    + "<p>x</p>"
    + "</div>" * DEEP
    + "</div></main></body></html>"
)


def test_a_deeply_nested_page_fails_alone(site: LocalSite, tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    site["/deep.html"] = mofa(date="March 2")
    site["/ok.html"] = readout("First.")
    listing = P.mofa_listing("Relations", [("March 2", [("/deep2.html", "Deep")])])
    site["/index.html"] = listing
    site["/deep2.html"] = mofa(title="Japan-U.S. Summit", date="March 2")
    run = runner(
        make_config(
            tmp_path,
            [
                site_source(site, "/deep.html", "deep"),
                site_source(site, "/index.html", "list", kind="listing"),
                site_source(site, "/ok.html", "ok", profile="state"),
            ],
        )
    )
    assert sorted(types(run())) == ["baseline"] * 3
    site["/deep.html"] = NESTED  # 0.7 MB: minutes of parsing before
    site["/deep2.html"] = NESTED  # a page a listing leads to
    site["/index.html"] = listing.replace("</ul>", "<li>" + "<ul><li>" * DEEP + "</ul>")
    site["/ok.html"] = readout("Second.")
    report = run()
    assert [(e.type, e.data["source"]) for e in report.events] == [("page_changed", "ok")]
    errors = dict(report.failures)
    assert set(errors) == {"deep", "list"}, report.failures
    for source in ("deep", "list"):
        assert "nested too deep" in errors[source] and "\n" not in errors[source]
    assert errors["deep"].startswith(site.url("/deep.html") + ": page refused")
    with Archive(tmp_path / "snapshots") as archive:
        assert verify(archive) == []
        deep2 = archive.page(site.url("/deep2.html"), "list")
        assert (
            deep2 is not None
            and deep2.failures == 1
            and "nested too deep"
            in str(
                archive.db.execute(
                    "SELECT last_error FROM pages WHERE id=?", (deep2.id,)
                ).fetchone()[0]
            )
        )


def test_the_work_estimate_refuses_only_what_is_costly() -> None:
    ordinary = [Path(p).read_text(encoding="utf-8", errors="replace") for p in _pages()]
    assert ordinary and all(parse_work(html, 10**12) < MAX_WORK // 1000 for html in ordinary)
    wide = "<div><p>text</p><p>more<span>x</span></p></div>" * 40_000  # flat: linear to parse
    assert parse_work(wide) < MAX_WORK // 100
    assert parse_work("<div>" * 5_000 + "</div>" * 5_000 + "<p>" * 20_000) < MAX_WORK
    assert parse_work("<div>" * 20_000) > MAX_WORK
    assert parse_work("<select>" + "<option>x</option>" * 20_000) > MAX_WORK  # quadratic too
    assert parse_work("<ul><li>" * 10_000) > MAX_WORK
    # tags in comments and scripts are text, not elements
    assert parse_work("<!--" + "<div>" * 20_000 + "-->" + "<p>x</p>" * 10_000) < 100
    assert parse_work("<script>" + "'<div>'+" * 20_000 + "</script>" + "<br>" * 10_000) < 100


def _pages() -> list[str]:
    here = Path(__file__).parent
    return sorted(glob.glob(str(here / "fixtures" / "**" / "*.html"), recursive=True))
