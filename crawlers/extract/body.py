"""Main-content detection by block scoring (text, punctuation and link density).

Input: a parsed lxml document.  Output: the article body as text lines (paragraphs), plus
the chosen content element(s).  Paragraph-bearing elements score by length and punctuation
(short snippets with hardly any letters, or with a post time stamp as in forum reply lists,
score nothing); their scores flow to the parent and grandparent containers
(readability-style), damped by the container's link density; well-scoring siblings of the
winner are merged in (looked for beside the outermost wrapper that holds only the winner; a
data table there counts as continuation).  Inside the chosen container, link lists, hidden
elements and share/comment/navigation widgets are skipped when rendering text.
"""

from __future__ import annotations

import re

from lxml import etree

from crawlers.extract.text import BLOCK_TAGS, SKIP_TAGS, norm_space, tag_of

_PUNCT = re.compile(r"[，。、；！？：,;!?“”]|\.(?=\s)")
_INLINE_HOLDERS = frozenset({"p", "li", "pre", "blockquote", "h2", "h3", "h4", "h5", "h6",
                             "dd", "dt", "figcaption"})
_NOISE = re.compile(
    r"(^|[-_\s])(share|sharing|social|comment|comments|related|recommend|breadcrumbs?|crumbs?|"
    r"pager|pagination|copyright|toolbar|sidebar|side|footer|foot|nav|navbar|menu|print|"
    r"fontsize|subscribe|newsletter|advert|ads?|sponsor|tags?|byline|promo|popup|modal|"
    r"cookie|login|bdsharebuttonbox|bshare|jiathis)([-_\s]|$)", re.I)
_WIDGET = re.compile(
    r"(^|[-_\s])(share|sharing|social|comments?|commentlist|replies|reply|related|recommend|"
    r"breadcrumbs?|pagination|copyright|sidebar|navbar|menu|subscribe|newsletter|advert|"
    r"sponsor|promo|popup|modal|cookie|login|bdsharebuttonbox|bshare)([-_\s]|$)", re.I)
_COMMENTS = re.compile(r"^(comments?|comment[-_]?(list|area|section|wrap|box|s)|replies|respond)$",
                       re.I)
_LETTER = re.compile(r"[^\W\d_]")
_STAMP = re.compile(r"(?<!\d)\d{1,2}[-/.]\d{1,2}\s+\d{1,2}:\d{2}(?!\d)")
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
POST_TIME = re.compile(
    r"(?<!\d)(?:(?:19|20)\d{2}[-/.年])?\d{1,2}[-/.月]\d{1,2}日?\s*\d{1,2}:\d{2}|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?"
    r"\s+(?:19|20)\d{2},?\s+(?:at\s+)?\d{1,2}:\d{2}", re.I)
_CLOCK = re.compile(r"\d:\d\d")
THREAD_STAMPS = 3  # post times a container may hold before it looks like a thread
LEVEL_WEIGHTS = (1.0, 0.5, 0.34)
Stats = dict[etree._Element, float]


def _own_text(node: etree._Element) -> str:
    parts = [node.text or ""]
    parts += [child.tail or "" for child in node]
    return norm_space("".join(parts))


def _is_hidden(node: etree._Element) -> bool:
    return bool(node.get("hidden") is not None or _HIDDEN.search(node.get("style") or ""))


def prune(root: etree._Element) -> None:
    """Drop scripts, styles, forms controls, hidden elements and page navigation."""
    for el in root.xpath("//*[@hidden or @style]"):
        if _is_hidden(el) and el.getparent() is not None:
            el.tag = "script"
    etree.strip_elements(root, *SKIP_TAGS, "nav", "footer", etree.Comment, etree.PI,
                         with_tail=False)


def _paragraph_value(text: str) -> float:
    """Content evidence of one paragraph: length and punctuation; 0 for short post stamps."""
    if len(text) < 40 and (_STAMP.search(text) or len(_LETTER.findall(text)) < 6):
        return 0.0
    return 1.0 + len(_PUNCT.findall(text)) + min(len(text) / 60.0, 4.0)


def _holder(node: etree._Element) -> etree._Element:
    """Nearest block-level ancestor-or-self of a text-bearing element."""
    cur: etree._Element | None = node
    while cur is not None and tag_of(cur) not in BLOCK_TAGS:
        cur = cur.getparent()
    return cur if cur is not None else node


def _paragraph_scores(root: etree._Element) -> Stats:
    """Scores of content containers from the paragraphs they (indirectly) hold."""
    scores: Stats = {}
    noisy = _noisy(root)
    for a in root.iter("a"):
        noisy.update(a.iter())
    for node in root.iter():
        tag = tag_of(node)
        if not tag or node in noisy:
            continue
        text = _own_text(node)
        if len(text) < 8:
            continue
        value = _paragraph_value(text)
        if value <= 0:
            continue
        holder = _holder(node)
        first = holder.getparent() if tag_of(holder) in _INLINE_HOLDERS else holder
        target: etree._Element | None = first
        for weight in LEVEL_WEIGHTS:
            if target is None:
                break
            scores[target] = scores.get(target, 0.0) + value * weight
            target = target.getparent()
    return scores


