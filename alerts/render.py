"""Pure rendering of alerts for Slack (Block Kit), email (text + HTML) and log lines.

Input: a ``Rule``, a ``ClassifiedArticle`` and the story's other sources (``StoryRef``).
Output: message payloads. Page titles, snippets and URLs are untrusted: they are escaped for
Slack mrkdwn (no mentions, no links), for HTML (and only http(s) URLs are linked), and for
mail headers (no line breaks of any kind). Digests are rendered in ``alerts.render_digest``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from alerts.text import cut, one_line
from config.contracts.articles import ClassifiedArticle
from config.rules import DEFAULT_TIMEZONE, Rule
from config.timezones import aware_published, default_source_zone, show_time

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
SLACK_TEXT_LIMIT = 2900  # Block Kit section text is limited to 3000 characters


@dataclass(frozen=True)
class StoryRef:
    """Another article of the same story: where else it was reported."""

    source: str
    url: str
    title: str = ""


_MRKDWN = str.maketrans({"*": "＊", "_": "＿", "~": "～", "`": "｀"})


def slack_escape(text: str) -> str:
    """Escape Slack control characters so ``<!channel>``, ``<@U1>`` and links stay text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_text(text: str) -> str:
    """Page text for mrkdwn: ``slack_escape`` and the formatting characters ``* _ ~ ` ``
    made full-width (Slack has no escape for them), so a title cannot bold, strike or
    code-format a message."""
    return slack_escape(text.translate(_MRKDWN))


def safe_url(url: str) -> str:
    """The URL if it is http(s), else empty (no ``javascript:`` or ``data:`` links)."""
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return ""
    return url.strip() if scheme in ("http", "https") else ""


def slack_link(url: str, label: str) -> str:
    """A Slack link whose URL cannot break out of ``<url|label>``; plain text for bad URLs."""
    target = safe_url(url)
    label = slack_text(label)
    if not target:
        return label
    target = target.replace("|", "%7C").replace(">", "%3E").replace("<", "%3C")
    return f"<{target.replace(' ', '%20')}|{label}>"


def header_safe(text: str, limit: int = 200) -> str:
    """One line, no control characters: safe for a mail Subject."""
    return _CONTROL.sub(" ", text).strip()[:limit]


def english_line(article: ClassifiedArticle, escape: Callable[[str], str]) -> str:
    """``English: <title>`` (and ``English snippet: <snippet>``), each with a line break,
    where the alerter translated them (``alerts.agent``: attributes of its copy only)."""
    lines = [f"{name}: {escape(header_safe(text, 500))}\n" for name, text in (
        ("English", getattr(article, "title_en", None)),
        ("English snippet", getattr(article, "snippet_en", None))) if text]
    return "".join(lines)


def labels_line(article: ClassifiedArticle) -> str:
    parts = [f"{label} ({r.salience}, {r.score:.2f})"
             for label, r in article.classification.results.items() if r.salience != "none"]
    return ", ".join(parts) or "none"


def snippet(article: ClassifiedArticle) -> str:
    for result in article.classification.results.values():
        if result.evidence:
            return result.evidence[0].snippet
    return article.text[:160]


def published_text(article: ClassifiedArticle, zone: str) -> str:
    """The publication time in ``zone`` (the rule's schedule zone), '' when unknown; a value
    without offset (older messages) is read like the indexer reads it."""
    stored = aware_published(article.published, default_source_zone(article.language))
    return show_time(stored or article.published, zone, missing="")


def where(article: ClassifiedArticle, zone: str = DEFAULT_TIMEZONE) -> str:
    regions = ", ".join(e.name_en or e.name for e in article.classification.regions)
    return " · ".join(p for p in (article.source_name or article.source_id,
                                  regions or article.region, published_text(article, zone))
                      if p)


@dataclass(frozen=True)
class EmailContent:
    subject: str
    text: str
    html: str


