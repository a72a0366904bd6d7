from __future__ import annotations

import random
from collections.abc import MutableMapping, MutableSequence, MutableSet

from monitor.diff import diff_documents, diff_text
from monitor.models import Block, Document, Segment

PARAS = ["The two ministers confirmed close cooperation."]


def doc(*texts: str, speaker: str | None = None) -> Document:
    return Document("https://x.org/", "Title", tuple(Block("paragraph", t, speaker) for t in texts))


def test_one_word_edit_is_one_word() -> None:
    d = diff_documents(
        doc("The ministers met in Tokyo.", "Second."), doc("The ministers met in Osaka.", "Second.")
    )
    assert len(d.changes) == 1
    change = d.changes[0]
    assert change.op == "changed" and (d.added, d.removed) == (1, 1) and not d.trivial
    assert Segment("-", "Tokyo") in change.segments and Segment("+", "Osaka") in change.segments


def test_japanese_is_diffed_character_by_character() -> None:
    segments, added, removed, trivial = diff_text(
        "日米外相会談を行った。", "日米外相電話会談を行った。"
    )
    assert [s for s in segments if s.op != " "] == [Segment("+", "電話")]
    assert (added, removed, trivial) == (2, 0, False)


def test_punctuation_only_edit_is_trivial() -> None:
    assert diff_documents(doc("Hello, world"), doc("Hello world.")).trivial
    assert not diff_documents(doc("Hello, world"), doc("Hello, word")).trivial


ECONOMY = (
    "The ministers discussed the global economy. Since the last meeting, both governments have "
    "invested in supply chains for critical minerals. They welcomed new steps."
)
POOLED = (
    "Secretary Blinken meets with French Foreign Minister Colonna in Paris, France.(POOLED PHOTO "
    "BY STATE DEPARTMENT)"
)


def test_a_space_taken_out_or_put_in_changes_no_word() -> None:
    """Real State feed edits (issue 12): reported as +34/-35 and +3/-3 words."""
    cases = [
        (ECONOMY, ECONOMY.replace("economy. Since", "economy.Since")),
        (POOLED, POOLED.replace("France.(POOLED", "France. (POOLED")),
        (ECONOMY, ECONOMY.replace(". ", ".")),  # every full stop loses its space
    ]
    for old, new in cases:
        d = diff_documents(doc(PARAS[0], old), doc(PARAS[0], new))
        assert (d.added, d.removed, d.trivial) == (0, 0, True), (new, d)
        assert {s.text.strip() for c in d.changes for s in c.segments if s.op != " "} == {""}


def test_case_only_edit_is_trivial_and_counts_the_word() -> None:
    d = diff_documents(doc("At the meeting, they agreed."), doc("at the meeting, they agreed."))
    assert (d.added, d.removed, d.trivial) == (1, 1, True)
    assert diff_documents(doc("Blinken And Hayashi"), doc("Blinken and Hayashi")).trivial


def test_an_edit_inside_a_dotted_word_is_one_word_and_not_trivial() -> None:
    for old, new in (("The U.S. side", "The U.K. side"), ("rose 3.5 percent", "rose 4.6 percent")):
        d = diff_documents(doc(old), doc(new))
        assert (d.added, d.removed, d.trivial) == (1, 1, False), (old, d)


def test_added_removed_and_moved_blocks() -> None:
    d = diff_documents(
        doc("A first.", "B second.", "C third."), doc("C third.", "A first.", "D fourth is new.")
    )
    ops = sorted(c.op for c in d.changes)
    assert ops == ["added", "moved", "removed"] or ops == ["added", "moved", "moved", "removed"]
    assert any(c.op == "removed" and c.old and c.old.text == "B second." for c in d.changes)
    assert any(c.op == "added" and c.new and c.new.text == "D fourth is new." for c in d.changes)


def test_a_change_knows_its_speaker() -> None:
    old = Document(
        "u",
        "T",
        (
            Block("paragraph", "MOTEGI: We agree.", "MOTEGI"),
            Block("paragraph", "RUBIO: Thanks.", "RUBIO"),
        ),
    )
    new = Document(
        "u",
        "T",
        (
            Block("paragraph", "MOTEGI: We fully agree.", "MOTEGI"),
            Block("paragraph", "RUBIO: Thanks.", "RUBIO"),
        ),
    )
    assert diff_documents(old, new).speakers == ("MOTEGI",)


def test_title_change_is_a_change() -> None:
    a = Document("u", "Blinken And Hayashi", (Block("paragraph", "x"),))
    b = Document("u", "Blinken and Hayashi", (Block("paragraph", "x"),))
    d = diff_documents(a, b)
    assert d.title_changed and (d.added, d.removed) == (1, 1)


