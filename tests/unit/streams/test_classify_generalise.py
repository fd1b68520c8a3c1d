"""Classifier rules on new sentences written for these tests (not from any labelled set).

One group per class of miss the labelling conventions cover: compound terms in every order,
joiner and script; ex vivo gene-modified cells (both labels); stem cells given to repair an
injury; cell banks and translation centres; bulletins and lists of fields; drugs that
activate the body's own stem cells (not cell therapy).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from config.contracts.articles import Classification
from streams.classify import Classifier, default_classifier

CONFIG = Path(__file__).resolve().parents[3] / "config"


@pytest.fixture(scope="module")
def clf() -> Classifier:
    return default_classifier(CONFIG)


def sal(result: Classification) -> tuple[str, str]:
    return (result.results["cell_therapy"].salience, result.results["gene_therapy"].salience)


@pytest.mark.parametrize("title", [
    "青岛高新区与青岛大学共建基因细胞治疗转化基地",
    "青島高新區與青島大學共建基因細胞治療轉化基地",
])
def test_juxtaposed_gene_cell_therapy_is_cell_first(clf: Classifier, title: str) -> None:
    assert sal(clf.classify(title, "")) == ("primary", "secondary")


@pytest.mark.parametrize("title", [
    "细胞与基因治疗产业园在苏州开园", "基因和细胞治疗创新中心揭牌", "細胞及基因療法產業聯盟成立",
    "基因與細胞治療藥物審評要點發布", "Chengdu opens a cell & gene therapy park",
    "New fund backs gene and cell-based therapies",
])
def test_coordinated_compounds_name_both_labels(clf: Classifier, title: str) -> None:
    result = clf.classify(title, "")
    assert result.labels == ["cell_therapy", "gene_therapy"]


@pytest.mark.parametrize(("title", "text"), [
    ("体细胞基因治疗的长期随访数据公布",
     "研究者报告了体细胞基因治疗在血友病患者中的长期随访结果，"
     "载体为腺相关病毒。"),
    ("Sickle cell gene therapy wins approval", "The sickle cell gene therapy uses an AAV "
     "vector and was approved after a phase 3 trial."),
])
def test_somatic_and_sickle_cell_are_not_cell_modifiers(clf: Classifier, title: str,
                                                        text: str) -> None:
    result = clf.classify(title, text)
    assert "gene_therapy" in result.labels
    assert "cell_therapy" not in result.labels


@pytest.mark.parametrize(("title", "text"), [
    ("Edited blood stem cells free teenager from transfusions",
     "Doctors collected the patient's blood stem cells, gene-edited them in the laboratory to "
     "switch on fetal haemoglobin and returned the stem cells by infusion."),
    ("地中海贫血患儿接受新疗法后脱离输血",
     "医生采集患儿自体造血干细胞，在体外经基因编辑后回输，造血干细胞植入后患儿不再需要输血。"),
    ("Boy with rare immune disorder thrives after treatment",
     "His stem cells were transduced with a lentiviral vector carrying a working copy of the "
     "missing gene before the corrected stem cells were given back to him."),
])
def test_ex_vivo_modified_stem_cells_are_both(clf: Classifier, title: str, text: str) -> None:
    result = clf.classify(title, text)
    assert result.labels == ["cell_therapy", "gene_therapy"]
    assert result.results["gene_therapy"].salience == "primary"


def test_cell_based_gene_therapy_counts_for_both(clf: Classifier) -> None:
    result = clf.classify("Company doses first patient with cell-based gene therapy",
                          "The company dosed the first patient in its trial of a cell-based "
                          "gene therapy for a rare metabolic disease.")
    assert result.labels == ["cell_therapy", "gene_therapy"]


@pytest.mark.parametrize(("title", "text"), [
    ("Stem cells injected into injured spines help patients walk",
     "Patients with spinal cord injury received stem cells injected into the injured area; "
     "several regained movement, the surgeons reported."),
    ("干细胞修复受损心肌 患者心功能明显改善",
     "研究团队将间充质干细胞注射到患者梗死心肌周围，半年后患者心功能明显改善。"),
])
def test_stem_cell_repair_of_an_injury_is_cell_therapy(clf: Classifier, title: str,
                                                       text: str) -> None:
    assert clf.classify(title, text).results["cell_therapy"].salience == "primary"


@pytest.mark.parametrize(("title", "text"), [
    ("省干细胞库正式启用",
     "省干细胞库当天启用，将为临床研究提供干细胞储存和制备服务。"),
    ("医院细胞临床转化中心揭牌",
     "该中心将开展细胞临床转化研究，推动免疫细胞和干细胞产品进入临床。"),
])
def test_cell_bank_and_translation_centre(clf: Classifier, title: str, text: str) -> None:
    assert clf.classify(title, text).results["cell_therapy"].salience == "primary"


def test_master_cell_bank_of_antibody_production_is_not_cell_therapy(clf: Classifier) -> None:
    result = clf.classify("单抗生产线通过检查", "该单抗生产线的主细胞库和工作细胞库均通过检定。")
    assert result.results["cell_therapy"].salience == "none"


BULLETIN_BRIEFS = [
    ("高铁新线今天开通", "连接两省的高铁新线今天开通运营，沿线城市进入一小时交通圈。"),
    ("全国夏粮收购进度过半", "国家粮食和物资储备局数据显示，全国夏粮收购进度过半。"),
    ("多地开展防汛演练", "进入汛期，多地开展防汛应急演练，检验预案和物资储备。"),
]


def _bulletin(brief: tuple[str, str]) -> str:
    items = [*BULLETIN_BRIEFS[:2], brief, BULLETIN_BRIEFS[2]]
    return "央视网消息：\n" + "\n".join(f"{head}\n{body}" for head, body in items)


def test_stem_cell_brief_in_a_bulletin_is_secondary(clf: Classifier) -> None:
    brief = ("干细胞修复烧伤皮肤获新进展",
             "某医院利用患者自体干细胞修复大面积烧伤创面，干细胞移植后创面愈合明显加快。")
    result = clf.classify("国内新闻快讯", _bulletin(brief))
    assert result.results["cell_therapy"].salience == "secondary"


def test_field_list_clause_in_a_bulletin_is_passing(clf: Classifier) -> None:
    brief = ("生物医药产业园开园",
             "产业园今天开园，首批项目涵盖创新药、医疗器械、细胞治疗、合成生物等领域。")
    result = clf.classify("国内新闻快讯", _bulletin(brief))
    assert result.results["cell_therapy"].salience == "passing"


@pytest.mark.parametrize("text", [
    "支持合成生物、生物育种、基因与细胞治疗、脑机接口、高端医疗器械等前沿领域发展，"
    "对新落地项目给予奖励。",
    "重点发展创新药、高端医疗器械、细胞和基因疗法、合成生物、智慧医疗等领域，"
    "打造产业集群。",
    "The plan supports synthetic biology, medical devices, cell and gene therapy, brain-computer "
    "interfaces and AI drug discovery, among other fields.",
])
def test_one_mention_in_a_list_of_fields_is_passing(clf: Classifier, text: str) -> None:
    result = clf.classify("关于促进生物医药产业高质量发展的若干措施", text)
    assert sal(result) == ("passing", "passing")


@pytest.mark.parametrize(("title", "text"), [
    ("Pill that activates the body's own stem cells repairs damaged hearts in mice",
     "The compound activates dormant stem cells in the heart, which then repair the muscle."),
    ("新药激活内源性干细胞 促进受损组织修复",
     "研究发现，该小分子药物可激活内源性干细胞，促进受损肝脏组织修复。"),
])
def test_drugs_that_activate_own_stem_cells_are_not_cell_therapy(clf: Classifier, title: str,
                                                                 text: str) -> None:
    assert "cell_therapy" not in clf.classify(title, text).labels


@pytest.mark.parametrize(("text", "label"), [
    ("激活市场主体活力，支持干细胞、合成生物、高端医疗器械、智能制造等产业做大做强。",
     "cell_therapy"),
    ("The hospital's programme covers HSCT, radiotherapy, surgery and palliative care.",
     "cell_therapy"),
    ("该院开展TIL疗法、靶向治疗、放疗、中医康复等多种治疗手段。", "cell_therapy"),
    ("The agency reviews biologics, medical devices, ATMPs, vaccines and generics.",
     "gene_therapy"),
])
def test_single_mentions_are_passing_not_none(clf: Classifier, text: str, label: str) -> None:
    assert clf.classify("综合新闻", text).results[label].salience == "passing"


@pytest.mark.parametrize("title", ["基因修饰细胞治疗产品获批开展临床试验",
                                   "Gene-modified cell therapy enters a first trial"])
def test_gene_modified_cell_therapy_is_cell_first_and_gene_too(clf: Classifier,
                                                               title: str) -> None:
    assert sal(clf.classify(title, "")) == ("primary", "secondary")


def test_clauses_chained_with_commas_are_not_a_list_of_fields(clf: Classifier) -> None:
    text = ("近日，市人民医院血液科团队，利用CAR-T细胞治疗，成功救治一名复发淋巴瘤患者，"
            "目前恢复良好。据介绍，该患者此前多次化疗无效，接受CAR-T细胞回输后，病情完全缓解，已顺利出院。")
    result = clf.classify("市人民医院成功救治复发淋巴瘤患者", text)
    assert result.results["cell_therapy"].salience in ("primary", "secondary")
