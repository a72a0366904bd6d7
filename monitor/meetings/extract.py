"""Which Japan-U.S. meeting a document reports, read from its title and lead. Pure.

GUIDE.md (corpus/meetings) is the definition followed here: a meeting that took place, with
principals of Japan and of the United States, in a bilateral to four-country format; its
date (the local day), format, level, mode, kind, participants and location. The rest of the text
never sets a field: a mention of an earlier 2+2, of the Quad or of an upcoming summit is not the
meeting the document is about."""

from __future__ import annotations

import hashlib
from datetime import date

from monitor.meetings import forms, when
from monitor.meetings.claim import read_claim, title_claims
from monitor.meetings.fields import (
    date_of,
    derive_kind,
    duration,
    format_of,
    level_of,
    mode_of,
    place_of,
)
from monitor.meetings.principals import office_holders, principals, representatives
from monitor.meetings.roster import Roster, default_roster
from monitor.models import Document, Meeting

SITE_COUNTRY = {"mofa": "JP", "mofa-ja": "JP", "mod": "JP", "state": "US", "defense": "US"}


def extract_meeting(
    doc: Document, site: str | None = None, roster: Roster | None = None
) -> Meeting | None:
    """The Japan-U.S. meeting `doc` reports, or None if it reports none. `site` is the name of
    the profile the page was read with (it says which forms and time zone apply)."""
    roster = roster or default_roster()
    title = doc.title.strip()
    if not title or forms.REFUSED_TITLE.search(title):
        return None
    opening = forms.lead(doc)
    pub = when.published(doc.published, site)
    claim = read_claim(title, opening, site, roster, pub.day)
    if claim is None:
        return None
    day, basis = date_of(claim, opening, pub, title)
    if day is None:
        return None
    site_country = SITE_COUNTRY.get(site or "")
    found = principals(claim, day, roster, site_country)
    found += office_holders(f"{claim.naming} {title}", found, day, roster)
    naming = f"{claim.naming} {title if title_claims(title) else ''}"
    if forms.SEPARATE.search(claim.naming) and not forms.TRILATERAL.search(naming):
        found = [p for p in found if p.country in ("JP", "US")]
    countries = {p.country for p in found if p.country}
    countries |= representatives(claim.sentence)
    hinted = forms.compound_countries(naming)
    if len(hinted) >= 2 and not forms.SEPARATE.search(claim.naming):
        countries |= hinted
    if not {"JP", "US"} <= countries or len(countries) > 4:
        return None
    if forms.MULTILATERAL.search(claim.naming) and not hinted:
        return None  # "participated in the G7 meeting", "call with G7 counterparts"
    fmt = format_of(naming, claim, countries, found, day)
    if fmt == "quad":
        countries |= {"AU", "IN"} if forms.QUAD.search(naming) else set()
    mode = mode_of(claim)
    level = level_of(found, countries, naming)
    kind = derive_kind(fmt, mode, level, found, day)
    place = None if mode != "in-person" else place_of(claim, opening, title)
    return Meeting(
        id=meeting_id(day, kind),
        date=day.isoformat(),
        kind=kind,
        title=title,
        location=place.city if place else None,
        participants=tuple(p.name for p in found),
        sources=(doc.url,),
        duration=duration(claim.sentence),
        format=fmt,
        level=level,
        mode=mode,
        countries=tuple(sorted(countries, key=_country_order)),
        date_basis=basis,
    )


def _country_order(code: str) -> tuple[int, str]:
    return ({"JP": 0, "US": 1}.get(code, 2), code)


def meeting_id(day: date, kind: str, salt: str = "") -> str:
    slug = {"2+2": "2plus2"}.get(kind, kind)
    suffix = f"-{hashlib.sha1(salt.encode()).hexdigest()[:6]}" if salt else ""
    return f"{day.isoformat()}-{slug}{suffix}"
