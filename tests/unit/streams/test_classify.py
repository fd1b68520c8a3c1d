"""Classifier behaviour on small hand-written bilingual examples."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.contracts.articles import Classification
from streams.classify import Classifier, default_classifier

CONFIG = Path(__file__).resolve().parents[3] / "config"


@pytest.fixture(scope="module")
def clf() -> Classifier:
    return default_classifier(CONFIG)


def sal(result: Classification, label: str) -> str:
    return result.results[label].salience


def test_cart_news_is_cell_therapy_primary(clf: Classifier) -> None:
    r = clf.classify("我院完成首例CAR-T细胞治疗",
                     "近日，我院血液科为一名复发难治淋巴瘤患者回输CAR-T细胞，细胞治疗后患者获得缓解。")
    assert r.labels == ["cell_therapy"]
    assert sal(r, "cell_therapy") == "primary"
    assert sal(r, "gene_therapy") == "none"
    assert r.results["cell_therapy"].score > 0.5


def test_english_gene_therapy_approval(clf: Classifier) -> None:
    r = clf.classify("FDA approves gene therapy for hemophilia B",
                     "The FDA approved an AAV gene therapy that delivers a working copy of the "
                     "factor IX gene. The one-time gene therapy was tested in a phase 3 trial.")
    assert "gene_therapy" in r.labels
    assert sal(r, "gene_therapy") == "primary"
    assert "approval" in r.tags
    assert any(i.id == "fda" for i in r.institutions)


def test_evidence_has_title_field_and_short_snippet(clf: Classifier) -> None:
    r = clf.classify("基因治疗药物获批上市", "国家药监局批准一款基因治疗药物上市。" * 20)
    evidence = r.results["gene_therapy"].evidence
    assert evidence and evidence[0].field == "title"
    assert all(len(e.snippet) <= 70 for e in evidence)
    assert any(e.field == "text" for e in evidence)


@pytest.mark.parametrize(("title", "text"), [
    ("氢燃料电池汽车产业链加速发展",
     "燃料电池电堆和太阳能电池组件产能提升，光伏电池转换效率创新高。"),
    ("传承红色基因 赓续精神血脉", "要把红色基因传承好，弘扬文化基因，培育城市基因。"),
    ("新生儿基因检测服务覆盖全市", "开展新生儿遗传病基因检测和基因测序，早筛早诊。"),
    ("我国批准转基因玉米品种",
     "农业农村部批准转基因大豆和基因编辑水稻品种的安全证书，用于作物育种。"),
    ("New solar cell breaks efficiency record", "The perovskite solar cell and a hydrogen "
     "fuel cell were shown next to a new cell phone."),
    ("mRNA vaccine trial begins", "The mRNA vaccine and a plasmid DNA vaccine deliver genetic "
     "instructions; gene therapy experts were not involved in this vaccine study."),
])
def test_hard_negatives_are_not_positive(clf: Classifier, title: str, text: str) -> None:
    r = clf.classify(title, text)
    assert r.labels == []


def test_sirna_drug_is_not_gene_therapy(clf: Classifier) -> None:
    r = clf.classify("siRNA eye drop meets endpoint",
                     "The siRNA drug silences a gene. Unlike gene therapy, the siRNA is "
                     "an oligonucleotide that is given daily as antisense-like eye drops.")
    assert "gene_therapy" not in r.labels


def test_embryo_editing_is_not_gene_therapy(clf: Classifier) -> None:
    r = clf.classify("基因编辑婴儿事件引发伦理争议",
                     "研究人员对人类胚胎进行基因编辑，修改CCR5基因后胚胎被植入，婴儿出生。")
    assert "gene_therapy" not in r.labels


def test_policy_list_naming_cell_therapy_once_is_passing(clf: Classifier) -> None:
    r = clf.classify("关于促进生物医药产业高质量发展的若干措施",
                     "支持创新药、高端医疗器械、细胞治疗、合成生物、人工智能辅助诊断等领域发展，"
                     "对新落户企业给予房租补贴，对获批上市的一类新药给予资金奖励。")
    assert sal(r, "cell_therapy") == "passing"
    assert r.labels == []
    assert "policy" in r.tags


def test_cart_framed_as_gene_therapy_keeps_cell_first(clf: Classifier) -> None:
    text = ("Researchers engineered the patients' T cells with a chimeric antigen receptor. "
            "The CAR-T cells multiplied and destroyed the leukemia. The CAR-T treatment, "
            "a gene therapy, used a lentiviral vector to modify the T cells.")
    r = clf.classify("Gene therapy destroys leukemia", text)
    assert sal(r, "cell_therapy") == "primary"
    assert sal(r, "gene_therapy") == "secondary"


def test_ex_vivo_edited_stem_cells_are_both(clf: Classifier) -> None:
    text = ("Doctors collected the patients' blood stem cells, corrected the faulty gene with "
            "a lentiviral vector and returned the stem cells. The gene therapy restored the "
            "missing enzyme; the gene therapy was approved in Europe.")
    r = clf.classify("Gene therapy halts rare brain disease in children", text)
    assert sal(r, "gene_therapy") == "primary"
    assert sal(r, "cell_therapy") == "secondary"


def test_traditional_chinese_is_folded(clf: Classifier) -> None:
    r = clf.classify("山西首例CAR-T細胞治療患者出院",
                     "山西醫科大學第二醫院血液科完成首例CAR-T細胞治療，細胞免疫治療技術臨床應用取得突破。")
    assert r.labels == ["cell_therapy"]
    assert sal(r, "cell_therapy") == "primary"
    assert "細胞治療" in [e.term for e in r.results["cell_therapy"].evidence]
    assert any(i.name_en == "Second Hospital of Shanxi Medical University"
               for i in r.institutions)


def test_entities_have_english_names_and_provinces(clf: Classifier) -> None:
    r = clf.classify("大连医科大学干细胞临床研究获备案",
                     "辽宁省卫生健康委公布干细胞临床研究备案项目。")
    names = {e.name_en for e in r.institutions}
    regions = {e.name_en for e in r.regions}
    assert "Dalian Medical University" in names
    assert {"Liaoning", "Dalian"} <= regions


def test_institution_name_wins_over_region_inside_it(clf: Classifier) -> None:
    r = clf.classify("中山大学团队发表基因治疗研究", "中山大学附属第一医院团队开展基因治疗研究。")
    assert "Zhongshan" not in {e.name_en for e in r.regions}
    assert "Guangzhou" in {e.name_en for e in r.regions}


def test_empty_and_unrelated_input(clf: Classifier) -> None:
    r = clf.classify("", "")
    assert r.labels == [] and r.tags == []
    assert all(res.salience == "none" and res.score == 0.0 for res in r.results.values())
    r = clf.classify("全国春运启动", "预计29.8亿人次出行。")
    assert r.labels == [] and r.classifier.startswith("cgt-rules-")


def test_classify_is_pure(clf: Classifier) -> None:
    a = clf.classify("细胞治疗产业园开工", "细胞治疗产业园开工建设，细胞药物生产基地投产。")
    b = clf.classify("细胞治疗产业园开工", "细胞治疗产业园开工建设，细胞药物生产基地投产。")
    assert a == b
    assert "industry" in a.tags


def test_stem_cell_donation_story_is_cell_therapy(clf: Classifier) -> None:
    r = clf.classify("志愿者成功捐献造血干细胞",
                     "昨天，志愿者在医院完成造血干细胞捐献采集，捐献的造血干细胞将移植给一名白血病患者。")
    assert "cell_therapy" in r.labels


def test_department_in_a_credit_line_is_not_a_mention(clf: Classifier) -> None:
    text = ("Fecal transplants eased colitis in two patients. Co-authors include Robert Jenq, "
            "M.D., of Genomic Medicine and Stem Cell Transplantation.")
    r = clf.classify("Fecal transplant treats colitis", text)
    assert sal(r, "cell_therapy") == "none"


def test_repeated_and_interleaved_calls_agree(clf: Classifier) -> None:
    title = "CAR-T细胞治疗获批"
    text = "国家药监局批准CAR-T细胞治疗产品；The FDA approved a gene therapy."
    first = clf.classify(title, text)
    other = clf.classify("City budget", "A solar cell plant opens.")
    assert clf.classify(title, text) == first  # per-article scans never leak between calls
    assert other.labels == [] and "cell_therapy" in first.labels
