"""Per-rule message templates (``template:`` in ``alert_rules.yaml``), rendered in a sandbox.

Input: a ``Rule`` with a template, a ``ClassifiedArticle`` and the channel's escaping (Slack
mrkdwn, HTML, chat markdown for WeCom, DingTalk, Feishu and Teams, or none for plain text and
JSON records). Output: the message body. Every value
taken from the page is escaped for the channel *before* the template sees it, so page text
can never inject markup (a Slack mention, an HTML tag); the template's own literal text is the
operator's. The template was compiled and tried at load time (``config.rule_types``); an error
left for render time (say, a filter failing on real data) raises ``TemplateRenderError``,
which the alerter turns into a dead letter with the reason.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from alerts.render import html_link, labels_line, slack_link, slack_text, snippet
from alerts.text import md_escape, md_link
from config.contracts.articles import ClassifiedArticle
from config.rule_types import ENVIRONMENT
from config.rules import Rule

Escape = Callable[[str], str]


class TemplateRenderError(ValueError):
    """A rule's template failed on this article."""


def _plain(text: str) -> str:
    return text


def _english(article: ClassifiedArticle) -> tuple[str, str]:
    c = article.classification
    regions = ", ".join(e.name_en or e.name for e in c.regions) or article.region
    institutions = ", ".join(e.name_en or e.name for e in c.institutions)
    return regions, institutions


def context(rule: Rule, article: ClassifiedArticle, escape: Escape,
            link: Callable[[str, str], str]) -> dict[str, str]:
    """The template's names, each value escaped with ``escape`` (``link`` builds the link)."""
    regions, institutions = _english(article)
    values = {"title": article.title, "title_en": getattr(article, "title_en", None) or "",
              "snippet_en": getattr(article, "snippet_en", None) or "",
              "url": article.url, "source": article.source_name or article.source_id,
              "region": regions, "institutions": institutions,
              "labels": labels_line(article), "snippet": snippet(article),
              "published": article.published or "", "rule": rule.name}
    escaped = {name: escape(value) for name, value in values.items()}
    escaped["link"] = link(article.url, article.title or article.url)
    return escaped


def render_body(rule: Rule, article: ClassifiedArticle, kind: str) -> str:
    """The rule's template rendered for ``kind``: ``slack`` (mrkdwn), ``html``, ``markdown``
    (chat robots) or ``text``."""
    assert rule.template is not None
    if kind == "slack":
        values = context(rule, article, slack_text, slack_link)
    elif kind == "html":
        values = context(rule, article, html.escape, html_link)
    elif kind == "markdown":
        values = context(rule, article, md_escape, md_link)
    else:
        values = context(rule, article, _plain, lambda url, label: f"{label} <{url}>")
    try:
        return ENVIRONMENT.from_string(rule.template).render(values)
    except Exception as exc:  # TemplateError, or an error of the template's own logic
        raise TemplateRenderError(f"rule {rule.name!r}: template: {exc}") from exc
