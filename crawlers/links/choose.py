"""Generic list-block detection, part 2: choose the list block(s) among a page's candidates.

Input: the ``Candidate`` values of a page in document order (``links.blocks``) and
whether the page has a pager. Output: a ``Choice``: the chosen ``Block`` values (container,
links, dated links, why) and their links, deduplicated, in page order. Rules:

1. Groups (same tag path) with a listed link compete; the highest score wins: the sum over
   distinct URLs of their best weight. In a mostly dated group, links sharing one dynamic URL
   pattern (same path and query keys, e.g. VSB ``content.jsp?…&wbnewsid=N``) count as
   article-shaped: the block's shape, not the URL alone, says they are articles; and a block
   printing dates on its items scores up to 1.5 times more than an undated one.
2. The winner's items are split into blocks by their container. On a paged list page, or when
   the largest block dominates (≥ 10 items, and twice all others together, or twice each of
   at most two others), only blocks near the largest one are kept (same parent, or a common
   ancestor two levels up and at least half its size): a sidebar marked up like the list
   stays out, a list split in two columns stays in (and a list wrapping each item on its own, in
   blocks of one or two, is kept whole). Listed links of another shape in a chosen block's
   own container join it (a headline item with a picture among plain items).
3. Otherwise (a hub showing several columns' boxes) every other strongly listed group joins:
   at least 3 links, 80 % of them dated or article-shaped, titles of 8 characters on
   average, none in navigation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from crawlers.links.blocks import Candidate
from crawlers.links.model import HtmlElement, ListedLink, looks_like_article, unique

_FAMILY_BONUS = 1.5
_DATED_FACTOR = 0.5
_NEAR_LEVELS = 2
_MIN_BLOCK = 3  # blocks of one or two items: every item wrapped on its own, all are kept
_DOMINANT_ITEMS = 10
_JOIN_MIN_LINKS, _JOIN_DATED, _JOIN_TITLE = 3, 0.8, 8.0


@dataclass(frozen=True, slots=True)
class Block:
    """One chosen list block: where it is, what it gave and why it was chosen."""

    where: str  # e.g. "ul.news_list" or "div.zwgk-box.tzgg > ul.box-list"
    links: int
    dated: int
    item: str  # the repeated item's tag
    reason: str

    def describe(self) -> str:
        return (f"block {self.where}: {self.links} links, {self.dated} dated, "
                f"repeated {self.item} structure; {self.reason}")


@dataclass(frozen=True, slots=True)
class Choice:
    links: list[ListedLink] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)


def _pattern(url: str) -> tuple[str, str, tuple[str, ...]] | None:
    parts = urlsplit(url)
    keys = tuple(sorted(k for k, _ in parse_qsl(parts.query, keep_blank_values=True)))
    return (parts.netloc, parts.path, keys) if keys else None


def _family_urls(members: Sequence[Candidate]) -> set[str]:
    """URLs of the group's dominant dynamic pattern, when the group is mostly dated."""
    urls = {c.link.url for c in members}
    if sum(c.shown for c in members) * 2 < len(members):
        return set()
    by_pattern: dict[tuple[str, str, tuple[str, ...]], set[str]] = {}
    for url in urls:
        key = _pattern(url)
        if key is not None:
            by_pattern.setdefault(key, set()).add(url)
    best = max(by_pattern.values(), key=len, default=set())
    return best if len(best) >= 3 and len(best) * 2 >= len(urls) else set()


def score(members: Sequence[Candidate]) -> float:
    """Sum over distinct URLs of their best weight, times ``1 + ½ × share shown dated``: a
    block that prints a date on its items is a column, more than any undated link cluster."""
    family = _family_urls(members)
    seen: dict[str, float] = {}
    for cand in members:
        url = cand.link.url
        bonus = _FAMILY_BONUS if url in family and not looks_like_article(url) else 0.0
        seen[url] = max(seen.get(url, 0.0), cand.weight + bonus)
    shown = sum(c.shown for c in members) / len(members)
    return sum(seen.values()) * (1.0 + _DATED_FACTOR * shown)


def _container(cand: Candidate) -> HtmlElement:
    parent = cand.item.getparent() if cand.item is not None else None
    return parent if parent is not None else cand.item


def _blocks(members: Sequence[Candidate]) -> list[list[Candidate]]:
    order: list[HtmlElement] = []
    split: dict[HtmlElement, list[Candidate]] = {}
    for cand in members:
        key = _container(cand)
        if key not in split:
            order.append(key)
            split[key] = []
        split[key].append(cand)
    return [split[key] for key in order]


def _levels_to_common(start: HtmlElement, other: HtmlElement) -> int:
    ancestors = [other, *other.iterancestors()]  # held: lxml proxies are made on demand
    for level, element in enumerate([start, *start.iterancestors()]):
        if any(element is a for a in ancestors):
            return level
    return 99


