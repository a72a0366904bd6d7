"""A change as a reader is shown it (reports, digests, `monitor diff`): in its sentence, not its
whole paragraph, an added or removed paragraph with a sentence of the text around it, and as
one line of text. Pure, and light to import (`monitor diff` loads nothing of the report
stage)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from monitor.models import Block, Change, Document, Segment

# the end of a sentence: . ! ? followed by a space (not after an initial or a common title:
# "U.S. Secretary", "Mr. Hayashi"), or Japanese 。！？ followed by anything
_TITLES = ("Mr", "Ms", "Mrs", "Dr", "St", "No", "Lt", "Gen", "Adm", "Col", "Sen", "Rep", "Amb")
_END = re.compile(
    "(?<![A-Z])"
    + "".join(rf"(?<!\b{title})" for title in _TITLES)
    + r"[.!?][\"'”’)]*\s+|[。！？][」』）]*"
)
ELLIPSIS = "…"
LONGEST = 300  # characters of kept text in one sentence before it is cut too


@dataclass(frozen=True)
class Shown(Change):
    """A change as a reader is shown it: its segments cut to the sentences that changed, and
    for an added or removed block, the end of the block before it and the start of the one
    after (`before`, `after`; None when that one is shown as changed too, or there is none)."""

    before: str | None = None
    after: str | None = None


def _join(left: str, right: str) -> str:
    """Two pieces with a space between, unless Japanese is on either side of the join."""
    wide = any(ord(c) >= 0x3000 for c in left[-1:] + right[:1])
    spaced = wide or left.endswith(" ") or right.startswith(" ")
    return left + right if spaced else f"{left} {right}"


def _ends(text: str) -> list[int]:
    """Where each sentence of `text` but the last ends (the index after its end mark)."""
    return [m.end() for m in _END.finditer(text) if m.end() < len(text)]


def _tail(text: str) -> str:
    """The end of `text` up to its last sentence's start: the context before a change."""
    ends = _ends(text)
    kept = text[ends[-1] :] if ends else text
    if len(kept) > LONGEST:
        cut = kept[-LONGEST:]
        space = cut.find(" ")
        kept = cut[space + 1 :] if 0 <= space < LONGEST // 3 else cut
    return kept if len(kept) == len(text) else _join(ELLIPSIS, kept)


def _head(text: str) -> str:
    """The start of `text` to the end of its first sentence: the context after a change."""
    ends = _ends(text)
    kept = text[: ends[0]].rstrip() if ends else text
    if len(kept) > LONGEST:
        cut = kept[:LONGEST]
        space = cut.rfind(" ")
        kept = cut[:space] if space > 2 * LONGEST // 3 else cut
    return kept if len(kept) == len(text) else _join(kept, ELLIPSIS)


def _middle(text: str) -> str:
    """Kept text between two edits: the end of the first's sentence and the start of the
    second's, whole sentences between them left out."""
    ends = _ends(text)
    if len(ends) < 2:
        return text
    head, tail = text[: ends[0]], text[ends[-1] :]
    return _join(_join(head, ELLIPSIS), tail)


def in_sentences(segments: Sequence[Segment]) -> tuple[Segment, ...]:
    """A changed block's segments with the unchanged text cut to the sentences the edits are
    in: a word changed in a long answer shows as its sentence, not the whole answer."""
    out = []
    last = len(segments) - 1
    for i, seg in enumerate(segments):
        if seg.op != " ":
            out.append(seg)
        elif i == 0 and last > 0:
            out.append(Segment(" ", _tail(seg.text)))
        elif i == last and last > 0:
            out.append(Segment(" ", _head(seg.text)))
        else:
            out.append(Segment(" ", _middle(seg.text)))
    return tuple(out)


def _where(blocks: Sequence[Block], block: Block | None, start: int) -> int | None:
    if block is None:
        return None
    for i in range(start, len(blocks)):
        if blocks[i] == block:
            return i
    return next((i for i, b in enumerate(blocks[:start]) if b == block), None)


def in_context(
    changes: Sequence[Change], old: Document | None, new: Document | None
) -> list[Shown]:
    """`changes` as a report shows them, in context (`Shown`); with the two documents they
    were found between (None: no block around an added or removed one is shown)."""
    docs = {"added": new, "removed": old}  # where an added or removed block stands
    taken: dict[str, set[int]] = {"added": set(), "removed": set()}
    cursor = {"added": 0, "removed": 0}
    places: list[tuple[Document, int] | None] = []
    for change in changes:
        doc = docs.get(change.op)
        at = _where(doc.blocks, change.new or change.old, cursor[change.op]) if doc else None
        if doc is None or at is None:
            places.append(None)
            continue
        cursor[change.op] = at + 1
        taken[change.op].add(at)
        places.append((doc, at))
    out = []
    for change, place in zip(changes, places, strict=True):
        if place is None:
            out.append(Shown(**{**vars(change), "segments": in_sentences(change.segments)}))
            continue
        (doc, at), mine = place, taken[change.op]
        before = _tail(doc.blocks[at - 1].text) if at > 0 and at - 1 not in mine else None
        follows = at + 1 < len(doc.blocks) and at + 1 not in mine
        after = _head(doc.blocks[at + 1].text) if follows else None
        out.append(Shown(**vars(change), before=before, after=after))
    return out


def plain_segments(change: Change) -> str:
    """A change as one line of text: added words {+…+}, removed [-…-] (the text report's and
    `monitor diff`'s form)."""
    if change.op == "moved":
        return f"(moved) {change.new.text if change.new else ''}"
    out = []
    for seg in change.segments:
        out.append({"+": f"{{+{seg.text}+}}", "-": f"[-{seg.text}-]"}.get(seg.op, seg.text))
    return "".join(out)
