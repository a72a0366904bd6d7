"""Diff stage: align blocks, then diff changed blocks word by word (character by character for
Japanese). Pure functions; guarded against difflib's quadratic worst cases."""

from __future__ import annotations

import heapq
import re
from collections import Counter
from collections.abc import Iterable
from difflib import SequenceMatcher

from monitor.models import Block, Change, DocDiff, Document, Segment
from monitor.text import CJK_CHAR

# What is counted: a word holds its inner apostrophes, dots, hyphens ("U.S", "don't", "3.5").
TOKEN = re.compile(
    r"[0-9A-Za-z\u00c0-\u024f]+(?:['.,:/-][0-9A-Za-z\u00c0-\u024f]+)*"
    rf"|{CJK_CHAR}"
    r"|\s+|.",
    re.DOTALL,
)
# What is compared: runs of letters and digits, single CJK characters, runs of whitespace and
# single other characters, so that a space taken out after a full stop ("economy.Since") is that
# space and no word.
PIECE = re.compile(
    r"[0-9A-Za-z\u00c0-\u024f]+"
    rf"|{CJK_CHAR}"
    r"|\s+|.",
    re.DOTALL,
)
SENTENCE = re.compile(r"(?<=[.!?。！？])\s*")
WORD = re.compile(r"\w", re.UNICODE)
MAX_CELLS = 3_000_000  # n*m above which a diff is split into sentences first
PAIR_LIMIT = 60  # block pairing in a replaced region is greedy up to this size
MIN_SIMILARITY = 0.35


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text)


def pieces(text: str) -> list[str]:
    return PIECE.findall(text)


CJK = re.compile(CJK_CHAR)


def count_unit(texts: Iterable[str]) -> str:
    """What the counts of a change of `texts` are in: "words", "characters" (Japanese, counted
    one by one) or "words and characters" when both were counted."""
    counted = [t for text in texts for t in tokens(text) if WORD.search(t)]
    cjk = sum(1 for t in counted if CJK.fullmatch(t))
    if cjk and cjk < len(counted):
        return "words and characters"
    return "characters" if cjk else "words"


def change_unit(changes: Iterable[Change], fallback: str = "") -> str:
    """`count_unit` of the text a page's changes touched (of `fallback`, the page's title, when
    there are none)."""
    texts = [seg.text for c in changes for seg in c.segments if seg.op in ("+", "-")]
    return count_unit(texts or [fallback])


def _count(items: list[str]) -> int:
    return sum(1 for t in items if WORD.search(t))


def _merge(segments: list[Segment]) -> list[Segment]:
    out: list[Segment] = []
    for seg in segments:
        if not seg.text:
            continue
        if out and out[-1].op == seg.op:
            out[-1] = Segment(seg.op, out[-1].text + seg.text)
        else:
            out.append(seg)
    return out


