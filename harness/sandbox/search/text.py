"""Text as the search index compares it: caseless, normalisation-blind, letters kept apart.

Matching uses Unicode default caseless matching on canonical equivalents (The Unicode
Standard, §3.13 "Default Caseless Matching", D145: ``NFD(toCasefold(NFD(X)))``; we compose
the result back to NFC, which keeps equality the same and the strings short). So ``Ŋ``
matches ``ŋ``, ``Đ`` ``đ``, ``Á`` ``á``, ``Æ`` ``æ``, and an NFD record (``a`` + U+030A)
matches an NFC query (``å``). Nothing is folded *across* letters: ``å`` never matches
``a``, ``ø`` never ``o``, ``æ`` never ``ae``, ``á`` never ``a``; in Norwegian and North
Sámi these are different letters (research/z3950-sru.md §1.2 measured the same in Zebra).

Words are runs of letters and digits (with any combining marks that did not compose);
everything else separates words. Query patterns mark truncation with two private-use
characters, :data:`ANY_RUN` (``*``) and :data:`ONE_CHAR` (``?``), which count as word
characters so that ``fjel*`` stays one word.
"""

from __future__ import annotations

import re
import unicodedata

ANY_RUN = "\ue000"  # a mask: any run of characters (CQL '*', Z39.50 truncation)
ONE_CHAR = "\ue001"  # a mask: exactly one character (CQL '?')
_WORD = re.compile(r"(?:[^\W_]|[\ue000\ue001])[\u0300-\u036f\u1ab0-\u1aff\u20d0-\u20ff]*"
                   r"(?:(?:[^\W_]|[\ue000\ue001])[\u0300-\u036f\u1ab0-\u1aff\u20d0-\u20ff]*)*")


def fold(text: str) -> str:
    """Canonical caseless form (D145, composed): equal for text that matches caselessly."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", text).casefold())


def words(text: str) -> list[str]:
    """The folded words of ``text``, in order."""
    return _WORD.findall(fold(text))


def normalise_isbn(text: str) -> str:
    """An ISBN as 13 digits when it is a valid ISBN-10 or ISBN-13, else its bare characters.

    Hyphens and spaces go; a qualifier after the number ("(h.)", ": 249,-") goes; a valid
    ISBN-10 becomes its ISBN-13 (prefix 978, check digit recomputed: ISO 2108:2017 §5).
    """
    match = re.match(r"[\s]*([0-9Xx][0-9Xx\s-]*)", text)
    bare = re.sub(r"[\s-]", "", match.group(1)).upper() if match else fold(text).strip()
    if len(bare) == 10 and bare[:9].isdigit() and _isbn10_valid(bare):
        core = "978" + bare[:9]
        return core + _isbn13_check(core)
    return bare


def _isbn10_valid(isbn: str) -> bool:
    if not (isbn[:9].isdigit() and (isbn[9].isdigit() or isbn[9] == "X")):
        return False
    total = sum((10 - i) * int(c) for i, c in enumerate(isbn[:9])) + (10 if isbn[9] == "X" else int(isbn[9]))
    return total % 11 == 0


def _isbn13_check(first12: str) -> str:
    total = sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(first12))
    return str((10 - total % 10) % 10)


# What an engine that folds letters to ASCII does (ICU Latin-ASCII, Lucene's
# ASCIIFoldingFilter): never done by this index, but a deviation the sandbox can show.
_BASE_LETTER = str.maketrans({"æ": "ae", "ø": "o", "đ": "d", "ŋ": "n", "ŧ": "t", "ß": "ss", "œ": "oe", "ð": "d", "þ": "th"})


def base_letters(word: str) -> str:
    """``word`` folded to base letters: å → a, ø → o, č → c, ŋ → n (marks dropped)."""
    decomposed = unicodedata.normalize("NFD", word.translate(_BASE_LETTER))
    return "".join(c for c in decomposed if not unicodedata.combining(c))