def _near(levels: int, size: int, largest: int) -> bool:
    """A block beside the largest (same parent), or a cousin of comparable size (a list split
    in two columns); a smaller cousin is a sidebar."""
    return levels <= 1 or (levels <= _NEAR_LEVELS and 2 * size >= largest)


def _distinct(members: Sequence[Candidate]) -> int:
    return len({c.link.url for c in members})


def _strong(members: Sequence[Candidate]) -> bool:
    """A box of its own column: enough links, nearly all dated or article-shaped (a picture
    news box shows no dates), titles longer than menu labels, none in navigation."""
    count = _distinct(members)
    evident = sum(c.link.date is not None or looks_like_article(c.link.url) for c in members)
    title = sum(len(c.link.title) for c in members) / max(1, len(members))
    return (count >= _JOIN_MIN_LINKS and evident >= _JOIN_DATED * len(members)
            and title >= _JOIN_TITLE and not any(c.nav for c in members))


def _dominant(largest: int, others: list[int]) -> bool:
    """One list much bigger than the rest: a list page (with a sidebar or two), not a hub,
    whose boxes (one big, several small) together outweigh any one of them."""
    if largest < _DOMINANT_ITEMS:
        return False
    return 2 * sum(others) <= largest or (len(others) <= 2 and all(2 * n <= largest
                                                                   for n in others))


def _where(members: Sequence[Candidate]) -> str:
    container = _container(members[0])
    names = []
    for element in [container, container.getparent()]:
        if element is None or not isinstance(element.tag, str) or element.tag == "body":
            break
        classes = ".".join((element.get("class") or "").split()[:2])
        ident = f"#{element.get('id')}" if element.get("id") and not classes else ""
        names.append(f"{element.tag}{'.' + classes if classes else ident}")
    return " < ".join(names) or "body"


def _block(members: Sequence[Candidate], reason: str) -> Block:
    item = members[0].item
    return Block(where=_where(members), links=_distinct(members),
                 dated=len({c.link.url for c in members if c.link.date}),
                 item=str(item.tag) if item is not None else "a", reason=reason)


def _add_neighbours(candidates: Sequence[Candidate], blocks: list[list[Candidate]],
                    keep: set[int]) -> None:
    """Items of another shape in a chosen block's own container join it when their link is
    dated or article-shaped (a headline item with a picture and an ``<h3>`` among plain
    ``<li><a>`` items); links inside an item already chosen (tags, categories) do not."""
    homes = [(_container(members[0]), members) for members in blocks]
    items = {id(c.item) for members in blocks for c in members}  # items held by candidates
    for cand in candidates:
        if id(cand) in keep or cand.nav or cand.item is None or not (
                cand.link.date or looks_like_article(cand.link.url)):
            continue
        if id(cand.item) in items:
            continue  # a tag or category link inside an item already listed
        where = _container(cand)
        for home, members in homes:
            if where is home:
                members.append(cand)
                keep.add(id(cand))
                break


def _chosen_blocks(winner: list[Candidate], joining: list[list[Candidate]], paged: bool
                   ) -> list[tuple[list[Candidate], str]]:
    """Rules 2 and 3: the winner's blocks near its largest one on a list page, or every
    block of the winner and of the joining groups on a hub."""
    blocks = _blocks(winner)
    largest = max(blocks, key=_distinct)
    sizes = [_distinct(b) for b in blocks if b is not largest]
    sizes += [_distinct(b) for g in joining for b in _blocks(g)]
    why = f"highest-scoring repeated links ({score(winner):.0f})"
    if paged or _dominant(_distinct(largest), sizes):
        home = _container(largest[0])
        kept = [b for b in blocks if _distinct(largest) < _MIN_BLOCK
                or _near(_levels_to_common(home, _container(b[0])), _distinct(b),
                         _distinct(largest))]
        return [(b, why + (", paged list" if paged else ", dominant list")) for b in kept]
    return [(b, why) for b in blocks] + [
        (b, "another list box (dated or article-shaped links) on a page without a pager")
        for g in joining for b in _blocks(g)]


def choose(candidates: Sequence[Candidate], paged: bool) -> Choice:
    """The list block(s) of a page and their links (rules in the module docstring)."""
    groups: dict[str, list[Candidate]] = {}
    for cand in candidates:
        groups.setdefault(cand.group, []).append(cand)
    lists = [members for members in groups.values() if any(c.listed for c in members)]
    if not lists:
        return Choice()
    winner = max(lists, key=score)
    joining = [] if paged else [g for g in lists if g is not winner and _strong(g)]
    chosen = _chosen_blocks(winner, joining, paged)
    keep = {id(c) for members, _ in chosen for c in members}
    _add_neighbours(candidates, [members for members, _ in chosen], keep)
    links = unique([c.link for c in candidates if id(c) in keep])
    position = {id(c): i for i, c in enumerate(candidates)}
    ordered = sorted(chosen, key=lambda pair: position[id(pair[0][0])])
    return Choice(links=links, blocks=[_block(b, reason) for b, reason in ordered])
