"""Pure rendering of alerts for Slack (Block Kit), email (text + HTML) and log lines.

Input: a ``Rule`` and a ``ClassifiedArticle``. Output: message payloads. Page titles and
snippets are untrusted: they are escaped for Slack mrkdwn (no mentions, no links), for HTML,
and for mail headers (no CR/LF).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from config.contracts import ClassifiedArticle
from config.rules import Rule

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def slack_escape(text: str) -> str:
    """Escape Slack control characters so ``<!channel>``, ``<@U1>`` and links stay text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def header_safe(text: str, limit: int = 200) -> str:
    """One line, no control characters: safe for a mail Subject."""
    return _CONTROL.sub(" ", text).strip()[:limit]


def _labels_line(article: ClassifiedArticle) -> str:
    parts = [f"{label} ({r.salience}, {r.score:.2f})"
             for label, r in article.classification.results.items() if r.salience != "none"]
    return ", ".join(parts) or "none"


def _snippet(article: ClassifiedArticle) -> str:
    for result in article.classification.results.values():
        if result.evidence:
            return result.evidence[0].snippet
    return article.text[:160]


def _where(article: ClassifiedArticle) -> str:
    regions = ", ".join(e.name_en or e.name for e in article.classification.regions)
    return " · ".join(p for p in (article.source_name or article.source_id,
                                  regions or article.region, article.published or "") if p)


@dataclass(frozen=True)
class EmailContent:
    subject: str
    text: str
    html: str


def render_slack(rule: Rule, article: ClassifiedArticle) -> dict[str, Any]:
    title = slack_escape(article.title or article.url)
    url = article.url.replace("|", "%7C").replace(">", "%3E")
    body = (f"*<{url}|{title}>*\n{slack_escape(_where(article))}\n"
            f"*Labels:* {slack_escape(_labels_line(article))}\n"
            f"> {slack_escape(_snippet(article))}")
    return {
        "text": f"[cgtwatch] {title}",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": body}},
            {"type": "context", "elements": [
                {"type": "mrkdwn", "text": f"rule `{slack_escape(rule.name)}`"}]},
        ],
        "unfurl_links": False,
    }


def render_email(rule: Rule, article: ClassifiedArticle) -> EmailContent:
    subject = header_safe(f"[cgtwatch] {article.title or article.url}")
    text = (f"{article.title}\n{article.url}\n{_where(article)}\n"
            f"Labels: {_labels_line(article)}\n\n{_snippet(article)}\n\n-- rule {rule.name}\n")
    e = html.escape
    body = (f"<h3><a href=\"{e(article.url)}\">{e(article.title or article.url)}</a></h3>"
            f"<p>{e(_where(article))}</p><p><b>Labels:</b> {e(_labels_line(article))}</p>"
            f"<blockquote>{e(_snippet(article))}</blockquote>"
            f"<p style=\"color:#888\">rule {e(rule.name)}</p>")
    return EmailContent(subject=subject, text=text, html=f"<html><body>{body}</body></html>")


def render_record(rule: Rule, article: ClassifiedArticle) -> dict[str, Any]:
    """A JSON-able record for file and console channels."""
    return {"rule": rule.name, "article_id": article.article_id, "story_id": article.story_id,
            "title": article.title, "url": article.url, "labels": article.classification.labels,
            "source": article.source_id, "published": article.published}
