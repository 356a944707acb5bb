"""Editorial Markdown to HTML and to Typst markup, from one parse.

The analyst writes CommonMark; both outputs come from the same markdown-it token stream, so
the HTML and the PDF carry the same words. Raw HTML in the editorial file is not passed on.
"""

from __future__ import annotations

import re
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

_TYPST_SPECIAL = re.compile(r"([\\#*_`$@<>\[\]~/=+\-])")


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "typographer": False})


def to_html(markdown: str) -> str:
    """HTML for a Markdown fragment (headings shift down one level: the page has the h1)."""
    html = str(_parser().render(markdown))
    for level in (5, 4, 3, 2, 1):
        html = html.replace(f"<h{level}>", f"<h{level + 1}>")
        html = html.replace(f"</h{level}>", f"</h{level + 1}>")
    return html


def escape_typst(text: str) -> str:
    """Plain text as Typst markup: every character with a meaning is escaped."""
    return _TYPST_SPECIAL.sub(r"\\\1", text)


def to_typst(markdown: str) -> str:
    """Typst markup for a Markdown fragment: paragraphs, headings, lists, emphasis, links."""
    out: list[str] = []
    lists: list[str] = []  # "-" or "+" per open list
    for token in _parser().parse(markdown):
        kind = token.type
        if kind == "heading_open":
            out.append("=" * (int(token.tag[1]) + 1) + " ")
        elif kind in ("heading_close", "paragraph_close"):
            out.append("\n" if lists and kind == "paragraph_close" else "\n\n")
        elif kind == "bullet_list_open":
            lists.append("-")
        elif kind == "ordered_list_open":
            lists.append("+")
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
            out.append("\n")
        elif kind == "list_item_open":
            out.append("  " * (len(lists) - 1) + lists[-1] + " ")
        elif kind == "inline":
            out.append(_inline(token.children or []))
        elif kind in ("code_block", "fence"):
            out.append(f"#raw({_string(token.content)}, block: true)\n\n")
        elif kind == "hr":
            out.append("#line(length: 100%)\n\n")
    return "".join(out).strip() + "\n"


def _inline(tokens: list[Token]) -> str:
    out: list[str] = []
    for token in tokens:
        kind = token.type
        if kind == "text":
            out.append(escape_typst(token.content))
        elif kind == "strong_open":
            out.append("#strong[")
        elif kind == "em_open":
            out.append("#emph[")
        elif kind in ("strong_close", "em_close", "link_close"):
            out.append("]")
        elif kind == "link_open":
            out.append(f"#link({_string(str(token.attrs.get('href', '')))})[")
        elif kind == "code_inline":
            out.append(f"#raw({_string(token.content)})")
        elif kind == "softbreak":
            out.append(" ")
        elif kind == "hardbreak":
            out.append(" \\\n")
    return "".join(out)


def _string(text: str) -> str:
    """A Typst string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


typst_string = _string


def escape_markdown(text: str) -> str:
    """Plain text (from a register, not an analyst) as Markdown that means just that text."""
    return re.sub(r"([\\`*_{}\[\]<>#|])", r"\\\1", text)
