"""Pure rendering of digests: many alerts of one rule and window in one message.

Input: a ``Rule``, a window title and the queued ``ClassifiedArticle``s. Output: a Slack Block
Kit payload and an email (plain text + HTML), both grouped by label and region. Untrusted text
is escaped exactly as for single alerts (``alerts.render``). Slack limits a message to 50
blocks of at most 3000 characters: long digests pack several items per block and, past the
limit, say how many more there are (the email always lists every item).
"""

from __future__ import annotations

import html
from collections import defaultdict
from typing import Any

from alerts.render import (
    SLACK_TEXT_LIMIT,
    EmailContent,
    header_safe,
    html_link,
    published_text,
    slack_escape,
    slack_link,
    slack_text,
)
from alerts.text import cut
from config.contracts.articles import SALIENCE_ORDER, ClassifiedArticle
from config.rules import Rule

MAX_BLOCKS = 48
Group = tuple[str, str]


def top_label(article: ClassifiedArticle, rule: Rule) -> str:
    """The rule label with the highest salience (then score) in the article."""
    results = article.classification.results
    ranked = sorted((label for label in rule.labels if label in results),
                    key=lambda lb: (SALIENCE_ORDER[results[lb].salience], results[lb].score),
                    reverse=True)
    return ranked[0] if ranked else "other"


def region_of(article: ClassifiedArticle) -> str:
    regions = article.classification.regions
    if regions:
        return regions[0].name_en or regions[0].name
    return article.region or "unknown region"


def grouped(rule: Rule, articles: list[ClassifiedArticle]
            ) -> list[tuple[Group, list[ClassifiedArticle]]]:
    """Articles by (label, region), groups and items in a stable order."""
    groups: dict[Group, list[ClassifiedArticle]] = defaultdict(list)
    for article in articles:
        groups[(top_label(article, rule), region_of(article))].append(article)
    return sorted(groups.items(), key=lambda kv: (kv[0][0], -len(kv[1]), kv[0][1]))


def _item_line(article: ClassifiedArticle, rule: Rule) -> str:
    result = article.classification.results.get(top_label(article, rule))
    salience = f" ({result.salience}, {result.score:.2f})" if result else ""
    meta = " · ".join(p for p in (article.source_name or article.source_id,
                                  published_text(article, rule.schedule.timezone)) if p)
    return (f"• {slack_link(article.url, cut(article.title or article.url, 300))} — "
            f"{slack_text(meta)}{slack_escape(salience)}")


def _sections(lines: list[str]) -> list[str]:
    chunks, current = [], ""
    for line in lines:
        if current and len(current) + len(line) + 1 > SLACK_TEXT_LIMIT:
            chunks.append(current)
            current = ""
        current = f"{current}\n{line}" if current else cut(line, SLACK_TEXT_LIMIT)
    return [*chunks, current] if current else chunks


def render_slack_digest(rule: Rule, title: str, articles: list[ClassifiedArticle]
                        ) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": header_safe(title, 150)}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": slack_escape(
            f"{len(articles)} alert(s), rule {rule.name}")}]}]
    shown = 0
    for (label, region), items in grouped(rule, articles):
        heading = f"*{slack_escape(label)} · {slack_text(region)}* ({len(items)})"
        for text in _sections([heading, *(_item_line(a, rule) for a in items)]):
            if len(blocks) >= MAX_BLOCKS:
                break
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
            shown += sum(line.startswith("• ") for line in text.split("\n"))
    if shown < len(articles):
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": (
            f"and {len(articles) - shown} more: `cgtwatch alerts history --rule "
            f"{slack_escape(rule.name)}`")}]})
    return {"text": slack_escape(f"[cgtwatch] {title}: {len(articles)} alert(s)"),
            "blocks": blocks, "unfurl_links": False, "unfurl_media": False}


def render_email_digest(rule: Rule, title: str, articles: list[ClassifiedArticle]
                        ) -> EmailContent:
    e = html.escape
    text_parts = [f"{title}\n{len(articles)} alert(s)\n"]
    html_parts = [f"<h2>{e(title)}</h2><p>{len(articles)} alert(s)</p>"]
    for (label, region), items in grouped(rule, articles):
        text_parts.append(f"\n== {label} · {region} ({len(items)})")
        rows = []
        for a in items:
            meta = " · ".join(p for p in (a.source_name or a.source_id,
                                          published_text(a, rule.schedule.timezone)) if p)
            text_parts.append(f"- {a.title or a.url}\n  {a.url}\n  {meta}")
            rows.append(f"<li>{html_link(a.url, a.title or a.url)}<br>"
                        f"<small>{e(meta)}</small></li>")
        html_parts.append(f"<h3>{e(label)} · {e(region)} ({len(items)})</h3>"
                          f"<ul>{''.join(rows)}</ul>")
    text_parts.append(f"\n-- rule {rule.name}\n")
    html_parts.append(f"<p style=\"color:#888\">rule {e(rule.name)}</p>")
    return EmailContent(subject=header_safe(f"[cgtwatch] {title} ({len(articles)})"),
                        text="\n".join(text_parts),
                        html=f"<html><body>{''.join(html_parts)}</body></html>")
