"""Reading REFI offsets counted in other units (UTF-16, CRLF as two) as reviewkit offsets."""

from __future__ import annotations

from reviewkit.synthesis.refi.offsets import choose_reading, normalise, reading

RAW = "Intro 😀 line\r\nSecond sentence here.\r\nThird 👍 one.\r\n"


def _units(text: str, utf16: bool, crlf_two: bool) -> int:
    n = len(text.encode("utf-16-le")) // 2 if utf16 else len(text)
    return n if crlf_two else n - text.count("\r\n")


def test_each_reading_maps_back_to_the_same_words() -> None:
    text = normalise(RAW)
    for name, utf16, crlf in (("code points", False, False),
                              ("code points, CRLF as 2", False, True),
                              ("UTF-16 units", True, False),
                              ("UTF-16 units, CRLF as 2", True, True)):
        r = reading(RAW, name)
        at = RAW.index("Third")
        start = _units(RAW[:at], utf16, crlf)
        end = start + _units("Third 👍 one.", utf16, crlf)
        a, b = r.map(start), r.map(end)
        assert text[a:b] == "Third 👍 one.", name


def test_an_offset_inside_a_surrogate_pair_maps_to_nothing() -> None:
    r = reading(RAW, "UTF-16 units")
    inside = len("Intro ") + 1  # between the two halves of the emoji
    assert r.map(inside) is None
    assert r.map(inside + 1) == len("Intro 😀")


def test_the_reading_that_puts_selections_on_word_boundaries_wins() -> None:
    def spans(utf16: bool, crlf: bool) -> list[tuple[int, int]]:
        out = []
        for words in ("Second sentence here.", "Third 👍 one.", "line"):
            at = RAW.index(words)
            s = _units(RAW[:at], utf16, crlf)
            out.append((s, s + _units(words, utf16, crlf)))
        return out

    assert choose_reading([(RAW, spans(True, True))]) == "UTF-16 units, CRLF as 2"
    assert choose_reading([(RAW, spans(False, False))]) == "code points"
    # plain ASCII with LF: every reading agrees, the plain one is chosen
    assert choose_reading([("a b\nc d\n", [(0, 1), (4, 5)])]) == "code points"


def test_plain_text_maps_offsets_as_they_are_in_every_reading():
    from reviewkit.synthesis.refi.offsets import READINGS, Reading

    plain = "Budgets – “choice” and control.\nA second line."
    for name, crlf in READINGS:
        r = Reading(plain, name, crlf)
        assert [r.map(i) for i in range(len(plain) + 1)] == list(range(len(plain) + 1))
        assert r.map(len(plain) + 1) is None and r.map(-1) is None
    # a character outside the BMP is two UTF-16 units: offsets after it shift by one
    astral = "a\U0001F600b"
    r = Reading(astral, "UTF-16 units", False)
    assert (r.map(1), r.map(2), r.map(3), r.map(4)) == (1, None, 2, 3)
