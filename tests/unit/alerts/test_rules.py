"""Alert-rule matching: every filter of a rule, and the dedupe key."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from alerts.rules import alert_key, matching_rules, rule_matches
from config.contracts.articles import ClassifiedArticle
from config.rules import Rule

Make = Callable[..., ClassifiedArticle]


def rule(**fields: Any) -> Rule:
    return Rule(name=fields.pop("name", "r"), channels=["log"], **fields)


def test_default_rule_matches_a_primary_article(make_article: Make) -> None:
    assert rule_matches(rule(), make_article())


@pytest.mark.parametrize(("salience", "min_salience", "expected"), [
    ("primary", "secondary", True),
    ("secondary", "secondary", True),
    ("passing", "secondary", False),
    ("passing", "passing", True),
    ("secondary", "primary", False),
    ("none", "passing", False),
])
def test_min_salience(make_article: Make, salience: str, min_salience: str,
                      expected: bool) -> None:
    article = make_article(cell=(salience, 0.5))
    assert rule_matches(rule(min_salience=min_salience), article) is expected


def test_labels_restrict_which_results_count(make_article: Make) -> None:
    cell_only = make_article(cell=("primary", 0.9), gene=("passing", 0.2))
    assert rule_matches(rule(labels=["cell_therapy"]), cell_only)
    assert not rule_matches(rule(labels=["gene_therapy"]), cell_only)
    assert rule_matches(rule(labels=["gene_therapy"], min_salience="passing"), cell_only)


def test_min_score_applies_to_the_matching_label(make_article: Make) -> None:
    article = make_article(cell=("primary", 0.6))
    assert rule_matches(rule(min_score=0.6), article)
    assert not rule_matches(rule(min_score=0.61), article)


def test_min_score_and_salience_must_hold_for_the_same_label(make_article: Make) -> None:
    article = make_article(cell=("primary", 0.3), gene=("passing", 0.9))
    assert not rule_matches(rule(min_salience="secondary", min_score=0.5), article)


def test_tags_any_of_case_insensitive(make_article: Make) -> None:
    article = make_article(tags=["clinical_trial", "Approval"])
    assert rule_matches(rule(tags=["approval", "funding"]), article)
    assert not rule_matches(rule(tags=["funding"]), article)
    assert not rule_matches(rule(tags=["funding"]), make_article(tags=[]))


def test_regions_match_chinese_or_english_names_or_the_source_region(make_article: Make
                                                                     ) -> None:
    article = make_article(regions=[("大连市", "Dalian")], region="辽宁省")
    assert rule_matches(rule(regions=["大连市"]), article)
    assert rule_matches(rule(regions=["dalian"]), article)
    assert rule_matches(rule(regions=["辽宁省"]), article)
    assert not rule_matches(rule(regions=["Shanghai", "上海市"]), article)


def test_institutions_match_either_name(make_article: Make) -> None:
    article = make_article(institutions=[("大连医科大学", "Dalian Medical University")])
    assert rule_matches(rule(institutions=["Dalian Medical University"]), article)
    assert rule_matches(rule(institutions=["大连医科大学"]), article)
    assert not rule_matches(rule(institutions=["复旦大学"]), article)


def test_sources_and_source_kinds(make_article: Make) -> None:
    article = make_article(source_id="demo-gd-sci", source_kind="government")
    assert rule_matches(rule(sources=["demo-gd-sci", "other"]), article)
    assert not rule_matches(rule(sources=["fda"]), article)
    assert rule_matches(rule(source_kinds=["government"]), article)
    assert not rule_matches(rule(source_kinds=["regulator", "press"]), article)


def test_languages(make_article: Make) -> None:
    assert rule_matches(rule(languages=["zh"]), make_article(language="zh"))
    assert not rule_matches(rule(languages=["en"]), make_article(language="zh"))


def test_keywords_search_title_and_text(make_article: Make) -> None:
    article = make_article(title="FDA approves CAR-T therapy", text="Lymphoma patients ...")
    assert rule_matches(rule(keywords=["car-t"]), article)
    assert rule_matches(rule(keywords=["LYMPHOMA", "myeloma"]), article)
    assert not rule_matches(rule(keywords=["myeloma"]), article)


def test_exclusions_win_over_everything(make_article: Make) -> None:
    article = make_article(title="干细胞美容广告", text="所谓干细胞美容并无依据。")
    assert not rule_matches(rule(exclude_keywords=["美容"]), article)
    assert not rule_matches(rule(keywords=["干细胞"], exclude_keywords=["广告"]), article)
    assert rule_matches(rule(exclude_keywords=["彩票"]), article)


def test_disabled_rule_never_matches(make_article: Make) -> None:
    assert not rule_matches(rule(enabled=False), make_article())


def test_all_conditions_must_hold(make_article: Make) -> None:
    article = make_article(tags=["approval"], language="en", source_kind="regulator")
    assert rule_matches(rule(tags=["approval"], languages=["en"]), article)
    assert not rule_matches(rule(tags=["approval"], languages=["zh"]), article)


def test_matching_rules_keeps_order(make_article: Make) -> None:
    rules = [rule(name="a"), rule(name="b", languages=["en"]), rule(name="c")]
    assert [r.name for r in matching_rules(rules, make_article(language="zh"))] == ["a", "c"]


def test_alert_key_is_per_rule_story_and_channel(make_article: Make) -> None:
    article = make_article(story_id="story-1")
    assert alert_key(rule(name="cgt-main"), article, "slack") == "cgt-main:story-1:slack"
    revised = make_article(story_id="story-1", revision=2)
    assert alert_key(rule(name="cgt-main"), revised, "slack") == "cgt-main:story-1:slack"
    no_story = make_article(story_id="")
    assert alert_key(rule(), no_story, "x") == f"r:{no_story.article_id}:x"