def _diff_seq(a: list[str], b: list[str], depth: int = 0) -> list[Segment]:
    """Segments turning a into b. Splits long inputs by sentence before diffing words."""
    start = 0
    while start < len(a) and start < len(b) and a[start] == b[start]:
        start += 1
    end = 0
    while end < len(a) - start and end < len(b) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    head = [Segment(" ", "".join(a[:start]))]
    tail = [Segment(" ", "".join(a[len(a) - end :]))] if end else []
    a_mid, b_mid = a[start : len(a) - end], b[start : len(b) - end]
    if not a_mid or not b_mid:
        mid = [Segment("-", "".join(a_mid)), Segment("+", "".join(b_mid))]
    elif len(a_mid) * len(b_mid) > MAX_CELLS and depth == 0:
        mid = _diff_sentences("".join(a_mid), "".join(b_mid))
    elif len(a_mid) * len(b_mid) > MAX_CELLS:
        mid = [Segment("-", "".join(a_mid)), Segment("+", "".join(b_mid))]
    else:
        mid = []
        matcher = SequenceMatcher(None, a_mid, b_mid, autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                mid.append(Segment(" ", "".join(a_mid[i1:i2])))
            else:
                mid.append(Segment("-", "".join(a_mid[i1:i2])))
                mid.append(Segment("+", "".join(b_mid[j1:j2])))
    return _merge(head + mid + tail)


def _diff_sentences(a: str, b: str) -> list[Segment]:
    sa = [s for s in SENTENCE.split(a) if s]
    sb = [s for s in SENTENCE.split(b) if s]
    out: list[Segment] = []
    matcher = SequenceMatcher(None, sa, sb, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(Segment(" ", " ".join(sa[i1:i2]) + " "))
        else:
            out.extend(_diff_seq(pieces(" ".join(sa[i1:i2])), pieces(" ".join(sb[j1:j2])), 1))
            out.append(Segment(" ", " "))
    return out


def _skeleton(text: str) -> str:
    """The letters and digits of `text`, case folded: an edit that leaves them alone (spacing,
    punctuation, capitals) is trivial."""
    return "".join(ch for ch in text if ch.isalnum()).casefold()


def diff_text(old: str, new: str) -> tuple[tuple[Segment, ...], int, int, bool]:
    """Word-level (character-level for Japanese) segments, words added, removed, trivial."""
    segments = _diff_seq(pieces(old), pieces(new))
    removed = _words_touched(segments, "-")
    added = _words_touched(segments, "+")
    trivial = _skeleton(old) == _skeleton(new)
    return tuple(segments), added, removed, trivial


def _words_touched(segments: list[Segment], op: str) -> int:
    """How many words of one side (`-` the old text, `+` the new) have a character in a segment
    of type `op`: "3.5" -> "3.6" is one word each way, "economy. Since" -> "economy.Since" none."""
    text: list[str] = []
    spans: list[tuple[int, int]] = []
    at = 0
    for seg in segments:
        if seg.op not in (" ", op):
            continue
        if seg.op == op:
            spans.append((at, at + len(seg.text)))
        text.append(seg.text)
        at += len(seg.text)
    count = 0
    i = 0
    for match in TOKEN.finditer("".join(text)):
        start, end = match.span()
        while i < len(spans) and spans[i][1] <= start:
            i += 1
        if i < len(spans) and spans[i][0] < end and WORD.search(match.group()):
            count += 1
    return count


# a block's text as `similarity` compares it, made once a block rather than once a pair: the
# text, its pieces and their counts
Side = tuple[str, list[str], Counter[str]]


def side(text: str, items: list[str] | None = None) -> Side:
    items = pieces(text) if items is None else items
    return text, items, Counter(items)


def common_subsequence(a: list[str], b: list[str]) -> int:
    """The length of a longest common subsequence of `a` and `b`, a bit a position of b (the
    bit-parallel algorithm of Allison and Dix, as Hyyrö writes it)."""
    masks: dict[str, int] = {}
    for at, item in enumerate(b):
        masks[item] = masks.get(item, 0) | 1 << at
    full = (1 << len(b)) - 1
    v = full
    for item in a:
        m = masks.get(item)
        if m:
            u = v & m
            v = ((v + u) | (v - u)) & full
    return len(b) - v.bit_count()


def _sized(a: Side, b: Side) -> tuple[Side, Side]:
    """The sides compared: their first 1,000 pieces when a full comparison would be too big."""
    if len(a[1]) * len(b[1]) > MAX_CELLS:
        return side(a[0], a[1][:1000]), side(b[0], b[1][:1000])
    return a, b


def bound(a: Side, b: Side) -> float:
    """An upper bound of `ratio(a, b)`, far cheaper: difflib's matching blocks are a common
    subsequence, so they hold no more pieces than the longest one, nor than the pieces both
    sides hold (`quick_ratio`), nor than the shorter side (`real_quick_ratio`)."""
    if a[0] == b[0]:
        return 1.0
    a, b = _sized(a, b)
    length = len(a[1]) + len(b[1])
    if 2.0 * min(len(a[1]), len(b[1])) / length < MIN_SIMILARITY:
        return 0.0
    if 2.0 * (a[2] & b[2]).total() / length < MIN_SIMILARITY:
        return 0.0
    return 2.0 * common_subsequence(a[1], b[1]) / length


def ratio(a: Side, b: Side) -> float:
    """difflib's ratio of the two blocks' pieces (of their first 1,000 when they are long)."""
    if a[0] == b[0]:
        return 1.0
    a, b = _sized(a, b)
    return SequenceMatcher(None, a[1], b[1], autojunk=False).ratio()


def similarity(a: str, b: str) -> float:
    """difflib's ratio of the two texts' pieces; 0.0 when it is bound to be below
    MIN_SIMILARITY."""
    sa, sb = side(a), side(b)
    return ratio(sa, sb) if bound(sa, sb) >= MIN_SIMILARITY else 0.0


def changed(old: Block, new: Block) -> Change:
    segments, added, removed, trivial = diff_text(old.text, new.text)
    return Change("changed", old, new, segments, added, removed, trivial and old.kind == new.kind)


def added(block: Block) -> Change:
    n = _count(tokens(block.text))
    return Change("added", None, block, (Segment("+", block.text),), n, 0, False)


def removed(block: Block) -> Change:
    n = _count(tokens(block.text))
    return Change("removed", block, None, (Segment("-", block.text),), 0, n, False)


def _pair(olds: list[Block], news: list[Block]) -> list[Change]:
    """Pair the blocks of a replaced region by similarity; the rest are added or removed."""
    if len(olds) == len(news) and (len(olds) > PAIR_LIMIT or len(olds) == 1):
        out_pairs: list[Change] = []
        for o, n in zip(olds, news, strict=True):
            if similarity(o.text, n.text) >= MIN_SIMILARITY:
                out_pairs.append(changed(o, n))
            else:
                out_pairs.extend((removed(o), added(n)))
        return out_pairs
    if len(olds) > PAIR_LIMIT or len(news) > PAIR_LIMIT:
        return [removed(o) for o in olds] + [added(n) for n in news]
    pairs = _greedy([side(o.text) for o in olds], [side(n.text) for n in news])
    used = set(pairs.values())
    out: list[tuple[float, Change]] = []
    for i, o in enumerate(olds):
        if i in pairs:
            out.append((pairs[i], changed(o, news[pairs[i]])))
        else:
            out.append((i - 0.5, removed(o)))
    for j, n in enumerate(news):
        if j not in used:
            out.append((j, added(n)))
    return [c for _, c in sorted(out, key=lambda pair: pair[0])]


def _greedy(olds: list[Side], news: list[Side]) -> dict[int, int]:
    """old index -> new index: the most similar pair first (ties: the later old block, then the
    later new one), then the next that neither shares a block with a pair taken nor crosses
    one, down to MIN_SIMILARITY.

    Lazily, with the same result as scoring every pair: each pair is queued under its `bound`,
    which its score never exceeds; a bound popped is queued again as the pair's `ratio`, and a
    score popped is the next pair of the full ordering, since every pair still queued scores at
    most what it is queued under. A pair that can no longer be taken is dropped unscored: a
    region of n edited paragraphs costs about n ratios instead of n²."""
    heap = [
        (-score, -i, -j, False)
        for i, o in enumerate(olds)
        for j, n in enumerate(news)
        if (score := bound(o, n)) >= MIN_SIMILARITY
    ]
    heapq.heapify(heap)
    pairs: dict[int, int] = {}
    used: set[int] = set()
    while heap:
        _, ni, nj, exact = heapq.heappop(heap)
        i, j = -ni, -nj
        if i in pairs or j in used or not _keeps_order(pairs, i, j):
            continue
        if exact:
            pairs[i] = j
            used.add(j)
        elif (score := ratio(olds[i], news[j])) >= MIN_SIMILARITY:
            heapq.heappush(heap, (-score, ni, nj, True))
    return pairs


def _keeps_order(pairs: dict[int, int], i: int, j: int) -> bool:
    return all((pi < i) == (pj < j) for pi, pj in pairs.items())


def _key(block: Block) -> tuple[str, str]:
    return (block.kind, block.text)


def _moves(changes: list[Change]) -> list[Change]:
    """A block removed in one place and added unchanged in another has moved."""
    added_at: dict[tuple[str, str], list[int]] = {}
    for i, c in enumerate(changes):
        if c.op == "added" and c.new is not None:
            added_at.setdefault(_key(c.new), []).append(i)
    out = list(changes)
    drop: set[int] = set()
    for i, c in enumerate(changes):
        if c.op == "removed" and c.old is not None and added_at.get(_key(c.old)):
            j = added_at[_key(c.old)].pop(0)
            out[i] = Change("moved", c.old, changes[j].new, (Segment(" ", c.old.text),), 0, 0, True)
            drop.add(j)
    return [c for i, c in enumerate(out) if i not in drop]


def diff_blocks(old: tuple[Block, ...], new: tuple[Block, ...]) -> list[Change]:
    matcher = SequenceMatcher(None, [_key(b) for b in old], [_key(b) for b in new], autojunk=False)
    changes: list[Change] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        if op == "delete":
            changes.extend(removed(b) for b in old[i1:i2])
        elif op == "insert":
            changes.extend(added(b) for b in new[j1:j2])
        else:
            changes.extend(_pair(list(old[i1:i2]), list(new[j1:j2])))
    return _moves(changes)


def diff_documents(old: Document, new: Document) -> DocDiff:
    """Every change between two versions of a page, with totals."""
    changes = diff_blocks(old.blocks, new.blocks)
    title_changed = old.title != new.title
    if title_changed:
        changes.insert(
            0,
            changed(
                Block("heading", old.title, section="title"),
                Block("heading", new.title, section="title"),
            ),
        )
    speakers: list[str] = []
    for c in changes:
        if c.speaker and not c.trivial and c.speaker not in speakers:
            speakers.append(c.speaker)
    return DocDiff(
        changes=tuple(changes),
        added=sum(c.added for c in changes),
        removed=sum(c.removed for c in changes),
        trivial=bool(changes) and all(c.trivial for c in changes),
        speakers=tuple(speakers),
        title_changed=title_changed,
    )
