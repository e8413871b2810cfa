"""PDF (the print edition) → the text the book parser reads.

pypdf extracts each page's text with the font and size of every piece, so the layout can say
what a text dump cannot: a line set larger (or bold, in a book set in roman) than the body is
a heading, and the sizes rank the headings into parts and sections. What is not read aloud is
left out: running headers and footers (a line at the top or bottom of a page that, digits
aside, recurs on several pages) and page numbers. Paragraphs are found from the spacing and
first-line indents, and a word hyphenated at a line's end is rejoined — without its hyphen
when the book writes the word whole elsewhere (or nowhere writes it hyphenated).

A PDF with no heading set apart by its type goes to the plain-text rules (plain.py), which
know the keyword headings and furniture of text dumps.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from audiobook.book.headings import match_keyword_heading
from audiobook.errors import InputError

HEADING_SCALE = 1.12  # a line this much larger than the body text is a heading
FURNITURE_REPEATS = 3  # a top or bottom line recurring on this many pages is a running header or footer
PARAGRAPH_GAP = 1.35  # a gap between lines this many times the usual line spacing starts a paragraph
MAX_HEADING_WORDS = 20
SMALL_PRINT = 0.92  # a short line this much smaller than the text, at a page's top or foot, is furniture
_PAGE_NUMBER = re.compile(r"^\s*(?:page\s+)?[-–—(]?\s*(?:\d{1,4}|[ivxlcdm]{1,7})\s*[-–—)]?\s*$", re.IGNORECASE)
_TYPESET = {0xFB00: "ff", 0xFB01: "fi", 0xFB02: "fl", 0xFB03: "ffi", 0xFB04: "ffl", 0xFB05: "st", 0xFB06: "st",
            0x00AD: None}  # ligatures as letters ("ﬁnd": "find"), soft hyphens gone
_BOLD = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)


@dataclass
class _Line:
    text: str
    size: float  # the type size most of its characters are set in, in points
    bold: bool  # every character in a bold face
    x: float
    y: float
    page: int


def read_pdf(path: Path) -> tuple[str, bool, dict[str, str]]:
    """(the text — Markdown where the layout marks headings, else plain lines —, whether it is
    Markdown, metadata: title and author from the PDF's own information)."""
    pages, meta = _read_pages(path)
    lines = [line for page in pages for line in page]
    if sum(len(line.text.split()) for line in lines) < 20:
        raise InputError(f"{path}: this PDF has no text (a scan, or pictures of pages): export the text from the "
                         "program that made it, or use the EPUB or the manuscript")
    furniture = _furniture(pages)
    body = _body_size(lines, furniture)
    known = Counter(w.lower() for line in lines for w in re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", line.text))
    levels = _heading_levels(lines, furniture, body)
    if not levels:
        return _plain(pages, furniture, known), False, meta
    return _markdown(pages, furniture, levels, body, known, meta), True, meta


def _read_pages(path: Path) -> tuple[list[list[_Line]], dict[str, str]]:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PyPdfError
    except ImportError:  # pragma: no cover - a dependency
        raise InputError(f"{path}: reading PDF needs pypdf (pip install pypdf)") from None
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not _decrypts(reader):
            raise InputError(f"{path}: this PDF is protected (encrypted, with a password or DRM): use the publisher's "
                             "manuscript or an unprotected export")
        pages = [_page_lines(page, n) for n, page in enumerate(reader.pages)]
        info = reader.metadata or {}
    except InputError:
        raise
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, AssertionError, NotImplementedError) as exc:  # (a filter it does not know)
        raise InputError(f"{path}: not a PDF we can read ({type(exc).__name__}: {exc}) — the file may be damaged or "
                         "cut short: export or download it again") from None
    meta = {}
    for key, name in (("title", "/Title"), ("author", "/Author")):
        value = " ".join(str(info.get(name) or "").split())
        if value:
            meta[key] = value
    return pages, meta


def _decrypts(reader) -> bool:
    """An encrypted PDF that opens with the empty password (printing or copying restricted only)."""
    try:
        return bool(reader.decrypt(""))
    except Exception:  # noqa: BLE001 - pypdf raises its own or a missing crypto library's errors
        return False


def _page_lines(page, number: int) -> list[_Line]:
    """The page's lines in reading order, each with its size, weight and place."""
    lines: list[_Line] = []
    pieces: list[tuple[str, float, bool]] = []
    where: list[tuple[float, float]] = []

    def visit(text, cm, tm, font, size) -> None:
        for n, chunk in enumerate(text.split("\n")):
            if n:
                _close(lines, pieces, where, number)
            if chunk:
                scale = (abs(tm[3]) or abs(tm[0]) or 1.0) * (abs(cm[3]) or abs(cm[0]) or 1.0)
                name = str(font.get("/BaseFont", "")) if font else ""
                pieces.append((chunk, float(size) * scale, bool(_BOLD.search(name))))
                if not where and chunk.strip():
                    where.append((tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]))

    page.extract_text(visitor_text=visit)
    _close(lines, pieces, where, number)
    lines.sort(key=lambda line: -round(line.y))  # top to bottom, whatever order the page was drawn in
    return _drop_caps(lines)


