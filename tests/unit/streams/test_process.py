"""Pure processing of one raw article: the duplicate decision and classification."""

from __future__ import annotations

from collections.abc import Callable

from config.contracts.articles import Classification, LabelResult, RawArticle
from streams.process import classify_raw, is_duplicate


class RecordingClassifier:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str | None]] = []

    def classify(self, title: str, text: str, lang: str | None = None) -> Classification:
        self.calls.append((title, text, lang))
        return Classification(labels=["gene_therapy"], classifier="fake-1", results={
            "gene_therapy": LabelResult(score=0.9, salience="primary")})


def test_duplicate_only_for_the_same_content(make_raw: Callable[..., RawArticle]) -> None:
    raw = make_raw()
    assert is_duplicate(raw.content_hash, raw)
    assert not is_duplicate(None, raw)
    assert not is_duplicate("some-older-hash", raw)


def test_classify_raw_keeps_article_fields_and_drops_the_page(
        make_raw: Callable[..., RawArticle]) -> None:
    raw = make_raw(revision=3, html="<html>big page</html>", list_url="https://a.org/list",
                   author="新华社", published="2026-11-18")
    classifier = RecordingClassifier()
    out = classify_raw(raw, classifier)
    assert classifier.calls == [(raw.title, raw.text, "zh")]
    assert out.classification.labels == ["gene_therapy"] == out.labels
    assert (out.article_id, out.url, out.title, out.text) == (raw.article_id, raw.url,
                                                              raw.title, raw.text)
    assert (out.revision, out.content_hash, out.author, out.published) == (
        3, raw.content_hash, "新华社", "2026-11-18")
    assert out.fetched_at == raw.fetched_at
    assert out.story_id == raw.article_id
    encoded = out.encode()
    assert b"big page" not in encoded and b"list_url" not in encoded


def test_unknown_language_is_passed_as_none(make_raw: Callable[..., RawArticle]) -> None:
    classifier = RecordingClassifier()
    classify_raw(make_raw(language=""), classifier)
    assert classifier.calls[0][2] is None
