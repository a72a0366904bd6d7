"""Pairing the blocks of a replaced region: the lazy pairing (cheap bounds first, difflib's ratio
only for the pairs that can still be taken) chooses exactly the pairs the full one did, which
scored every pair with difflib and took them greedily, best first."""

from __future__ import annotations

import random

from monitor.diff import (
    MIN_SIMILARITY,
    _greedy,
    bound,
    common_subsequence,
    diff_documents,
    ratio,
    side,
    similarity,
)
from monitor.models import Block, Document


def doc(*texts: str) -> Document:
    return Document("https://x.org/", "Title", tuple(Block("paragraph", t) for t in texts))


def eager(olds: list[str], news: list[str]) -> dict[int, int]:
    """The pairing as it was: every pair scored, taken best first (ties: later old, later new)
    unless it shares a block with a pair taken or crosses one."""
    scores = sorted(
        ((similarity(o, n), i, j) for i, o in enumerate(olds) for j, n in enumerate(news)),
        reverse=True,
    )
    pairs: dict[int, int] = {}
    for score, i, j in scores:
        if score < MIN_SIMILARITY:
            break
        crosses = any((pi < i) != (pj < j) for pi, pj in pairs.items())
        if i not in pairs and j not in pairs.values() and not crosses:
            pairs[i] = j
    return pairs


def lazy(olds: list[str], news: list[str]) -> dict[int, int]:
    return _greedy([side(o) for o in olds], [side(n) for n in news])


# The new paragraph's words, in an order difflib matches poorly: a long common subsequence but
# short common runs. Its bound (0.8) is above the edited paragraph's score (0.73), its own score
# is 0.47: trusting the bound would pair the wrong paragraph.
NEW = "alliance the alliance the Japan the Japan the"
SCRAMBLED = "alliance the the the the the alliance the"
EDITED = "security alliance alliance alliance the the Japan alliance"


def test_a_high_bound_does_not_win_over_a_higher_score() -> None:
    scrambled, edited, new = side(SCRAMBLED), side(EDITED), side(NEW)
    assert bound(scrambled, new) > ratio(edited, new) > ratio(scrambled, new) >= MIN_SIMILARITY
    assert lazy([SCRAMBLED, EDITED], [NEW]) == eager([SCRAMBLED, EDITED], [NEW]) == {1: 0}
    d = diff_documents(doc(SCRAMBLED, EDITED), doc(NEW))
    assert [(c.op, c.old and c.old.text) for c in d.changes] == [
        ("removed", SCRAMBLED),
        ("changed", EDITED),
    ]


def test_two_similar_paragraphs_each_keep_their_own_edit() -> None:
    """A transcript's near-identical paragraphs (the same closing line said twice, a word apart):
    each pairs with its own edited version, not with its neighbour's."""
    first = "The two ministers confirmed that they would continue to work closely together."
    second = "The two ministers confirmed that they would continue to work closely with Korea."
    new_first = first.replace("closely", "very closely")
    new_second = second.replace("Korea", "the Republic of Korea")
    assert lazy([first, second], [new_first, new_second]) == {0: 0, 1: 1}
    assert lazy([first, second], [new_second]) == eager([first, second], [new_second]) == {1: 0}
    assert lazy([first, second], [new_first]) == eager([first, second], [new_first]) == {0: 0}


def test_the_lazy_pairing_is_the_full_one_on_random_regions() -> None:
    """Small vocabularies make every paragraph look like every other: the bounds are loose and
    ties are common, where a lazy pairing would go wrong first."""
    rng = random.Random(15)
    for vocabulary in (["the", "alliance", "Japan"], ["a", "b", "c", "d", "e", "f", "g"]):
        for _ in range(300):

            def para(vocabulary: list[str] = vocabulary) -> str:
                return " ".join(rng.choice(vocabulary) for _ in range(rng.randint(1, 12)))

            olds = [para() for _ in range(rng.randint(1, 6))]
            news = [rng.choice([para(), *olds]) for _ in range(rng.randint(1, 6))]
            assert lazy(olds, news) == eager(olds, news), (olds, news)


def test_bound_is_never_below_the_score() -> None:
    rng = random.Random(7)
    for _ in range(500):
        a = side(" ".join(rng.choice("ab cd e") for _ in range(rng.randint(0, 30))))
        b = side(" ".join(rng.choice("ab cd f") for _ in range(rng.randint(0, 30))))
        if bound(a, b) >= MIN_SIMILARITY:
            assert bound(a, b) >= ratio(a, b)
        else:  # below: cut off by the cheap counts, which bound the score too
            assert ratio(a, b) < MIN_SIMILARITY


def test_common_subsequence() -> None:
    def slow(a: list[str], b: list[str]) -> int:
        row = [0] * (len(b) + 1)
        for x in a:
            prev, row = row, [0]
            for j, y in enumerate(b):
                row.append(prev[j] + 1 if x == y else max(prev[j + 1], row[j]))
        return row[-1]

    rng = random.Random(3)
    for _ in range(500):
        a = [rng.choice("abc ") for _ in range(rng.randint(0, 25))]
        b = [rng.choice("abcd ") for _ in range(rng.randint(0, 25))]
        assert common_subsequence(a, b) == slow(a, b), (a, b)