def link_density(node: etree._Element, text: str | None = None) -> float:
    """Share of a node's text (``text``, when already joined) that sits inside links."""
    total = len(norm_space(text if text is not None else "".join(node.itertext())))
    if total == 0:
        return 1.0
    linked = sum(len(norm_space("".join(a.itertext()))) for a in node.iter("a"))
    return min(1.0, linked / total)


def _noisy(root: etree._Element) -> set[etree._Element]:
    """Elements inside comment/share/navigation widgets (by class or id)."""
    noisy: set[etree._Element] = set()
    page_len = len(norm_space("".join(root.itertext())))
    for el in root.iter():
        if el in noisy or tag_of(el) in ("body", "html"):
            continue
        label = f"{el.get('class') or ''} {el.get('id') or ''}"
        if label.strip() and _WIDGET.search(label):
            tokens = [el.get("id") or "", *(el.get("class") or "").split()]
            strong = any(_COMMENTS.match(t) for t in tokens)
            if strong or len(norm_space("".join(el.itertext()))) < 0.4 * page_len:
                noisy.update(el.iter())
    return noisy


def best_container(root: etree._Element, scores: Stats) -> etree._Element | None:
    """The element most likely to hold the article body, given container scores."""
    if not scores:
        return None
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)[:12]
    final: Stats = {}
    for el, score in ranked:
        text = "".join(el.itertext())
        final[el] = score * (1.0 - link_density(el, text)) * _thread_factor(el, text)
    return max(final, key=lambda el: final[el])


def _thread_factor(node: etree._Element, text: str | None = None) -> float:
    """Damping for a container of many time-stamped posts (a comment or reply thread): an
    article carries one post time, a thread one per reply."""
    text = text if text is not None else "".join(node.itertext())
    if text.count(":") <= THREAD_STAMPS or len(_CLOCK.findall(text)) <= THREAD_STAMPS:
        return 1.0  # every post time has a clock time: no thread
    stamps = len(POST_TIME.findall(text))
    return 1.0 if stamps <= THREAD_STAMPS else THREAD_STAMPS / stamps


def _embeds_post(node: etree._Element) -> bool:
    """True for a wrapper of an embedded post or quote (a tweet in a "social-embed" box):
    its text is part of the article, whatever the wrapper's class name says."""
    return tag_of(node) == "blockquote" or next(node.iter("blockquote"), None) is not None


def _noise_node(node: etree._Element) -> bool:
    label = f"{node.get('class') or ''} {node.get('id') or ''}"
    if label.strip() and _NOISE.search(label) and not _embeds_post(node):
        return True
    tag = tag_of(node)
    if tag in ("ul", "ol", "div", "table", "dl") and len(node):
        text = norm_space("".join(node.itertext()))
        if text and link_density(node) > 0.6 and len(_PUNCT.findall(text)) < 3:
            return True
    return False


def _render(node: etree._Element, out: list[str], top: bool) -> None:
    tag = tag_of(node)
    if not top and (not tag or tag in SKIP_TAGS or _noise_node(node)):
        if node.tail:
            out.append(node.tail)
        return
    block = tag in BLOCK_TAGS
    out.append("\n" if block else "")
    out.append(node.text or "")
    for child in node:
        _render(child, out, False)
    out.append("\n" if block else "")
    if node.tail and not top:
        out.append(node.tail)


def render_lines(nodes: list[etree._Element]) -> list[str]:
    """Text lines of the chosen containers, skipping widgets and link lists."""
    out: list[str] = []
    for node in nodes:
        _render(node, out, True)
        out.append("\n")
    lines = (norm_space(x) for x in "".join(out).split("\n"))
    return [x for x in lines if x]


def _data_table(node: etree._Element, text: str) -> bool:
    """A table of data (rows of several cells, few links) beside the article text."""
    if tag_of(node) != "table" or len(text) < 200 or link_density(node) >= 0.2:
        return False
    rows = node.xpath("./tr|./tbody/tr|./thead/tr")
    wide = sum(1 for row in rows if len(row.xpath("./td|./th")) >= 2)
    return len(rows) >= 3 and wide * 2 >= len(rows)


def _unwrap(node: etree._Element, levels: int = 4) -> etree._Element:
    """The outermost wrapper holding only ``node`` (layout cells, single-child divs), so
    that continuation siblings (a data table after the text) are looked for at its level."""
    for _ in range(levels):
        parent = node.getparent()
        if parent is None or tag_of(parent) in ("body", "html"):
            break
        if sum(1 for child in parent if tag_of(child)) != 1:
            break
        node = parent
    return node


def content_nodes(root: etree._Element) -> list[etree._Element]:
    """The best container plus siblings that look like continuation of the article."""
    scores = _paragraph_scores(root)
    best = best_container(root, scores)
    if best is None:
        return []
    own = scores.get(best, 0.0)
    best = _unwrap(best)
    parent = best.getparent()
    if parent is None:
        return [best]
    chosen: list[etree._Element] = []
    for sib in parent:
        if sib is best:
            chosen.append(sib)
            continue
        text = norm_space("".join(sib.itertext()))
        good = (scores.get(sib, 0.0) >= max(10.0, own * 0.2) and link_density(sib) < 0.3
                and _thread_factor(sib) == 1.0)
        para = tag_of(sib) == "p" and len(text) > 60 and link_density(sib) < 0.25
        if good or para or _data_table(sib, text):
            chosen.append(sib)
    return chosen
