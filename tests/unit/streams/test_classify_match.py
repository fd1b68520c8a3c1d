"""One-pass phrase matching: the shared lexicon, the automaton and the salience rules it feeds."""

from __future__ import annotations

import random

import pytest

from config.taxonomy import SalienceConfig
from streams.classify_ac import Automaton, PyAutomaton
from streams.classify_match import Lexicon, PhraseMatcher, Watch
from streams.classify_score import Features, salience
from streams.classify_text import normalize


def find(phrases: list[str], text: str, lexicon: Lexicon | None = None) -> list[str]:
    norm = normalize(text)
    return [norm[s:e] for _, s, e in PhraseMatcher(phrases, lexicon).find(norm)]


def test_english_variants_plurals_and_word_boundaries() -> None:
    phrases = ["CAR-T", "stem cell", "therapy", "CD34+"]
    text = "CAR T and car-t and CAR - T; Stem-Cells, therapies; scar-t cart; CD34+ cd34+x"
    assert find(phrases, text) == ["car t", "car-t", "car - t", "stem-cells", "therapies",
                                   "cd34+"]


def test_offsets_survive_folded_whitespace_runs() -> None:
    text = "Intro.\n\n  The   stem \t cell  therapy   arm"
    norm = normalize(text)
    matches = PhraseMatcher(["stem cell therapy", "arm"]).find(norm)
    assert [(k, text[s:e]) for k, s, e in matches] == [
        ("stem cell therapy", "stem \t cell  therapy"), ("arm", "arm")]


def test_chinese_longest_phrase_first_and_non_overlapping() -> None:
    phrases = ["干细胞", "造血干细胞", "造血干细胞移植", "细胞"]
    found = find(phrases, "开展造血干细胞移植和干细胞研究，细胞库")
    assert found == ["造血干细胞移植", "干细胞", "细胞"]


def test_mixed_script_phrases() -> None:
    assert find(["iPS细胞", "美国FDA", "t细胞"], "利用iPS细胞；美国FDA批准；CAR-T细胞") == [
        "ips细胞", "美国fda", "t细胞"]


def test_shared_lexicon_gives_each_matcher_its_own_matches() -> None:
    lexicon = Lexicon()
    cells = PhraseMatcher(["stem cell", "cell"], lexicon)
    masks = PhraseMatcher(["fuel cell", "stem cell niche"], lexicon)
    norm = normalize("A fuel cell and a stem cell niche; stem cells.")
    assert [k for k, _, _ in cells.find(norm)] == ["cell", "stem cell", "stem cell"]
    assert [k for k, _, _ in masks.find(norm)] == ["fuel cell", "stem cell niche"]
    lexicon.forget()
    assert cells.find(norm) == cells.find(norm)


def test_watch_is_silent_only_where_no_watched_matcher_has_a_candidate() -> None:
    lexicon = Lexicon()
    cells = PhraseMatcher(["stem cell"], lexicon)
    genes = PhraseMatcher(["gene therapy"], lexicon)
    own = PhraseMatcher(["aav"])  # a private lexicon
    watch = Watch([cells, own])
    assert not watch.silent(normalize("Stem-cells today"))
    assert not watch.silent(normalize("AAV vectors"))
    assert watch.silent(normalize("gene therapy only"))
    assert genes.find(normalize("gene therapy only"))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pure_python_automaton_equals_the_native_one(seed: int) -> None:
    rnd = random.Random(seed)
    words = {"".join(rnd.choice("abc细胞") for _ in range(rnd.randint(1, 4))): i
             for i in range(40)}
    text = "".join(rnd.choice("abc细胞 ") for _ in range(500))
    expected = sorted(PyAutomaton(words).iter(text))
    assert sorted(Automaton(words).iter(text)) == expected
    assert sorted(Automaton(words, pure_python=True).iter(text)) == expected
    assert expected  # the comparison is not vacuous


@pytest.mark.parametrize(("word_chars", "text_chars"), [
    ("ab细胞", "ab细胞 😀\ud800\udc00\ufffd"),  # characters beyond the BMP only in the text
    ("ab细😀", "ab细胞 😀\U0001f601\ud800"),  # and in the words too
])
def test_native_automaton_offsets_around_characters_beyond_the_bmp(
        word_chars: str, text_chars: str) -> None:
    rnd = random.Random(7)
    words = {"".join(rnd.choice(word_chars) for _ in range(rnd.randint(1, 3))): i
             for i in range(30)}
    text = "".join(rnd.choice(text_chars) for _ in range(400))
    expected = sorted(PyAutomaton(words).iter(text))
    assert sorted(Automaton(words).iter(text)) == expected
    assert expected


def test_pure_python_lexicon_matches_like_the_native_one() -> None:
    phrases = ["cell therapy", "细胞治疗", "gene therapy", "AAV"]
    text = "Cell therapies and 细胞治疗; gene-therapy with AAVs, not aav9."
    assert find(phrases, text, Lexicon(pure_python=True)) == find(phrases, text)


def feats(evidence: float, coverage: float, lead: bool) -> Features:
    return Features(title=0.0, evidence=evidence, density=1.0, coverage=coverage, lead=lead,
                    any_hit=True, has_text=True)


def test_topic_through_most_of_the_text_is_primary_without_a_lead_hit() -> None:
    cfg = SalienceConfig(primary_evidence=3.0, primary_coverage=0.5,
                         primary_coverage_without_lead=0.6)
    assert salience(feats(5.0, 0.5, True), cfg) == "primary"
    assert salience(feats(5.0, 0.5, False), cfg) == "secondary"
    assert salience(feats(5.0, 0.7, False), cfg) == "primary"
    assert salience(feats(2.5, 0.9, False), cfg) == "secondary"
    assert salience(feats(5.0, 0.7, False), SalienceConfig(primary_evidence=3.0)) == "secondary"