def _others_text(others: list[StoryRef]) -> str:
    links = [slack_link(o.url, o.source or o.title or o.url) for o in others[:10]]
    more = f" and {len(others) - 10} more" if len(others) > 10 else ""
    return "*Also reported by:* " + ", ".join(links) + more


def render_slack(rule: Rule, article: ClassifiedArticle, others: list[StoryRef] | None = None
                 ) -> dict[str, Any]:
    title = slack_text(article.title or article.url)
    body = (f"*{slack_link(article.url, cut(article.title or article.url, 500))}*\n"
            f"{english_line(article, slack_text)}"
            f"{slack_text(where(article, rule.schedule.timezone))}\n"
            f"*Labels:* {slack_escape(labels_line(article))}\n"
            f"> {slack_text(one_line(snippet(article)))}")
    if rule.template is not None:
        from alerts.templates import render_body

        body = render_body(rule, article, "slack")
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": cut(body, SLACK_TEXT_LIMIT)}}]
    if others:
        blocks.append({"type": "section", "text": {
            "type": "mrkdwn", "text": cut(_others_text(others), SLACK_TEXT_LIMIT)}})
    blocks.append({"type": "context", "elements": [
        {"type": "mrkdwn", "text": f"rule `{slack_escape(rule.name)}`"}]})
    return {"text": cut(f"[cgtwatch] {title}", SLACK_TEXT_LIMIT), "blocks": blocks,
            "unfurl_links": False, "unfurl_media": False}


def html_link(url: str, label: str) -> str:
    target = safe_url(url)
    if not target:
        return html.escape(label)
    return f"<a href=\"{html.escape(target)}\">{html.escape(label)}</a>"


def render_email(rule: Rule, article: ClassifiedArticle, others: list[StoryRef] | None = None
                 ) -> EmailContent:
    subject = header_safe(f"[cgtwatch] {article.title or article.url}")
    also = "".join(f"  - {o.source}: {o.url}\n" for o in others or [])
    also_text = f"Also reported by:\n{also}\n" if also else ""
    text = (f"{article.title}\n{english_line(article, str)}{article.url}\n"
            f"{where(article, rule.schedule.timezone)}\n"
            f"Labels: {labels_line(article)}\n\n{snippet(article)}\n\n{also_text}"
            f"-- rule {rule.name}\n")
    e = html.escape
    items = "".join(f"<li>{html_link(o.url, o.source or o.url)}</li>" for o in others or [])
    also_html = f"<p><b>Also reported by:</b></p><ul>{items}</ul>" if items else ""
    body = (f"<h3>{html_link(article.url, article.title or article.url)}</h3>"
            f"<p>{english_line(article, e)}{e(where(article, rule.schedule.timezone))}</p>"
            f"<p><b>Labels:</b> {e(labels_line(article))}</p>"
            f"<blockquote>{e(snippet(article))}</blockquote>{also_html}"
            f"<p style=\"color:#888\">rule {e(rule.name)}</p>")
    if rule.template is not None:
        from alerts.templates import render_body

        text = render_body(rule, article, "text") + f"\n\n-- rule {rule.name}\n"
        body = render_body(rule, article, "html").replace("\n", "<br>\n")
    return EmailContent(subject=subject, text=text, html=f"<html><body>{body}</body></html>")


def render_record(rule: Rule, article: ClassifiedArticle) -> dict[str, Any]:
    """A JSON-able record for file, console and webhook channels (``message``: the rule's
    template; ``title_en``/``snippet_en`` where the alerter translated them)."""
    record: dict[str, Any] = {
        "rule": rule.name, "article_id": article.article_id, "story_id": article.story_id,
        "title": article.title, "url": article.url, "labels": article.classification.labels,
        "source": article.source_id, "published": article.published}
    for name in ("title_en", "snippet_en"):
        if getattr(article, name, None):
            record[name] = getattr(article, name)
    if rule.template is not None:
        from alerts.templates import render_body

        record["message"] = render_body(rule, article, "text")
    return record
