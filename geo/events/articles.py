"""Read articles: plain text, Markdown and HTML files, folders of them, or stdin.

Metadata (title, publisher, URL, publication date) comes from the document itself: a
front-matter block at the top of a text file, a sidecar file ``NAME.meta.json`` beside
it, HTML metadata, or a dateline in the first lines ("Sunday 27 February 2022 09:55
EST"). The encoding is detected (BOM, UTF-8, then charset detection for cp1251 and
others). HTML is reduced to its main text with trafilatura, which drops page chrome:
navigation, share prompts, donation appeals, comments.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

from charset_normalizer import from_bytes

from geo.errors import ArticleError
from geo.events.language import detect_language
from geo.parse.pipeline import MAX_CHARS

SUFFIXES = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown",
            ".html": "html", ".htm": "html", ".xhtml": "html"}  # fmt: skip
MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], 1)}  # fmt: skip
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9
# Ukrainian and Russian months as dates write them (genitive: "27 лютого", "27 февраля").
CYRILLIC_MONTHS = (
    ("січня", "лютого", "березня", "квітня", "травня", "червня", "липня", "серпня", "вересня", "жовтня",
     "листопада", "грудня"),
    ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
     "ноября", "декабря"),
)  # fmt: skip
for _names in CYRILLIC_MONTHS:
    MONTHS.update({name: i for i, name in enumerate(_names, 1)})
_MONTH = (
    r"(January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec|"
    + "|".join(n for ns in CYRILLIC_MONTHS for n in ns)
    + r")\.?"
)
DATELINE_RES = (
    re.compile(rf"\b(\d{{1,2}})\s+{_MONTH}\s+(\d{{4}})\b", re.I),
    re.compile(rf"\b{_MONTH}\s+(\d{{1,2}}),?\s+(\d{{4}})\b", re.I),
    re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"),
)
MAX_FILE_BYTES = 4 * MAX_CHARS  # HTML carries its markup
YEARS = range(1800, 2201)  # dates outside are typos or placeholders, not publication dates
DATELINE_CHARS = 1500  # a dateline sits near the top


@dataclass
class Article:
    """An article's clean text and what is known about it."""

    text: str
    title: str | None = None
    source: str | None = None  # the publisher
    url: str | None = None
    published: date | None = None
    date_origin: str = "unknown"  # front matter, sidecar, html metadata, dateline, given
    path: str | None = None
    encoding: str = "utf-8"
    extra: dict = field(default_factory=dict)
    language: str | None = None  # ISO 639-1, detected when the article is read

    @property
    def id(self) -> str:
        """A content hash: the same text is the same article, wherever it comes from.
        Computed once per text (every event and mention of a long article asks for it)."""
        cached = self.__dict__.get("_id")
        if cached is None or cached[0] is not self.text:
            digest = hashlib.sha256(" ".join(self.text.split()).encode("utf-8")).hexdigest()[:16]
            cached = self.__dict__["_id"] = (self.text, digest)
        return cached[1]

    @property
    def words(self) -> int:
        return len(self.text.split())


