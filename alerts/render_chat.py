"""Pure rendering of alerts and digests as chat markdown (WeCom, DingTalk, Feishu, Teams).

Input: a ``Rule``, a ``ClassifiedArticle`` and the story's other sources, or a digest's
articles; the vendor's text limit (characters or UTF-8 bytes). Output: a one-line title and a
markdown text of whole lines that fits the limit (a line too long is cut without splitting a
character or a link; a digest says how many items it left out). Page text is neutralised by
``alerts.text`` (no mentions, links or formatting from a page).
"""

from __future__ import annotations

from alerts.render import StoryRef, english_line, labels_line, published_text, snippet, where
from alerts.render_digest import grouped, top_label
from alerts.text import Unit, cut, fit_lines, md_escape, md_link
from config.contracts.articles import ClassifiedArticle
from config.rules import Rule

TITLE_LIMIT = 120


def alert_title(article: ClassifiedArticle) -> str:
    return cut(md_escape(f"[cgtwatch] {article.title or article.url}"), TITLE_LIMIT)


def alert_lines(rule: Rule, article: ClassifiedArticle, others: list[StoryRef] | None = None,
                quote: str = "> ") -> list[str]:
    """The lines of one alert: linked title, where, labels, snippet, other sources, rule; or
    the rule's template (page text escaped as chat markdown) and the rule."""
    if rule.template is not None:
        from alerts.templates import render_body

        body = render_body(rule, article, "markdown")
        return [*body.split("\n"), f"rule {md_escape(rule.name)}"]
    labels = md_escape(labels_line(article).replace("_", " "))
    english = english_line(article, lambda text: md_escape(cut(text, 300))).splitlines()
    lines = [f"**{md_link(article.url, cut(article.title or article.url, 300))}**", *english,
             md_escape(where(article, rule.schedule.timezone)), f"**Labels:** {labels}",
             f"{quote}{md_escape(cut(snippet(article), 400))}"]
    if others:
        links = [md_link(o.url, o.source or o.title or o.url) for o in others[:10]]
        more = f" and {len(others) - 10} more" if len(others) > 10 else ""
        lines.append("**Also reported by:** " + ", ".join(links) + more)
    lines.append(f"rule {md_escape(rule.name)}")
    return lines


def alert_markdown(rule: Rule, article: ClassifiedArticle, others: list[StoryRef] | None,
                   limit: int, unit: Unit = "chars", quote: str = "> ") -> str:
    return fit_lines(alert_lines(rule, article, others, quote), limit, unit,
                     more="({n} more lines left out)")


def digest_lines(rule: Rule, title: str, articles: list[ClassifiedArticle]) -> list[str]:
    lines = [f"**{md_escape(title)}**", f"{len(articles)} alert(s), rule {md_escape(rule.name)}"]
    for (label, region), items in grouped(rule, articles):
        lines.append(f"**{md_escape(label.replace('_', ' '))} · {md_escape(region)}** "
                     f"({len(items)})")
        for a in items:
            result = a.classification.results.get(top_label(a, rule))
            salience = f" ({result.salience}, {result.score:.2f})" if result else ""
            meta = " · ".join(p for p in (a.source_name or a.source_id,
                                          published_text(a, rule.schedule.timezone)) if p)
            lines.append(f"- {md_link(a.url, cut(a.title or a.url, 200))} — "
                         f"{md_escape(meta)}{salience}")
    return lines


def digest_markdown(rule: Rule, title: str, articles: list[ClassifiedArticle], limit: int,
                    unit: Unit = "chars") -> str:
    return fit_lines(digest_lines(rule, title, articles), limit, unit,
                     more=f"… and {{n}} more: cgtwatch alerts history --rule {rule.name}")


def digest_title(title: str, count: int) -> str:
    return cut(md_escape(f"[cgtwatch] {title} ({count})"), TITLE_LIMIT)
