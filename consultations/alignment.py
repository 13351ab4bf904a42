"""Where each paragraph of a report went in a new version of it: the two versions aligned
as wholes, paragraph texts against paragraph texts, not number against number.

Paragraphs whose words are the same in the same order (a sequence alignment) are matched
first; the stretches between them are aligned by how alike their paragraphs are, keeping
their order; a paragraph still unmatched then finds its text anywhere in the new version
(a paragraph moved elsewhere). Two texts are one text with small corrections when at
least SAME_TEXT of their words line up (difflib's ratio over the words).
"""

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

SAME_TEXT = 0.8
_WORD = re.compile(r"\w+")


def words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text.lower()))


def likeness(a: tuple[str, ...], b: tuple[str, ...], a_set=None, b_set=None) -> float:
    """How alike two texts are, 0 to 1, from their words (their sets, when known)."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    a_set, b_set = a_set or set(a), b_set or set(b)
    if 2 * len(a_set & b_set) / (len(a_set) + len(b_set)) < SAME_TEXT * 0.75:
        return 0.0  # too few words in common to be worth lining up
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


@dataclass(frozen=True)
class Match:
    number: int  # in the new version
    likeness: float


def align(old: dict[int, str], new: dict[int, str]) -> dict[int, Match]:
    """For each old paragraph (by number) whose text is in the new version, where it is."""
    old_numbers, new_numbers = sorted(old), sorted(new)
    old_words = [words(old[n]) for n in old_numbers]
    new_words = [words(new[n]) for n in new_numbers]
    old_sets, new_sets = [set(w) for w in old_words], [set(w) for w in new_words]

    def alike(i: int, j: int) -> float:
        return likeness(old_words[i], new_words[j], old_sets[i], new_sets[j])

    pairs: dict[int, tuple[int, float]] = {}
    blocks = SequenceMatcher(None, old_words, new_words, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in blocks:
        if tag == "equal":
            pairs.update({i: (j, 1.0) for i, j in zip(range(i1, i2), range(j1, j2), strict=True)})
        elif tag == "replace":
            pairs.update(_in_order(alike, range(i1, i2), range(j1, j2)))
    taken = {j for j, _score in pairs.values()}
    for i in range(len(old_numbers)):  # moved out of order: the best text left anywhere
        if i in pairs:
            continue
        scores = [(alike(i, j), j) for j in range(len(new_numbers))]
        score, j = max(((s, j) for s, j in scores if j not in taken), default=(0.0, -1))
        if score >= SAME_TEXT:
            pairs[i] = (j, score)
            taken.add(j)
    return {
        old_numbers[i]: Match(new_numbers[j], round(score, 3)) for i, (j, score) in pairs.items()
    }


def _in_order(alike, olds: range, news: range) -> dict[int, tuple[int, float]]:
    """The pairs of alike paragraphs of two stretches, in order, most alike in total."""
    scores = {(i, j): score for i in olds for j in news if (score := alike(i, j)) >= SAME_TEXT}
    if not scores:
        return {}
    rows, columns = len(olds), len(news)
    best = [[0.0] * (columns + 1) for _ in range(rows + 1)]
    for a in range(1, rows + 1):
        for b in range(1, columns + 1):
            paired = scores.get((olds[a - 1], news[b - 1]))
            best[a][b] = max(
                best[a - 1][b],
                best[a][b - 1],
                best[a - 1][b - 1] + paired if paired else 0.0,
            )
    pairs, a, b = {}, rows, columns
    while a and b:
        paired = scores.get((olds[a - 1], news[b - 1]))
        if paired and best[a][b] == best[a - 1][b - 1] + paired:
            pairs[olds[a - 1]] = (news[b - 1], paired)
            a, b = a - 1, b - 1
        elif best[a][b] == best[a - 1][b]:
            a -= 1
        else:
            b -= 1
    return pairs
