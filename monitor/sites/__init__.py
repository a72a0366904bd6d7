"""Site profiles, in an explicit registry; chosen by host or forced with `profile:`."""

from __future__ import annotations

from urllib.parse import urlsplit

from monitor.sites import defense, generic, japannews, miragenews, mod, mofa, mofa_ja, state
from monitor.sites.base import Profile

PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        mofa.PROFILE,
        mofa_ja.PROFILE,
        mod.PROFILE,
        state.PROFILE,
        defense.PROFILE,
        japannews.PROFILE,
        miragenews.PROFILE,
        generic.PROFILE,
    )
}


# each site as reports, digests and `monitor serve` name it; the governments' own records first,
# Japan's then the United States', republishers last (the order serve shows them side by side)
SITE_LABELS = {
    "mofa": "MOFA (en)",
    "mofa-ja": "MOFA (ja)",
    "mod": "MOD",
    "state": "State",
    "defense": "DoD",
    "japannews": "The Japan News",
    "miragenews": "Mirage News",
}


def site_label(url: str, forced: str | None = None) -> str | None:
    """The site `url` is on as a reader knows it ("MOFA (ja)", "DoD"), by its profile (`forced`,
    else its host); None for another site."""
    return SITE_LABELS.get(profile_for(url, forced).name)


def profile_for(url: str, forced: str | None = None) -> Profile:
    """The profile named by `forced`, else the one whose host serves `url`, else generic."""
    if forced:
        return PROFILES[forced]
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host in mofa.PROFILE.hosts and parts.path.startswith("/mofaj/"):
        return mofa_ja.PROFILE
    for profile in PROFILES.values():
        if host in profile.hosts:
            return profile
    return generic.PROFILE


__all__ = ["PROFILES", "SITE_LABELS", "Profile", "profile_for", "site_label"]
