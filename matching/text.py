"""Language-aware tokenisation shared by concept extraction and the lexical embedding backend.

Korean goes through kiwipiepy's morphological analyser (so 폐결절을 and 폐 결절 give the same
tokens); Latin-script words are lower-cased and lightly stemmed (nodules → nodule). Both kinds of
token come out of one function, because product descriptions mix the two (흉부 CT, FDA 510(k)).
"""

import functools
import re
import unicodedata
from dataclasses import dataclass

# Kiwi part-of-speech tags that carry content: nouns, roots, verb/adjective stems, determiners
# (저선량 → 저/MM 선량), Latin words, Chinese characters and numbers.
_CONTENT_TAGS = ("NNG", "NNP", "NNB", "NR", "XR", "VV", "VA", "MM", "SL", "SH", "SN", "XSN")
_NOUN_TAGS = ("NNG", "NNP", "XR", "XSN", "MM")
_LATIN_WORD = re.compile(r"[a-z0-9]+")
# Upper bound on what is analysed; longer inputs are cut (descriptions are validated to 10k chars).
MAX_TEXT_CHARS = 20_000


@dataclass(frozen=True)
class Token:
    text: str
    hangul: bool
    noun: bool  # a Korean noun: consecutive ones form a compound (연속 혈당 측정기)
    run: int  # nouns with the same run number are adjacent, with no other morpheme between


def is_hangul(text: str) -> bool:
    return any("\uac00" <= ch <= "\ud7a3" for ch in text)


def stem_latin(word: str) -> str:
    """A deliberately light English stemmer: plural and common adjective endings."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@functools.cache
def _kiwi():
    from kiwipiepy import Kiwi

    return Kiwi()


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "")[:MAX_TEXT_CHARS]


def tokenize(text: str) -> list[Token]:
    """Content tokens of ``text`` in order, Korean morphemes and Latin words alike."""
    text = normalize(text)
    if not text.strip():
        return []
    tokens: list[Token] = []
    run = 0
    for morph in _kiwi().tokenize(text):
        tag = morph.tag.split("-")[0]
        noun = tag in _NOUN_TAGS
        if not noun:
            run += 1  # a particle, ending, verb or symbol ends a compound
        if tag not in _CONTENT_TAGS:
            continue
        if tag in ("SL", "SN", "SH"):
            for match in _LATIN_WORD.finditer(morph.form.lower()):
                tokens.append(Token(stem_latin(match.group()), False, False, run))
        else:
            tokens.append(Token(morph.form, True, noun, run))
    return tokens


def noun_runs(tokens: list[Token]) -> list[str]:
    """Consecutive Korean noun tokens joined without spaces: 연속 혈당 측정기 → 연속혈당측정기."""
    runs: dict[int, list[str]] = {}
    for token in tokens:
        if token.noun:
            runs.setdefault(token.run, []).append(token.text)
    return ["".join(parts) for parts in runs.values()]
