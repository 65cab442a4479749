"""The desk's global search: every ticket the agent may see, closed ones of any age included.

A query finds tickets by their number (a part of it too, from ``MIN_PARTIAL_NUMBER_DIGITS`` digits), title,
description, comments and internal notes, the requester's name and e-mail, and the organization's name and
customer code. Every word must be found somewhere in the ticket (or as the start of a word there).

On PostgreSQL each ticket keeps a stored search document (``search_vector``, migration 0012: triggers keep it
up to date) stemmed in the ticket's language, so "stampanti" finds "stampante" and "Druckers" finds "Drucker".
The query is stemmed in Italian, German and English and the three are OR-ed: a ticket matches when its own
language's stems all match. A title with a typo is found by pg_trgm's word similarity, a part of a number by
its trigram index. Results are ranked (ts_rank_cd over the weighted document: title, then requester,
organization and number, then description, then comments) and highlighted by ts_headline.
Elsewhere (SQLite) each word is looked for with LIKE, results ranked by where they matched.

At most ``MAX_MATCHES`` tickets are ranked: a word in every other ticket would otherwise rank hundreds of
thousands of rows; the page then says there are more and asks for another word.

Highlighting is safe HTML: the text is escaped first, then the markers PostgreSQL (or Python) placed are
turned into ``<mark>``; the markers themselves are removed from the text before it is searched.
"""

import re
from dataclasses import dataclass

from django.db import connections
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
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
    f"ts_rank_cd(tickets_ticket.search_vector, {_TSQUERY}, 1)"
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
#: The tickets that match, at most ``MAX_MATCHES`` + 1 of them per way of matching (any: the page ranks
#: them): the document (GIN), a title with a typo (pg_trgm GIN), a part of the number (pg_trgm GIN). A UNION,
#: not an OR: each branch stops at its limit, and the costly word similarity is never computed for the rows
#: a common word already found. Zendesk's search also stops at 1,000 results.
_BY_DOCUMENT = "(SELECT id FROM tickets_ticket WHERE search_vector @@ " + _TSQUERY + " LIMIT {limit})"  # noqa: S608 (constants only)
#: The same tickets, found by a narrower question to the index (``_index_query``): each ticket it finds is
#: then checked against the query itself (ts_match_vq is @@ as a function: no index answers it).
_BY_DOCUMENT_CHECKED = (
    "(SELECT id FROM tickets_ticket WHERE search_vector @@ %s::tsquery"  # noqa: S608 (constants only)
    " AND ts_match_vq(search_vector, " + _TSQUERY + ") LIMIT {limit})"
)
#: One word with one stem per configuration: the narrower question finds exactly the query's tickets.
_BY_DOCUMENT_DEDUPLICATED = "(SELECT id FROM tickets_ticket WHERE search_vector @@ %s::tsquery LIMIT {limit})"

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


def _index_query(words: list[str], using: str) -> tuple[str, bool] | None:
    """A tsquery for the GIN index that finds every ticket the query finds, and whether it finds only those.

    The query proper ORs the words' stems of four configurations; the index takes each ``stem:*`` of it as
    a separate entry and collects every ticket of each into a bitmap, even four times the same stem. Most
    tickets hold some words ("example" of every requester's e-mail address), so the more tickets, the more
    that costs. Here each word is asked once, as its distinct stems (one that starts with another left out),
    and the words most tickets hold are left to the check; None when no word can be asked alone.
    """
    with connections[using].cursor() as cursor:
        cursor.execute(_WORD_STEMS, [words])
        rows = cursor.fetchall()
    asked = []
    for stems, fewest, _most, share in rows:
        # A word some configuration drops (a stop word) is not needed by that configuration's match.
        if not fewest or share > COMMON_WORD_SHARE or not all(_WORD.fullmatch(stem) for stem in stems):
            continue
        shortest = [stem for stem in stems if not any(other != stem and stem.startswith(other) for other in stems)]
        asked.append(" | ".join(f"'{stem}':*" for stem in sorted(shortest)))
    if not asked:
        return None
    exact = len(rows) == 1 and len(asked) == 1 and rows[0][2] == 1
    return " & ".join(f"( {terms} )" for terms in asked), exact
_BY_TITLE = "(SELECT id FROM tickets_ticket WHERE %s <%% title LIMIT {limit})"
_BY_NUMBER = "(SELECT id FROM tickets_ticket WHERE number LIKE %s LIMIT {limit})"


def _postgres(tickets: QuerySet[Ticket], query: str, words: list[str]) -> tuple[QuerySet[Ticket], int]:
    """The matching ``tickets``, ranked, with their highlighted title, description and latest matching comment;
    how many they are.

    The candidates are looked up once: their ids (at most a few thousand) both count them and select the rows
    the page ranks, so the indexes are not asked twice, and the count and the page agree.
    """
    terms = [" & ".join(f"{word}:*" for word in words)] * 4
    text = " ".join(words)
    digits = _digits(query)
    index_query = _index_query(words, tickets.db)
    if index_query is None:
        by_document, document_params = _BY_DOCUMENT, terms
    elif index_query[1]:
        by_document, document_params = _BY_DOCUMENT_DEDUPLICATED, [index_query[0]]
    else:
        by_document, document_params = _BY_DOCUMENT_CHECKED, [index_query[0], *terms]
    branches = [by_document, _BY_TITLE, *([_BY_NUMBER] if digits else [])]
    candidates = " UNION ".join(branches).format(limit=MAX_MATCHES + 1)
    candidate_params = [*document_params, text, *([f"%{digits}%"] if digits else [])]
    found = list(
        tickets.filter(pk__in=RawSQL(candidates, candidate_params)).order_by().values_list("pk", flat=True)  # noqa: S611 (constants, values bound)
    )
    ranked = (
        tickets.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", [found]))  # noqa: S611 (a bound list)
        .annotate(
            search_score=RawSQL(_SCORE, [*terms, (digits or "").zfill(10), text]),  # noqa: S611
            search_title=RawSQL(_TITLE, terms),  # noqa: S611
            search_description=RawSQL(_DESCRIPTION, terms),  # noqa: S611
            search_comment=RawSQL(_COMMENT, terms * 2),  # noqa: S611
        )
        .order_by("-search_score", "-updated_at", "-id")
    )
    return ranked, len(found)


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

    Three queries whatever the number of matches. PostgreSQL: the words' stems and shares, the candidates'
    ids (their number is the count), the page's tickets with their organization, requester, assignee and
    team. Elsewhere: the count (at most ``MAX_MATCHES`` + 1 matter), the page's tickets.
    """
    query = clean_query(query)
    words = search_words(query)
    if not words:
        return SearchResults(query=query, hits=[], total=0, more=False, page=1, pages=1)
    visible = Ticket.objects.visible_to(user)
    highlighted = connections[visible.db].vendor == "postgresql"
    if highlighted:
        matched, total = _postgres(visible, query, words)
    else:
        matched = _fallback(visible, query, words)
        total = matched.order_by().count()
    more = total > MAX_MATCHES
    total = min(total, MAX_MATCHES)
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = list(
        matched.select_related("organization", "created_by", "assignee", "service_team")[
            (page - 1) * per_page : page * per_page
        ]
    )
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