def _drop_caps(lines: list[_Line]) -> list[_Line]:
    """A paragraph's first letter set large ("T" beside "he bourgeois world…") is put back."""
    sizes = sorted(line.size for line in lines)
    body = sizes[len(sizes) // 2] if sizes else 0.0
    out = list(lines)
    for cap in lines:
        if len(cap.text) == 1 and cap.text.isalpha() and cap.text.isupper() and cap.size >= 1.5 * body:
            rest = [line for line in out if line is not cap and line.text[:1].islower()
                    and abs(line.y - cap.y) <= cap.size and line.x > cap.x]
            if rest:
                first = max(rest, key=lambda line: line.y)  # the top line beside it
                first.text = cap.text + first.text
                out.remove(cap)
    return out


def _close(lines: list[_Line], pieces: list, where: list, page: int) -> None:
    text = " ".join("".join(p[0] for p in pieces).translate(_TYPESET).split())
    if text:
        sizes: Counter = Counter()
        for chunk, size, _ in pieces:
            sizes[round(size, 1)] += len(chunk.strip())
        bold = all(b for chunk, _, b in pieces if chunk.strip())
        x, y = where[0] if where else (0.0, 0.0)
        lines.append(_Line(text, sizes.most_common(1)[0][0], bold, x, y, page))
    pieces.clear()
    where.clear()


def _shape(line: _Line) -> tuple[str, float]:
    """A line as it recurs on every page: digits aside, in the same size (a chapter's heading is
    not the running header that repeats its words)."""
    return re.sub(r"\d+", "#", line.text.lower()), round(line.size)


def _furniture(pages: list[list[_Line]]) -> set[int]:
    """ids of the lines that are running headers, footers and page numbers: at a page's top or
    foot, a page number, a line recurring on several pages, or a short one set smaller than the
    text (a short chapter's running header recurs too seldom to be known by that)."""
    edges = [line for page in pages for line in page[:2] + page[-2:]]
    counts = Counter(_shape(line) for line in edges)
    body = _body_size([line for page in pages for line in page], set())
    out = set()
    for page in pages:
        gap = _usual_gap(page, set())
        for k, line in enumerate(page):
            if 1 < k < len(page) - 2:
                continue
            at_top = k < 2 and k + 1 < len(page)
            neighbour = page[k + 1] if at_top else page[k - 1] if k > 0 else line  # the text it stands apart from
            apart = abs(line.y - neighbour.y) > gap * PARAGRAPH_GAP or abs(line.size - body) >= 0.5 \
                if neighbour is not line else True
            number = _PAGE_NUMBER.match(line.text) and line.size < body * HEADING_SCALE  # "IV" set large heads a chapter
            if number or (counts[_shape(line)] >= FURNITURE_REPEATS and apart
                                                 and len(line.text) <= 100):
                out.add(id(line))
        for line in page[:1] + page[-1:]:
            if line.size < body * SMALL_PRINT and len(line.text.split()) <= 12:
                out.add(id(line))
    return out


def _body_size(lines: list[_Line], furniture: set[int]) -> float:
    sizes: Counter = Counter()
    for line in lines:
        if id(line) not in furniture:
            sizes[line.size] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 0.0


def _body_is_bold(lines: list[_Line], furniture: set[int], body: float) -> bool:
    chars = Counter()
    for line in lines:
        if id(line) not in furniture and line.size == body:
            chars[line.bold] += len(line.text)
    return chars[True] > chars[False]


def _heading_levels(lines: list[_Line], furniture: set[int], body: float) -> dict[float | str, int]:
    """Heading sizes (and "bold", for bold lines in the body's size) → their level, 1 the largest.
    Empty when the layout sets no heading apart."""
    bold_body = _body_is_bold(lines, furniture, body)
    kinds: set[float | str] = set()
    for line in lines:
        if id(line) in furniture or len(line.text.split()) > MAX_HEADING_WORDS:
            continue
        if line.size >= body * HEADING_SCALE:
            kinds.add(line.size)
        elif line.bold and not bold_body and abs(line.size - body) < 0.5 and not line.text.endswith((".", ",", ";")):
            kinds.add("bold")
    sizes = sorted((k for k in kinds if k != "bold"), reverse=True)
    levels: dict[float | str, int] = {size: n + 1 for n, size in enumerate(sizes)}
    if "bold" in kinds:
        levels["bold"] = len(sizes) + 1
    return levels


def _level(line: _Line, levels: dict, body: float) -> int | None:
    if line.size in levels and line.size >= body * HEADING_SCALE:
        return levels[line.size]
    if line.bold and "bold" in levels and abs(line.size - body) < 0.5 and len(line.text.split()) <= MAX_HEADING_WORDS \
            and not line.text.endswith((".", ",", ";")):
        return levels["bold"]
    return None


def _markdown(pages, furniture, levels, body, known, meta) -> str:
    """Headings as Markdown (the largest once, on the first page, is the book's title), each
    paragraph on one line."""
    blocks: list[tuple[int | None, list[_Line]]] = []  # (heading level or None, its lines)
    for page in pages:
        gap = _usual_gap(page, furniture)
        margin = min((line.x for line in page if id(line) not in furniture and line.size == body), default=0.0)
        previous: _Line | None = None
        for line in page:
            if id(line) in furniture:
                continue
            level = _level(line, levels, body)
            same = blocks and previous is not None and blocks[-1][0] == level
            if level is not None:
                joins = same and abs(previous.size - line.size) < 0.5 and previous.y - line.y < 2.2 * line.size
                keyword_alone = (blocks and blocks[-1][0] is not None and previous is not None
                                 and (kh := match_keyword_heading(" ".join(x.text for x in blocks[-1][1])))
                                 and kh.title is None and match_keyword_heading(line.text) is None)
                if joins or keyword_alone:
                    blocks[-1][1].append(line)  # a heading wrapped, or "Chapter 3" over its title
                else:
                    blocks.append((level, [line]))
            else:
                if previous is None:  # a new page: a paragraph it cut carries on
                    last = blocks[-1] if blocks else None
                    new_para = not (last and last[0] is None and line.text[:1].islower()
                                    and not re.search(r"[.!?:\"”’)]$", last[1][-1].text))
                else:
                    new_para = (not same or previous.y - line.y > gap * PARAGRAPH_GAP
                                or line.x > margin + 0.8 * body)
                if new_para:
                    blocks.append((None, [line]))
                else:
                    blocks[-1][1].append(line)
            previous = line
    tops = [n for n, (level, _) in enumerate(blocks) if level == 1]
    title_at = tops[0] if len(tops) == 1 and blocks[tops[0]][1][0].page <= 1 else None
    byline = set()
    if title_at is not None:  # the title page: the title, and under it, with no text of its own, the author's name
        page = blocks[title_at][1][0].page
        on_page = [n for n, (_, group) in enumerate(blocks) if group[0].page == page]
        if all(blocks[n][0] is not None for n in on_page):
            byline = {n for n in on_page if n > title_at}
    out = []
    for n, (level, group) in enumerate(blocks):
        text = _join([line.text for line in group], known)
        if n == title_at:
            meta["title"] = text  # the layout's title before the file's information (often "Microsoft Word - ...")
            out.append(f"# {text}")  # over the headings one level down, as a manuscript's Title is
            continue
        if n in byline:
            if n == min(byline) and meta.get("author", "anonymous").lower() in ("anonymous", "unknown", ""):
                meta["author"] = re.sub(r"^by\s+", "", text, flags=re.IGNORECASE)
            continue
        if level is None:
            out.append(text)
        else:
            depth = level - (1 if title_at is not None else 0)
            out.append("#" * min(6, depth + 1) + " " + text)
    return "\n\n".join(out) + "\n"


def _plain(pages, furniture, known) -> str:
    """The text as lines, pages apart, for the plain-text rules; hyphenated words rejoined."""
    out = []
    for page in pages:
        gap = _usual_gap(page, furniture)
        kept = [line for line in page if id(line) not in furniture]
        for a, b in zip([None, *kept], kept):
            if a is not None and a.y - b.y > gap * PARAGRAPH_GAP:
                out.append("")
            out.append(b.text)
        out.append("")
    text = "\n".join(out)
    return re.sub(r"([^\W\d_]+)-\n(?=[a-z])([^\W\d_]+)", lambda m: _dehyphenate(m[1], m[2], known) + "\n", text)


def _usual_gap(page: list[_Line], furniture: set[int]) -> float:
    gaps = [a.y - b.y for a, b in zip(page, page[1:]) if id(a) not in furniture and id(b) not in furniture
            and 0 < a.y - b.y]
    gaps.sort()
    return gaps[len(gaps) // 2] if gaps else 14.0


def _join(texts: list[str], known: Counter) -> str:
    out = texts[0]
    for t in texts[1:]:
        m = re.search(r"([^\W\d_]+)-$", out)
        n = re.match(r"([^\W\d_]+)", t)
        if m and n and t[:1].islower():
            out = out[: m.start()] + _dehyphenate(m[1], n[1], known) + t[n.end():]
        else:
            out += " " + t
    return out


def _dehyphenate(left: str, right: str, known: Counter) -> str:
    """"revolu-" + "tion": "revolution", unless the book writes "semi-feudal" with its hyphen."""
    whole, hyphened = (left + right).lower(), f"{left}-{right}".lower()
    if known[hyphened] > known[whole]:
        return f"{left}-{right}"
    return left + right
