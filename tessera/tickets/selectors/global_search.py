"""The desk's global search: every ticket the agent may see, closed ones of any age included.

A query finds tickets by their number (a part of it too, from ``MIN_PARTIAL_NUMBER_DIGITS`` digits), title,
description, comments and internal notes, the requester's name and e-mail, and the organization's name and
customer code. Every word must be found somewhere in the ticket (or as the start of a word there).

On PostgreSQL each ticket keeps a stored search document (``search_vector``, migration 0017: triggers keep it
up to date) stemmed in the ticket's language, so "stampanti" finds "stampante" and "Druckers" finds "Drucker".
The query is stemmed in Italian, German and English and the three are OR-ed: a ticket matches when its own
language's stems all match. A part of a number is found by its trigram index, and a title with a typo by
pg_trgm's word similarity when the words as typed find at most ``MAX_MATCHES`` tickets. Results are ranked
(ts_rank_cd over the weighted document: title, then requester, organization and number, then description,
then comments) and highlighted by ts_headline.
Elsewhere (SQLite) each word is looked for with LIKE, results ranked by where they matched.

At most ``MAX_MATCHES`` tickets are ranked (each way of matching stops there, counting only the tickets the
agent may see): a word in every other ticket would otherwise rank hundreds of thousands of rows; the page
then says there are more and asks for another word.

Highlighting is safe HTML: the text is escaped first, then the markers PostgreSQL (or Python) placed are
turned into ``<mark>``; the markers themselves are removed from the text before it is searched.
"""

import re
from dataclasses import dataclass

from django.db import connections
from django.db.models import BooleanField, Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from tessera.accounts.models import User

from ..models import Comment, Ticket
from .text_search import MIN_PARTIAL_NUMBER_DIGITS, clean_query

MAX_MATCHES = 1_000
MAX_WORDS = 10
PER_PAGE = 25
SNIPPET_CHARS = 220

START, STOP = "\x02", "\x03"
_WORD = re.compile(r"[^\W_]+")
# ts_headline's options: the markers are control characters no text keeps (they are stripped first).
_HEADLINE_OPTIONS = "'StartSel=' || chr(2) || ', StopSel=' || chr(3) || ', MaxFragments=2, MaxWords=30, MinWords=12'"
_TITLE_OPTIONS = "'StartSel=' || chr(2) || ', StopSel=' || chr(3) || ', HighlightAll=true'"
_STRIP = "translate({}, chr(2) || chr(3), '')"


@dataclass(frozen=True)
class SearchHit:
    ticket: Ticket
    title: SafeString
    snippet: SafeString


@dataclass(frozen=True)
class SearchResults:
    query: str
    hits: list[SearchHit]
    total: int
    #: More than ``MAX_MATCHES`` tickets match: ``total`` counts the first of them only.
    more: bool
    page: int
    pages: int

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def search_words(query: str) -> list[str]:
    return _WORD.findall(clean_query(query))[:MAX_WORDS]


def _digits(query: str) -> str | None:
    digits = clean_query(query).removeprefix("#")
    if digits.isascii() and digits.isdigit() and len(digits) >= MIN_PARTIAL_NUMBER_DIGITS:
        return digits
    return None


def marked_html(text: str) -> SafeString:
    """``text`` with ``START``/``STOP`` markers as safe HTML: escaped, the markers turned into ``<mark>``."""
    html = escape(text)
    opened = False
    out = []
    for part in re.split(f"([{START}{STOP}])", html):
        if part == START and not opened:
            out.append("<mark>")
            opened = True
        elif part == STOP and opened:
            out.append("</mark>")
            opened = False
        elif part not in (START, STOP):
            out.append(part)
    if opened:
        out.append("</mark>")
    return mark_safe("".join(out))  # noqa: S308 - escaped above; only our own tags added


def _mark_words(text: str, words: list[str]) -> str:
    """Python's highlighting (SQLite): the words (and what starts with them), case-insensitively."""
    text = text.replace(START, "").replace(STOP, "")
    if not words:
        return text
    pattern = re.compile("|".join(re.escape(word) for word in sorted(words, key=len, reverse=True)), re.IGNORECASE)
    return pattern.sub(lambda match: f"{START}{match.group(0)}{STOP}", text)