def iter_paths(paths: Iterable[Path]) -> Iterator[Path]:
    """Every article file under ``paths`` (folders are read recursively), sorted."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
        else:
            yield path


def read_article(path: Path) -> Article:
    """Read one file as an article; raises ArticleError naming the file and the problem."""
    try:
        if not path.is_file():
            raise ArticleError(f"{path} is not a regular file (a folder, a pipe or a device): give a text, "
                               "Markdown or HTML file.")  # fmt: skip
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ArticleError(f"{path} is {size / 1e6:.0f} MB; the limit is {MAX_FILE_BYTES / 1e6:.0f} MB "
                               f"({MAX_CHARS / 1e6:.0f} MB of text). Split it first.")  # fmt: skip
        data = path.read_bytes()
    except OSError as err:
        raise ArticleError(f"Cannot read {path}: {err.strerror}.") from err
    kind = SUFFIXES.get(path.suffix.lower(), "text")
    article = parse_article(data, kind=kind, name=str(path))
    article.path = str(path)
    sidecar = _sidecar(path)
    if sidecar:
        apply_metadata(article, sidecar, "sidecar")
    return article


def parse_article(data: bytes | str, *, kind: str = "text", name: str = "<input>", **metadata) -> Article:
    """An article from raw bytes or text. ``metadata`` (title, date, source, url) wins."""
    text, encoding = (data, "utf-8") if isinstance(data, str) else decode(data, name)
    if kind == "html" or (kind == "text" and _looks_like_html(text)):
        article = _from_html(text, name)
    else:
        article = _from_text(text)
    article.encoding = encoding
    if not article.text.strip():
        raise ArticleError(f"{name} has no text to read.")
    article.language = detect_language(article.text)
    if metadata:
        apply_metadata(article, metadata, "given")
    return article


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Bytes to text: BOM, then UTF-8, then charset detection (cp1251, latin-1...)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as err:
            raise ArticleError(f"{name} starts like UTF-16 but is not: {err}.") from err
    binary = ArticleError(
        f"{name} looks binary, not text (it contains NUL bytes). Give a text, Markdown or HTML file."
    )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and "\x00" not in text[:4096]:
        return text, "utf-8"
    if b"\x00" in data[:4096]:  # UTF-16 without a BOM, or binary
        for codec in ("utf-16-le", "utf-16-be"):
            try:
                decoded = data.decode(codec)
            except UnicodeDecodeError:
                continue
            if _looks_like_writing(decoded[:2048]):
                return decoded, codec
        raise binary
    best = from_bytes(data).best()
    if best is None:
        raise ArticleError(f"{name}: cannot tell the text encoding. Convert it to UTF-8 first.")
    return str(best), best.encoding


def _looks_like_writing(text: str) -> bool:
    """Mostly letters of alphabetic scripts (Latin, Cyrillic, Arabic...), digits, spaces and
    punctuation: what text decoded with the right codec looks like, and binary does not."""
    if not text or "\x00" in text:
        return False
    usual = sum(ch.isspace() or (ch < "\u0800" and ch.isprintable()) for ch in text)
    return usual >= 0.9 * len(text)


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:500].lower()
    return head.startswith(("<!doctype html", "<html")) or ("<body" in head and "</" in text)


def _from_html(html: str, name: str) -> Article:
    import trafilatura  # imported on the first HTML page: it takes half a second

    try:
        result = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
        if result is None:  # libxml2 stops at 256 nested elements: flatten and try again
            shallow = _shallow_html(html)
            if shallow is not None:
                result = trafilatura.bare_extraction(shallow, with_metadata=True, include_comments=False)
    except Exception as err:  # trafilatura raises many kinds on broken markup
        raise ArticleError(f"{name}: cannot read the HTML ({type(err).__name__}: {err}).") from err
    if result is None:
        raise ArticleError(f"{name}: no article text found in the HTML.")
    fields = result if isinstance(result, dict) else result.as_dict()
    article = Article(text=fields.get("text") or "", title=fields.get("title"), url=fields.get("url"),
                      source=fields.get("sitename"))  # fmt: skip
    published = _parse_date(fields.get("date"))
    if published:
        article.published, article.date_origin = published, "html metadata"
    else:
        _date_from_dateline(article)
    return article


MAX_NESTING = 150  # wrappers kept in depth; libxml2, under trafilatura, gives up past 256
MAX_WRITTEN = 240  # and text blocks (paragraphs, headings, lists) too, below that limit
REPEATS_FROM = 64  # deeper than this, a wrapper just like its parent is left out
VOID_TAGS = frozenset(("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
                       "source", "track", "wbr"))  # fmt: skip
TEXT_BLOCKS = frozenset(("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
                         "blockquote", "pre", "table", "thead", "tbody", "tr", "td", "th", "article", "main",
                         "time", "title", "head", "body", "html"))  # fmt: skip
HIDDEN = frozenset(("script", "style", "noscript", "template", "textarea", "svg", "math", "iframe"))  # no text


class _Flattener(HTMLParser):
    """Re-write HTML with runs of nested wrappers (div, span, section...) cut down below
    libxml2's depth limit, as a stream: any depth, no tree, no recursion. A wrapper just
    like its parent goes first (the usual shape: thousands of the same <div>); past
    ``MAX_NESTING`` any wrapper does; text, paragraphs and the other elements' attributes
    (what tells an article from comments and share buttons) stay."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.stack: list[tuple[str, bool, str]] = []  # (tag, written, start tag as written)
        self.open: Counter[str] = Counter()  # tags in the stack, for stray end tags in O(1)
        self.written = 0  # elements open in the output
        self.muted = 0  # script, style... left out, whose content must not become text
        self.deepest = 0

    def handle_starttag(self, tag, attrs):
        raw = self.get_starttag_text() or f"<{tag}>"
        if tag in VOID_TAGS:
            self.out.append(raw)
            return
        if tag in TEXT_BLOCKS:
            written = self.written < MAX_WRITTEN
        else:
            repeat = len(self.stack) >= REPEATS_FROM and self.stack[-1][2] == raw
            written = not repeat and self.written < MAX_NESTING
        self.stack.append((tag, written, raw))
        self.open[tag] += 1
        self.deepest = max(self.deepest, len(self.stack))
        if tag in HIDDEN and not written:
            self.muted += 1
        if written:
            self.written += 1
            self.out.append(raw)

    def handle_startendtag(self, tag, attrs):
        self.out.append(self.get_starttag_text() or f"<{tag}/>")

    def handle_endtag(self, tag):
        if not self.open[tag]:
            return  # a stray end tag: the browser ignores it too
        while self.stack:
            open_tag, written, _raw = self.stack.pop()
            self.open[open_tag] -= 1
            if open_tag in HIDDEN and not written:
                self.muted -= 1
            if written:
                self.written -= 1
                self.out.append(f"</{open_tag}>")
            if open_tag == tag:
                return

    def handle_data(self, data):
        if not self.muted:
            self.out.append(data)

    def handle_entityref(self, name):
        if not self.muted:
            self.out.append(f"&{name};")

    def handle_charref(self, name):
        if not self.muted:
            self.out.append(f"&#{name};")

    def handle_comment(self, data):
        pass

    def handle_decl(self, decl):
        self.out.append(f"<!{decl}>")