def test_identical_documents_have_no_changes() -> None:
    assert diff_documents(doc("a", "b"), doc("a", "b")).empty


def _transcript(seed: int, size: int) -> list[str]:
    rng = random.Random(seed)
    words = [
        "alliance",
        "security",
        "minister",
        "cooperation",
        "region",
        "shared",
        "today",
        "economic",
        "deterrence",
        "we",
        "the",
        "and",
        "of",
        "to",
        "our",
    ]
    paras = []
    total = 0
    while total < size:
        p = " ".join(rng.choice(words) for _ in range(rng.randint(20, 120))) + "."
        paras.append(p)
        total += len(p)
    return paras


def test_large_transcripts_diff_correctly() -> None:
    """A pair of ~1 MB transcripts with scattered edits: every edit found (speed is in bench/)."""
    paras = _transcript(1, 1_000_000)
    edited = list(paras)
    for i in range(0, len(edited), 500):
        edited[i] = edited[i].replace(" ", " inserted ", 1)
    d = diff_documents(doc(*paras), doc(*edited))
    assert len([c for c in d.changes if c.op == "changed"]) == len(range(0, len(paras), 500))
    assert d.added == len(range(0, len(paras), 500)) and d.removed == 0


def test_one_huge_block_falls_back_to_sentences() -> None:
    text = " ".join(_transcript(2, 300_000))
    changed = text.replace("deterrence", "DETERRENCE", 3)
    segments, added, removed, _ = diff_text(text, changed)
    assert (added, removed) == (3, 3)
    assert (
        "".join(s.text for s in segments if s.op != "-").replace("  ", " ").strip()
        == changed.replace("  ", " ").strip()
    )


def test_diff_golden(golden) -> None:  # type: ignore[no-untyped-def]
    from monitor.report import plain_segments

    old = Document(
        "u",
        "日米外相会談",
        (
            Block("heading", "Opening remarks"),
            Block(
                "paragraph",
                "SECRETARY RUBIO: We will expand cooperation on shipbuilding.",
                "SECRETARY RUBIO",
            ),
            Block("paragraph", "茂木大臣:日米同盟は地域の平和の礎です。", "茂木大臣"),
            Block("item", "Joint statement issued."),
            Block("paragraph", "A paragraph that will be removed."),
        ),
    )
    new = Document(
        "u",
        "日米外相会談(概要)",
        (
            Block("heading", "Opening remarks"),
            Block(
                "paragraph",
                "SECRETARY RUBIO: We will expand cooperation on shipbuilding and "
                "critical minerals.",
                "SECRETARY RUBIO",
            ),
            Block("paragraph", "茂木大臣:日米同盟はインド太平洋地域の平和の礎です。", "茂木大臣"),
            Block("paragraph", "A new closing paragraph."),
            Block("item", "Joint statement issued."),
        ),
    )
    d = diff_documents(old, new)
    lines = [f"+{d.added} -{d.removed} trivial={d.trivial} speakers={list(d.speakers)}"]
    lines += [
        f"[{c.op}{' ' + c.speaker if c.speaker else ''}] {plain_segments(c)}" for c in d.changes
    ]
    golden("diff-mixed.txt", "\n".join(lines) + "\n")


def test_the_diff_stage_is_pure_and_keeps_nothing() -> None:
    """No cache: the same documents diffed twice give equal diffs, made afresh; the module holds
    no state (what a report shows travels with the run's events) and reads no archive."""
    import ast
    import inspect

    import monitor.diff as diff_module

    first = diff_documents(doc("The ministers met.", "Second."), doc("They met.", "Second."))
    again = diff_documents(doc("The ministers met.", "Second."), doc("They met.", "Second."))
    assert again == first and again is not first
    tree = ast.parse(inspect.getsource(diff_module))
    imported = {
        name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom | ast.Import)
        for name in ([node.module or ""] if isinstance(node, ast.ImportFrom) else [])
        + [alias.name for alias in node.names]
    }
    assert not {n for n in imported if n.startswith(("monitor.archive", "threading", "functools"))}
    assert not {"lru_cache", "cache", "OrderedDict", "Lock"} & imported
    own = diff_module.__name__
    state = [
        name
        for name, value in vars(diff_module).items()
        if not name.startswith("__")
        and (
            isinstance(value, MutableMapping | MutableSequence | MutableSet)
            or type(value).__module__ == own  # an object of a class of its own
            or (isinstance(value, type) and value.__module__ == own)  # a class of its own
        )
    ]
    assert state == [], state  # functions and constants only: nothing that keeps diffs
