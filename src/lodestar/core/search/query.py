"""What a person typed into a search box, read into terms that are always safe to run.

Nothing the user types reaches the database's query language as it was typed: the text is
read here into plain terms (words, "quoted phrases", prefixes ending in ``*``), and each
backend writes its own expression from those terms with every word quoted. Operators
(``AND``, ``OR``, ``NOT``, ``NEAR``), parentheses, ``-``, ``:``, ``^`` and symbols are only
ever words or separators, so no text can make a query fail.

Pure Python: no Django, no database.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

# A word as the full-text indexes cut text into words: letters and digits (an underscore,
# punctuation, symbols and emoji separate words, as in SQLite's unicode61 tokenizer).
WORD = re.compile(r"[^\W_]+")
# At most this many terms are kept from one query (the rest of a long text adds nothing a
# person meant, and costs time).
MAX_TERMS = 16
# Words longer than this are not words (a pasted hash or a run of one letter): cut.
MAX_WORD = 64
# A prefix shorter than this matches too much to mean anything: it is taken as a word.
MIN_PREFIX = 2

# A quoted phrase, a word with an optional trailing ``*``, or anything else (skipped).
_TOKEN = re.compile(r'"(?P<phrase>[^"]*)"?|(?P<word>[^\W_]+)(?P<star>\*)?|.', re.DOTALL)


@dataclass(frozen=True)
class Term:
    """One thing to find: a word, a phrase (several words in order) or a prefix."""

    words: tuple[str, ...]
    prefix: bool = False

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1


@dataclass(frozen=True)
class Query:
    """The terms of one query; every term must match (an empty query matches nothing)."""

    terms: tuple[Term, ...]

    def __bool__(self) -> bool:
        return bool(self.terms)

    @property
    def words(self) -> list[str]:
        return [word for term in self.terms for word in term.words]


def _words(text: str) -> tuple[str, ...]:
    return tuple(word[:MAX_WORD].lower() for word in WORD.findall(text))


def parse(text: str) -> Query:
    """The terms of ``text``: ``"several words"`` is a phrase (an unclosed quote runs to the
    end), ``word*`` a prefix, any other word a word; everything else separates them."""
    terms: list[Term] = []
    seen: set[Term] = set()
    for match in _TOKEN.finditer(text):
        if len(terms) >= MAX_TERMS:
            break
        phrase, word = match.group("phrase"), match.group("word")
        term: Term | None = None
        if phrase is not None:
            words = _words(phrase)[:MAX_TERMS]
            if words:
                term = Term(words)
        elif word is not None:
            word = word[:MAX_WORD].lower()
            term = Term((word,), prefix=bool(match.group("star")) and len(word) >= MIN_PREFIX)
        if term is not None and term not in seen:
            seen.add(term)
            terms.append(term)
    return Query(tuple(terms))


# -- the expressions each backend runs ---------------------------------------------------------


def _fts5_string(word: str) -> str:
    # A word holds only letters and digits; quoting makes FTS5 take it as a word whatever it
    # is (``AND``, ``NEAR``, ``NOT``), and doubling quotes keeps any string a string.
    return '"' + word.replace('"', '""') + '"'


def fts5_expression(query: Query) -> str:
    """An FTS5 MATCH expression: every term, ANDed; phrases and prefixes quoted."""
    parts = []
    for term in query.terms:
        text = _fts5_string(" ".join(term.words))
        parts.append(text + " *" if term.prefix else text)
    return " AND ".join(parts)


def fts5_any(words: list[str]) -> str:
    """An FTS5 expression matching any of ``words`` (for ``similar``)."""
    return " OR ".join(_fts5_string(word) for word in words)


def tsquery_sql(query: Query, config: str = "english") -> tuple[str, list[str]]:
    """A PostgreSQL ``tsquery`` expression (SQL with parameters) for ``query``: words through
    ``plainto_tsquery``, phrases through ``phraseto_tsquery``, prefixes as ``'word':*``, ANDed.
    Stop words drop out (``the`` alone finds nothing), as PostgreSQL does."""
    parts: list[str] = []
    params: list[str] = []
    for term in query.terms:
        if term.prefix:
            # The word holds only letters and digits, quoted as a tsquery string.
            parts.append(f"to_tsquery('{config}', %s)")
            params.append("'" + term.words[0].replace("'", "''").replace("\\", "\\\\") + "':*")
        elif term.is_phrase:
            parts.append(f"phraseto_tsquery('{config}', %s)")
            params.append(" ".join(term.words))
        else:
            parts.append(f"plainto_tsquery('{config}', %s)")
            params.append(term.words[0])
    return " && ".join(parts), params


# -- what "similar" looks for ------------------------------------------------------------------

# Words too common in English to say what a text is about.
_STOP_WORDS = """
    a about above after again against all almost also am an and any are aren as at be
    because been before being below between both but by can cannot could couldn did didn do
    does doesn doing don down during each else even ever every few for from further get
    gets getting got had hadn has hasn have haven having he her here hers herself him
    himself his how however i if im in into is isn it its itself ive just let like ll made
    make makes many me might more most much must my myself no nor not now of off on once
    one only or other our ours ourselves out over own please re really s same shan she
    should shouldn since so some still such t than thank thanks that the their theirs them
    themselves then there these they this those though through thus to too under until up
    upon us use used using ve very via was wasn way we well were weren what when where
    which while who whom why will with within without won would wouldn yet you your yours
    yourself yourselves app apps
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())


def significant_words(text: str, *, limit: int = 24) -> list[str]:
    """The words of ``text`` that say what it is about: no stop words, numbers or one-letter
    words; the most repeated first, then in order of appearance; at most ``limit``."""
    words = [
        word[:MAX_WORD].lower()
        for word in WORD.findall(text)
        if len(word) > 2 and not word.isdigit() and word.lower() not in STOP_WORDS
    ]
    counts = Counter(words)
    first = {word: index for index, word in reversed(list(enumerate(words)))}
    ranked = sorted(counts, key=lambda word: (-counts[word], first[word]))
    return ranked[:limit]
