"""The text of a mail: the body part to read, HTML as plain text, the quoted history and signature cut off."""

import re
from email.message import EmailMessage
from html.parser import HTMLParser


class _HTMLToText(HTMLParser):
    """Plain text of an HTML mail; text inside <blockquote> comes out quoted with "> "."""

    BREAKS = {
        "br", "p", "div", "li", "tr", "table", "ul", "ol", "hr", "pre", "blockquote", "section", "article",
        "header", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd",
    }
    HIDDEN = {"script", "style", "head", "title", "template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.current_depth = 0
        self.quote_depth = 0
        self.hidden_depth = 0
        self.pre_depth = 0

    def _break(self):
        text = "".join(self.current).strip()
        if text:
            self.lines.append("> " * self.current_depth + text)
        elif self.lines and self.lines[-1]:
            self.lines.append("")
        self.current = []

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden_depth += 1
        elif tag in self.BREAKS:
            self._break()
        if tag == "blockquote":
            self.quote_depth += 1
        elif tag == "pre":
            self.pre_depth += 1
        elif tag == "hr":
            self.lines.append("________________________________")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in {"br", "hr"}:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self.hidden_depth = max(0, self.hidden_depth - 1)
        elif tag in self.BREAKS:
            self._break()
        if tag == "blockquote":
            self.quote_depth = max(0, self.quote_depth - 1)
        elif tag == "pre":
            self.pre_depth = max(0, self.pre_depth - 1)

    def handle_data(self, data):
        if self.hidden_depth:
            return
        if not self.current:
            self.current_depth = self.quote_depth
        if self.pre_depth:
            pieces = data.split("\n")
            self.current.append(pieces[0])
            for piece in pieces[1:]:
                self._break()
                self.current_depth = self.quote_depth
                self.current.append(piece)
        else:
            self.current.append(re.sub(r"\s+", " ", data))

    def text(self) -> str:
        self._break()
        return "\n".join(self.lines).strip()


def html_to_text(html: str) -> str:
    parser = _HTMLToText()
    parser.feed(html)
    parser.close()
    return parser.text()


def _part_text(part) -> str:
    try:
        text = part.get_content()
    except (LookupError, UnicodeError, AssertionError, KeyError):
        payload = part.get_payload(decode=True) or b""
        text = payload.decode("utf-8", errors="replace")
    if not isinstance(text, str):
        return ""
    return html_to_text(text) if part.get_content_subtype() == "html" else text


def body_parts(message: EmailMessage) -> tuple[object | None, str]:
    """The part the text is taken from (text/plain preferred, else HTML as text) and that text."""
    for preference in (("plain",), ("html",)):
        part = message.get_body(preferencelist=preference)
        if part is not None and not part.is_attachment():
            text = _part_text(part)
            if text.strip():
                return part, text.replace("\r\n", "\n").replace("\r", "\n")
    return None, ""


# Quoted history and signatures ----------------------------------------------------------------------

_ATTRIBUTION = re.compile(
    r"^(?:On\s.{1,300}\swrote:"  # Gmail, Apple Mail, Thunderbird
    r"|Am\s.{1,300}\sschrieb.{0,200}:"  # German clients
    r"|Il\s.{1,300}\sha scritto:"  # Italian clients ("Il giorno ... ha scritto:")
    r"|Le\s.{1,300}\sa écrit\s?:"  # French clients
    r")$",
    re.IGNORECASE,
)
_ORIGINAL_MESSAGE = re.compile(
    r"^-{2,}\s*(?:Original Message|Ursprüngliche Nachricht|Original-Nachricht|Messaggio originale|"
    r"Message d'origine)\s*-{2,}$",
    re.IGNORECASE,
)
# Outlook's quoted header block: "From: …" followed by "Sent: …", "To: …" and the like.
_HEADER_FROM = re.compile(r"^\*?(?:From|Von|Da|De)\s*:\*?\s*\S", re.IGNORECASE)
_HEADER_NEXT = re.compile(
    r"^\*?(?:Sent|Date|To|Cc|Subject|Gesendet|Datum|An|Betreff|Inviato|Data|A|Oggetto|Envoyé|Objet|À)\s*:",
    re.IGNORECASE,
)
_MOBILE_SIGNATURE = re.compile(
    r"^(?:Sent from my \S.*|Get Outlook for \S.*|Von meinem \S.* gesendet|Inviato da(?:l mio)? \S.*)$",
    re.IGNORECASE,
)


def _cut_index(lines: list[str]) -> int:
    """Where the quoted history or the signature begins (len(lines) if nowhere)."""
    for index, line in enumerate(lines):
        stripped = line.strip()
        if line.rstrip("\r") in {"-- ", "--"}:
            return index
        if _ORIGINAL_MESSAGE.match(stripped):
            return index
        if _HEADER_FROM.match(stripped):
            following = [candidate.strip() for candidate in lines[index + 1 : index + 5] if candidate.strip()]
            if following and _HEADER_NEXT.match(following[0]):
                return index
        if stripped and not stripped.startswith(">"):
            # An attribution line may be wrapped over up to three lines.
            for span in (1, 2, 3):
                joined = " ".join(part.strip() for part in lines[index : index + span])
                if _ATTRIBUTION.match(joined):
                    return index
    return len(lines)


def strip_quoted_text(text: str) -> str:
    """The new part of a reply: no quoted history, no signature."""
    lines = text.replace("\r\n", "\n").split("\n")
    lines = lines[: _cut_index(lines)]
    lines = [line.rstrip() for line in lines if not line.lstrip().startswith(">")]
    while lines and (not lines[-1].strip() or set(lines[-1].strip()) <= {"_", "-"}):
        lines.pop()
    if lines and _MOBILE_SIGNATURE.match(lines[-1].strip()):
        lines.pop()
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