def _shallow_html(html: str) -> str | None:
    """The page with its runs of nested wrappers cut down, or None when it nests no deeper
    than ``MAX_NESTING`` (then depth is not why no text was found)."""
    flattener = _Flattener()
    flattener.feed(html)
    flattener.close()
    if flattener.deepest <= MAX_NESTING:
        return None
    return "".join(flattener.out)


def _from_text(text: str) -> Article:
    meta, body = _front_matter(text)
    article = Article(text=body)
    if meta:
        apply_metadata(article, meta, "front matter")
    if article.published is None:
        _date_from_dateline(article)
    return article


def _front_matter(text: str) -> tuple[dict, str]:
    """A ``---``-fenced block of ``key: value`` lines at the very top."""
    match = re.match(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n", text, re.S)
    if not match:
        return {}, text
    meta = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            meta[key.strip().lower()] = value.strip().strip("\"'")
    return meta, text[match.end() :]


def _sidecar(path: Path) -> dict | None:
    for candidate in (path.with_name(path.name + ".meta.json"), path.with_suffix(".meta.json")):
        if candidate.is_file():
            try:
                text, _encoding = decode(candidate.read_bytes(), str(candidate))
                meta = json.loads(text)
            except (OSError, json.JSONDecodeError) as err:
                raise ArticleError(f"{candidate}: the sidecar metadata is not valid JSON ({err}).") from err
            except RecursionError as err:
                raise ArticleError(
                    f"{candidate}: the sidecar metadata is nested too deeply to read."
                ) from err
            if not isinstance(meta, dict):
                raise ArticleError(f"{candidate}: the sidecar metadata must be a JSON object.")
            return meta
    return None


def apply_metadata(article: Article, meta: dict, origin: str) -> None:
    if meta.get("title"):
        article.title = str(meta["title"])
    source = meta.get("source") or meta.get("publisher")
    if source:
        article.source = str(source)
    if meta.get("url"):
        article.url = str(meta["url"])
    if meta.get("date") or meta.get("published"):
        raw = meta.get("date") or meta.get("published")
        published = _parse_date(str(raw))
        if published is None:
            raise ArticleError(
                f"Cannot read the date {raw!r} ({origin}): write it as YYYY-MM-DD, "
                f"a year from {YEARS.start} to {YEARS.stop - 1}."
            )
        article.published, article.date_origin = published, origin


def _parse_date(value: str | None) -> date | None:
    if not value:
        return None
    match = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", value)
    if match:
        try:
            found = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
        return found if found.year in YEARS else None
    return _first_date(value)


def _first_date(text: str) -> date | None:
    best = None
    for pattern in DATELINE_RES:
        match = pattern.search(text)
        if not match:
            continue
        groups = match.groups()
        try:
            if pattern is DATELINE_RES[0]:
                found = date(int(groups[2]), MONTHS[groups[1].lower().rstrip(".")], int(groups[0]))
            elif pattern is DATELINE_RES[1]:
                found = date(int(groups[2]), MONTHS[groups[0].lower().rstrip(".")], int(groups[1]))
            else:
                found = date(int(groups[0]), int(groups[1]), int(groups[2]))
        except (ValueError, KeyError):
            continue
        if found.year not in YEARS:
            continue  # "valid until 9999-12-31" is not when the article was written
        if best is None or match.start() < best[0]:
            best = (match.start(), found)
    return best[1] if best else None


def _date_from_dateline(article: Article) -> None:
    found = _first_date(article.text[:DATELINE_CHARS])
    if found:
        article.published, article.date_origin = found, "dateline"
