"""Text normalisation and phrase matching used by the classifier."""

from __future__ import annotations

from streams.classify_match import PhraseMatcher
from streams.classify_text import normalize, snippet, trad_to_simp


def test_normalize_keeps_length_and_folds_script_width_case() -> None:
    raw = "細胞治療ＣＡＲ－Ｔ與基因療法 Gene‐Therapy"
    norm = normalize(raw)
    assert len(norm) == len(raw)
    assert norm == "细胞治疗car-t与基因疗法 gene-therapy"
    assert normalize("😀A\ud800Ｂ") == "😀a\ud800b"  # beyond the BMP and lone surrogates pass


def test_trad_to_simp_leaves_simplified_and_latin_alone() -> None:
    assert trad_to_simp("國家藥監局 NMPA 批准") == "国家药监局 NMPA 批准"


def test_phrase_matcher_english_word_boundaries_and_plurals() -> None:
    m = PhraseMatcher(["stem cell", "car-t", "therapy"])
    found = [k for k, _, _ in m.find(normalize("Stem-cells and CAR T therapies; cartilage, cart"))]
    assert found == ["stem cell", "car-t", "therapy"]


def test_phrase_matcher_prefers_longest() -> None:
    m = PhraseMatcher(["细胞治疗", "细胞", "细胞和基因治疗"])
    found = [k for k, _, _ in m.find("发展细胞和基因治疗与细胞治疗")]
    assert found == ["细胞和基因治疗", "细胞治疗"]


def test_snippet_is_short_and_marks_cuts() -> None:
    text = "x" * 100 + "基因治疗" + "y" * 100
    out = snippet(text, 100, 104)
    assert "基因治疗" in out and out.startswith("…") and out.endswith("…")
    assert len(out) <= 64


def test_traditional_forms_of_the_new_vocabulary_fold() -> None:
    assert normalize("幹細胞庫、捐獻造血幹細胞、動員、損傷修復、鐮狀細胞、衞生署") == \
        "干细胞库、捐献造血干细胞、动员、损伤修复、镰状细胞、卫生署"


def test_traditional_forms_of_the_pair_and_context_words_fold() -> None:
    assert normalize("噴塗、噴灑、堿基編輯、鹼基編輯、篩選、幹細胞資源庫、喚醒體內幹細胞") == \
        "喷涂、喷洒、碱基编辑、碱基编辑、筛选、干细胞资源库、唤醒体内干细胞"
