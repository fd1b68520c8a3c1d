"""The rule compilers on their own: compound expansion, pair finding, bulletins and lists,
same-clause contexts and conventions triggered by pair rules."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from config.taxonomy import Convention, LabelTaxonomy, Taxonomy
from config.taxonomy_rules import BulletinConfig, CompoundRule, ListConfig, PairRule
from streams.classify_compounds import expand
from streams.classify_items import brief_hits, briefs, only_listed, stated_alone
from streams.classify_labels import ConventionRule, LabelRules
from streams.classify_pairs import PairFinder
from streams.classify_score import Hit
from streams.classify_text import normalize

RULE = CompoundRule(name="t", modifiers={"a": ["细胞"], "b": ["基因"]}, joiners=["与", "、"],
                    heads=["治疗"], modifier_weight=0.5, not_after=["体"])


def test_compounds_in_every_order_and_joiner_name_both_labels() -> None:
    terms = expand([RULE]).terms
    for phrase in ("细胞与基因治疗", "基因与细胞治疗", "细胞、基因治疗", "基因、细胞治疗"):
        assert terms["a"][phrase] == (1.0, "core") and terms["b"][phrase] == (1.0, "core")


def test_juxtaposed_compound_weights_the_head_modifier_fully() -> None:
    terms = expand([RULE]).terms
    assert terms["a"]["基因细胞治疗"] == (1.0, "core")  # 细胞 is next to the head
    assert terms["b"]["基因细胞治疗"] == (0.5, "core")
    assert terms["b"]["细胞基因治疗"] == (1.0, "core")


def test_not_after_makes_an_ignored_phrase_for_the_first_modifier() -> None:
    assert expand([RULE]).ignored["a"] == {"体细胞基因治疗"}


def test_pair_finder_window_order_and_unless() -> None:
    finder = PairFinder(PairRule(name="p", first=["edited"], second=["stem cell"], window=15,
                                 unless_near=["mice"], hits={"a": {"weight": 1.0}}))
    assert [(m.first, m.second) for m in finder.find("edited blood stem cells")] == [
        ("edited", "stem cell")]
    assert finder.find("stem cells were later edited")  # either order
    assert not finder.find("edited in a lab far from any stem cells")  # beyond the window
    assert not finder.find("in mice, edited stem cells")


BULLETIN = "消息：\n" + "\n".join(f"第{n}条新闻的标题\n第{n}条新闻的正文，内容比标题长得多。"
                                for n in range(1, 5))


def test_briefs_of_a_bulletin_and_hits_regrouped_per_brief() -> None:
    items = briefs(BULLETIN, BulletinConfig())
    assert len(items) == 4
    head, body, _ = items[1]
    hit = Hit("x", 1.0, "core", "text", head + 1, head + 2)
    assert brief_hits([hit], items) == [([hit._replace(field="title", start=1, end=2)],
                                         items[1][2] - body)]


def test_an_article_with_a_few_subheadings_is_not_a_bulletin() -> None:
    paragraphs = "\n".join("这是一段比较长的正文内容，用来说明文章的主要事实。" for _ in range(8))
    text = "\n".join(f"第{n}部分小标题\n{paragraphs}" for n in range(1, 4))
    assert briefs(text, BulletinConfig()) == []


def test_only_listed_needs_a_long_enumeration_of_other_fields() -> None:
    text = "重点支持创新药、医疗器械、细胞治疗、合成生物等领域。"
    hit = Hit("细胞治疗", 1.0, "core", "text", text.index("细胞治疗"), text.index("细胞治疗") + 4)
    assert only_listed(text, [hit], ListConfig())
    short = "支持细胞治疗、基因治疗。"
    hit2 = Hit("细胞治疗", 1.0, "core", "text", 2, 6)
    assert not only_listed(short, [hit2], ListConfig())


def test_clauses_between_commas_are_not_list_items() -> None:
    text = ("The hospital, which opened its new wing in 2010, treated a patient with cell "
            "therapy, the first such case, its director said.")
    start = text.index("cell therapy")
    hit = Hit("cell therapy", 1.0, "core", "text", start, start + 12)
    assert not only_listed(text, [hit], ListConfig(separators=[", "]))


def _label(contexts: list[dict[str, object]]) -> LabelRules:
    spec = LabelTaxonomy.model_validate({
        "term_groups": [{"weight": 0.6, "kind": "support", "terms": ["干细胞", "stem cell"]}],
        "contexts": contexts})
    return LabelRules("a", spec)


def _hits(rules: LabelRules, text: str) -> list[str]:
    norm = normalize(text)
    return [h.term for h in rules.hits({"text": norm}, {"text": []})]


def test_same_clause_context_needs_the_word_in_the_hits_clause() -> None:
    rules = _label([{"name": "verbs", "near": ["激活", "activate"], "window": 40,
                     "same_clause": True}])
    assert _hits(rules, "药物可激活体内休眠的干细胞") == []
    assert _hits(rules, "激活市场活力，发展人工智能、干细胞等产业") == ["干细胞"]
    assert _hits(rules, "funds to activate investment, quantum computing, stem cell research") \
        == ["stem cell"]
    assert _hits(rules, "a drug that can activate dormant stem cells") == []


def test_a_convention_applies_when_its_pair_rule_matched() -> None:
    conv = ConventionRule(Convention(name="c", when_any=["never seen"], min_count=2,
                                     when_pairs=["p"], then={"b": {"max": "secondary"}}))
    sal = {"a": "primary", "b": "primary"}
    assert conv.apply(sal, {"text": "x"})["b"] == "primary"
    assert conv.apply(sal, {"text": "x"}, frozenset({"<p>"}))["b"] == "secondary"


def test_a_convention_naming_an_unknown_pair_rule_is_rejected() -> None:
    with pytest.raises(ValidationError, match="unknown pair rule"):
        Taxonomy.model_validate({
            "version": "t", "labels": {"a": {"term_groups": [{"weight": 1.0, "terms": ["x"]}]}},
            "conventions": [{"name": "c", "when_any": ["x"], "when_pairs": ["nope"],
                             "then": {"a": {"max": "secondary"}}}]})


def test_bare_coordinated_modifiers_are_weak_terms_of_both_labels() -> None:
    rule = RULE.model_copy(update={"bare_kind": "weak"})
    terms = expand([rule]).terms
    assert terms["a"]["细胞与基因"][1] == "weak" and terms["b"]["基因、细胞"][1] == "weak"
    assert "细胞与基因" not in expand([RULE]).terms["a"]


def test_a_weaker_term_does_not_hide_the_core_term_it_runs_into() -> None:
    spec = LabelTaxonomy.model_validate({"term_groups": [
        {"weight": 1.0, "kind": "core", "terms": ["细胞疗法", "cell therapy"]},
        {"weight": 0.25, "kind": "context", "terms": ["T细胞", "immune cell"]}]})
    rules = LabelRules("a", spec)
    found = rules.hits({"text": normalize("T细胞疗法和immune cell therapies")}, {"text": []})
    assert [(h.term, h.kind) for h in found] == [("t细胞疗法", "core"),
                                                 ("immune cell therapy", "core")]
    assert "immune cellular therapy" not in rules.terms  # whole words only


def test_a_core_term_stated_alone_versus_in_an_enumeration() -> None:
    marks = ("、", "等", "和", " and ")
    hit = [Hit("干细胞移植", 1.0, "core", "text", 6, 11)]
    assert stated_alone("一名白血病患者接受干细胞移植后出院。", [h._replace(start=9, end=14)
                                                  for h in hit], marks)
    assert not stated_alone("双方将合作开展干细胞移植与代谢性疾病、肿瘤等研究。",
                            [h._replace(start=7, end=12) for h in hit], marks)
    assert not stated_alone("一名患者接受干细胞移植后出院。",
                            [h._replace(kind="support") for h in hit], marks)


def test_latin_headlines_may_be_longer() -> None:
    body = "A body line that is clearly longer than the headline above it, ending here."
    heads = ["Floods force thousands from their homes in Pakistan", "Oil prices rise again",
             "Girl with brain tumour doing well after new treatment"]
    text = "\n".join(f"{h}\n{body}" for h in heads)
    assert len(briefs(text, BulletinConfig())) == 3
    assert briefs(text, BulletinConfig(headline_max_chars_latin=40)) == []