def _excerpt(text: str, words: list[str]) -> str:
    """About ``SNIPPET_CHARS`` characters of ``text`` around the first word found, with the words marked."""
    text = " ".join(text.replace(START, "").replace(STOP, "").split())
    lowered = text.lower()
    positions = [lowered.find(word.lower()) for word in words]
    found = [position for position in positions if position >= 0]
    start = max(0, min(found) - SNIPPET_CHARS // 3) if found else 0
    excerpt = text[start : start + SNIPPET_CHARS]
    if start > 0:
        excerpt = "… " + excerpt
    if start + SNIPPET_CHARS < len(text):
        excerpt += " …"
    return _mark_words(excerpt, words)


#: The query stemmed in each language a ticket may have, OR-ed (and unstemmed, for names and codes). Its
#: four parameters are the same terms: words are letters and digits only (``_WORD``), each ``word:*``
#: (the start of a word), joined by ``&``: they can never break to_tsquery's syntax.
_TSQUERY = (
    "(to_tsquery('italian', %s) || to_tsquery('german', %s) || to_tsquery('english', %s)"
    " || to_tsquery('simple', %s))"
)


# Only constants are put into these texts; every value the agent typed is a bound parameter.
_CONFIG = (
    "(SELECT tessera_search_config(o.language) FROM organizations_organization o"
    " WHERE o.id = tickets_ticket.organization_id)"
)
_SCORE = (
    "ts_rank_cd(tickets_ticket.search_vector, %s::tsquery, 1)"
    " + CASE WHEN tickets_ticket.number = %s THEN 10 ELSE 0 END + word_similarity(%s, tickets_ticket.title)"
)
_TITLE = f"ts_headline({_CONFIG}, {_STRIP.format('tickets_ticket.title')}, {_TSQUERY}, {_TITLE_OPTIONS})"
_DESCRIPTION = (
    f"ts_headline({_CONFIG}, {_STRIP.format('tickets_ticket.description')}, {_TSQUERY}, {_HEADLINE_OPTIONS})"
)
_COMMENT_HEADLINE = f"ts_headline({_CONFIG}, {_STRIP.format('c.body')}, {_TSQUERY}, {_HEADLINE_OPTIONS})"
_COMMENT_MATCHES = f"to_tsvector({_CONFIG}, c.body) @@ {_TSQUERY}"
_COMMENT = (
    f"(SELECT {_COMMENT_HEADLINE} FROM tickets_comment c WHERE c.ticket_id = tickets_ticket.id"  # noqa: S608
    f" AND {_COMMENT_MATCHES} ORDER BY c.created_at DESC, c.id DESC LIMIT 1)"
)
#: The tickets that match, each way of matching asked of its own index, among the tickets the agent may see
#: (``_candidates``), at most ``MAX_MATCHES`` + 1 per way: the document (GIN), a part of the number (pg_trgm
#: GIN) and, when those found fewer, a title with a typo (pg_trgm GIN). Zendesk's search also stops at 1,000.
_BY_DOCUMENT = "tickets_ticket.search_vector @@ " + _TSQUERY
#: The same tickets, found by a narrower question to the index (``_index_query``): each ticket it finds is
#: then checked against the query itself (ts_match_vq is @@ as a function: no index answers it).
_BY_DOCUMENT_CHECKED = (
    "tickets_ticket.search_vector @@ %s::tsquery AND ts_match_vq(tickets_ticket.search_vector, " + _TSQUERY + ")"
)
#: One word with one stem per configuration: the narrower question finds exactly the query's tickets.
_BY_DOCUMENT_DEDUPLICATED = "tickets_ticket.search_vector @@ %s::tsquery"
_BY_TITLE = "%s <%% tickets_ticket.title"
_BY_NUMBER = "tickets_ticket.number LIKE %s"

#: A word is left to the check, not asked of the index, when more than this share of the tickets may hold a
#: word starting with it (PostgreSQL's statistics of the document: its most common lexemes and their shares).
COMMON_WORD_SHARE = 0.5
#: Per word: its distinct stems in the four configurations, the fewest and the most one configuration gives
#: (a stop word gives none), and the share of tickets holding a lexeme that starts with one of them (at most;
#: 0 for a word too rare to be among the most common lexemes).
_WORD_STEMS = """
SELECT s.stems, s.fewest, s.most, coalesce((
  SELECT sum(e.share) FROM (
    SELECT unnest(p.most_common_elems::text::text[]) AS lexeme, unnest(p.most_common_elem_freqs) AS share
    FROM pg_stats p WHERE p.schemaname = current_schema() AND p.tablename = 'tickets_ticket'
      AND p.attname = 'search_vector'
  ) e WHERE EXISTS (SELECT 1 FROM unnest(s.stems) AS stem WHERE starts_with(e.lexeme, stem))
), 0)
FROM unnest(%s::text[]) AS w(word), LATERAL (
  SELECT ARRAY(SELECT DISTINCT unnest(it || de || en || si)) AS stems,
    least(cardinality(it), cardinality(de), cardinality(en), cardinality(si)) AS fewest,
    greatest(cardinality(it), cardinality(de), cardinality(en), cardinality(si)) AS most
  FROM (SELECT tsvector_to_array(to_tsvector('italian', w.word)) AS it,
          tsvector_to_array(to_tsvector('german', w.word)) AS de,
          tsvector_to_array(to_tsvector('english', w.word)) AS en,
          tsvector_to_array(to_tsvector('simple', w.word)) AS si) v
) s
"""


def _word_stems(words: list[str], using: str) -> list[tuple[list[str], int, int, float]]:
    """Per word: its distinct stems, the fewest and most stems one configuration gives, its share (``_WORD_STEMS``)."""
    with connections[using].cursor() as cursor:
        cursor.execute(_WORD_STEMS, [words])
        return cursor.fetchall()


def _shortest(stems: list[str]) -> str:
    """``stems`` as one tsquery OR: ``'a':* | 'b':*``, a stem that starts with another left out (it is covered)."""
    shortest = [stem for stem in stems if not any(other != stem and stem.startswith(other) for other in stems)]
    return " | ".join(f"'{stem}':*" for stem in sorted(shortest))


def _index_query(stems: list[tuple[list[str], int, int, float]]) -> tuple[str, bool] | None:
    """A tsquery for the GIN index that finds every ticket the query finds, and whether it finds only those.

    The query proper ORs the words' stems of four configurations; the index takes each ``stem:*`` of it as
    a separate entry and collects every ticket of each into a bitmap, even four times the same stem. Most
    tickets hold some words ("example" of every requester's e-mail address), so the more tickets, the more
    that costs. Here each word is asked once, as its distinct stems (one that starts with another left out),
    and the words most tickets hold are left to the check; None when no word can be asked alone.
    """
    asked = []
    for word_stems, fewest, _most, share in stems:
        # A word some configuration drops (a stop word) is not needed by that configuration's match.
        if not fewest or share > COMMON_WORD_SHARE or not all(_WORD.fullmatch(stem) for stem in word_stems):
            continue
        asked.append(_shortest(word_stems))
    if not asked:
        return None
    exact = len(stems) == 1 and len(asked) == 1 and stems[0][2] == 1
    return " & ".join(f"( {terms} )" for terms in asked), exact


def _rank_query(stems: list[tuple[list[str], int, int, float]], words: list[str]) -> str:
    """The tsquery the candidates are ranked by: every word as the OR of its distinct stems.

    The same covers as the query's four configurations OR-ed, at a fraction of ts_rank_cd's cost (it walks
    every operand for every ticket). A word some configuration drops as a stop word does not rank.
    """
    ranked = [
        _shortest(word_stems)
        for word_stems, fewest, _most, _share in stems
        if fewest and all(_WORD.fullmatch(stem) for stem in word_stems)
    ]
    if not ranked:
        return " & ".join(f"'{word.lower()}':*" for word in words)
    return " & ".join(f"( {terms} )" for terms in ranked)


def _pages(total: int, per_page: int) -> int:
    """How many pages ``total`` results fill (one, empty, when there are none)."""
    return max(1, -(-total // per_page))


def _matching(tickets: QuerySet[Ticket], condition: str, params: list, *, newest: bool = True) -> QuerySet:
    """The ids of at most ``MAX_MATCHES`` + 1 of ``tickets`` that meet ``condition`` (SQL of constants only).

    ``newest``: the newest of them. Without an order, a word in a tenth of the tickets is read by a sequential
    scan, and PostgreSQL starts each one where the last stopped (synchronized scans): the same search would
    find other tickets each time, and its second page would repeat the first's. The pg_trgm index's bitmap
    scan, in the table's order, finds the same tickets every time; sorting its thousands would cost more.
    """
    where = RawSQL(condition, params, output_field=BooleanField())  # noqa: S611 (constants, values bound)
    matching = tickets.filter(where).values_list("pk", flat=True)
    return (matching.order_by("-pk") if newest else matching.order_by())[: MAX_MATCHES + 1]


def _candidates(
    tickets: QuerySet[Ticket], query: str, words: list[str], terms: list[str],
    stems: list[tuple[list[str], int, int, float]],
) -> list[int]:
    """The ids of the ``tickets`` (those the agent may see) that match; more than ``MAX_MATCHES`` when more do.

    When more match, the newest are kept. The document and a part of the number are asked in one query. A
    title with a typo is looked for only when they found at most ``MAX_MATCHES``: for a word in thousands of
    tickets the page is full of tickets that hold the word itself, and the typo's index would read the
    trigrams of a tenth of all titles for nothing.
    The agent's visibility is part of each branch, so its limit counts only tickets the agent may see.
    """
    index_query = _index_query(stems)
    if index_query is None:
        by_document = _matching(tickets, _BY_DOCUMENT, terms)
    elif index_query[1]:
        by_document = _matching(tickets, _BY_DOCUMENT_DEDUPLICATED, [index_query[0]])
    else:
        by_document = _matching(tickets, _BY_DOCUMENT_CHECKED, [index_query[0], *terms])
    digits = _digits(query)
    if digits:
        by_document = by_document.union(_matching(tickets, _BY_NUMBER, [f"%{digits}%"]))
    found = list(by_document)
    if len(found) <= MAX_MATCHES:
        found = list({*found, *_matching(tickets, _BY_TITLE, [" ".join(words)], newest=False)})
    return found


def _postgres(
    tickets: QuerySet[Ticket], query: str, words: list[str], page: int, per_page: int
) -> tuple[list[Ticket], int, int]:
    """The page ``page`` of the matching ``tickets``, ranked, with their highlighted title, description and latest
    matching comment; how many match (at most ``MAX_MATCHES`` + 1); the page shown.

    The candidates are looked up once: their ids (at most a few thousand) both count them and are ranked. The
    ranking reads only the tickets themselves; the page's rows, with what they show, are read for its ids.
    """
    terms = [" & ".join(f"{word}:*" for word in words)] * 4
    stems = _word_stems(words, tickets.db)
    found = _candidates(tickets, query, words, terms, stems)
    total = min(len(found), MAX_MATCHES)
    page = min(page, _pages(total, per_page))
    candidates = tickets.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", [found]))  # noqa: S611 (a bound list)
    ranked = list(
        candidates.annotate(
            search_score=RawSQL(  # noqa: S611 (constants, values bound)
                _SCORE, [_rank_query(stems, words), (_digits(query) or "").zfill(10), " ".join(words)]
            ),
        )
        .order_by("-search_score", "-updated_at", "-id")
        .values_list("pk", flat=True)[(page - 1) * per_page : min(page * per_page, MAX_MATCHES)]
    )
    rows = (
        tickets.filter(pk__in=ranked)
        .select_related("organization", "created_by", "assignee", "service_team")
        .annotate(
            search_title=RawSQL(_TITLE, terms),  # noqa: S611
            search_description=RawSQL(_DESCRIPTION, terms),  # noqa: S611
            search_comment=RawSQL(_COMMENT, terms * 2),  # noqa: S611
        )
    )
    place = {pk: index for index, pk in enumerate(ranked)}
    return sorted(rows, key=lambda ticket: place[ticket.pk]), len(found), page


def _fallback(tickets: QuerySet[Ticket], query: str, words: list[str]) -> QuerySet[Ticket]:
    """SQLite: every word somewhere in the ticket (LIKE), ranked by where the words were found."""
    condition = Q()
    in_title = Q()
    for word in words:
        comments = Comment.objects.filter(ticket=OuterRef("pk"), body__icontains=word)
        condition &= (
            Q(title__icontains=word)
            | Q(description__icontains=word)
            | Q(number__contains=word)
            | Q(created_by__email__icontains=word)
            | Q(created_by__first_name__icontains=word)
            | Q(created_by__last_name__icontains=word)
            | Q(organization__name__icontains=word)
            | Q(organization__customer_code__icontains=word)
            | Q(Exists(comments))
        )
        in_title &= Q(title__icontains=word)
    digits = _digits(query)
    if digits:
        condition |= Q(number__contains=digits)
    any_word = Q()
    for word in words:
        any_word |= Q(body__icontains=word)
    first_comment = Comment.objects.filter(any_word, ticket=OuterRef("pk")).order_by("-created_at", "-id")
    return (
        tickets.filter(condition)
        .annotate(
            search_score=Case(
                When(number=(digits or "").zfill(10), then=Value(3)),
                When(in_title, then=Value(2)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            search_comment=Subquery(first_comment.values("body")[:1]),
            search_description=F("description"),
        )
        .order_by("-search_score", "-updated_at", "-id")
    )


def global_search(user: User, query: str, *, page: int = 1, per_page: int = PER_PAGE) -> SearchResults:
    """The page ``page`` of the tickets ``user`` may see that ``query`` finds, best first.

    A constant number of queries whatever the number of matches. PostgreSQL, four or five: the words' stems
    and shares, the candidates' ids (their number is the count), the titles with a typo when those were few,
    the page's ids in ranked order, the page's tickets with their organization, requester, assignee and team.
    Elsewhere, two: the count (at most ``MAX_MATCHES`` + 1 matter), the page's tickets.
    """
    query = clean_query(query)
    words = search_words(query)
    if not words:
        return SearchResults(query=query, hits=[], total=0, more=False, page=1, pages=1)
    visible = Ticket.objects.visible_to(user)
    highlighted = connections[visible.db].vendor == "postgresql"
    page = max(1, page)
    if highlighted:
        rows, total, page = _postgres(visible, query, words, page, per_page)
    else:
        matched = _fallback(visible, query, words)
        total = matched.order_by()[: MAX_MATCHES + 1].count()
        page = min(page, _pages(min(total, MAX_MATCHES), per_page))
        rows = list(
            matched.select_related("organization", "created_by", "assignee", "service_team")[
                (page - 1) * per_page : min(page * per_page, MAX_MATCHES)
            ]
        )
    more = total > MAX_MATCHES
    total = min(total, MAX_MATCHES)
    pages = _pages(total, per_page)
    hits = []
    for ticket in rows:
        if highlighted:
            title = ticket.search_title  # type: ignore[attr-defined]
            description = ticket.search_description or ""  # type: ignore[attr-defined]
            comment = ticket.search_comment or ""  # type: ignore[attr-defined]
            snippet = description if START in description or not comment else comment
        else:
            title = _mark_words(ticket.title, words)
            description = ticket.description or ""
            comment = ticket.search_comment or ""  # type: ignore[attr-defined]
            in_description = any(word.lower() in description.lower() for word in words)
            snippet = _excerpt(description if in_description or not comment else comment, words)
        hits.append(SearchHit(ticket=ticket, title=marked_html(title), snippet=marked_html(snippet)))
    return SearchResults(query=query, hits=hits, total=total, more=more, page=page, pages=pages)
