"""English pages shaped like sites nobody tuned for, one test per failure class seen when
class names or headings are missing: subheadings styled as ``<div>`` that trafilatura drops
(put back between the lines both extractors share, never a link, caption or widget label),
a sidebar of headlines, dates and tags that must not pass for the rest of a split article,
and image captions, credits and gallery labels left inside the body."""

from __future__ import annotations

from crawlers.extract.article import extract_article
from crawlers.extract.clean import clean_english, is_byline, is_caption
from crawlers.extract.combine import heading_like, pick_body, restore_lines

P = [
    "The hospital said the trial enrolled forty patients, and that the first results would "
    "be presented at a meeting next spring, after an independent review of the data.",
    "Doctors involved in the study said the treatment was well tolerated, with side effects "
    "that were mild and short-lived in most of the patients who received it.",
    "The company plans to ask regulators for approval next year if the results hold up in a "
    "larger group of patients, a spokeswoman said on Tuesday.",
    "Analysts said the therapy could reach the market within three years, although the price "
    "of such treatments remains a concern for insurers and hospitals.",
]


def test_div_subheadings_dropped_by_trafilatura_are_put_back() -> None:
    mine = "\n".join(["Share this story", P[0], "What the trial found", P[1],
                      "Q: How soon could patients get it?", P[2], "1. Ditch the diet", P[3],
                      "You may also like:", "Other story headline here"])
    other = "\n".join(P)
    assert restore_lines(mine, other) == "\n".join(
        [P[0], "What the trial found", P[1], "Q: How soon could patients get it?", P[2],
         "1. Ditch the diet", P[3]])


def test_restored_lines_are_never_links_captions_or_blocks_of_lines() -> None:
    mine = "\n".join([P[0], "Related headline of another story", P[1],
                      "Jane Roe/Example News/Getty Images", P[2], "Ingredients", "Top 10",
                      "Kyle Busch", P[3]])
    other = "\n".join(P)
    links = frozenset({"relatedheadlineofanotherstory"})
    assert restore_lines(mine, other, links) == other


def test_heading_like() -> None:
    assert heading_like("Why regulators are cautious")
    assert heading_like("Q: In reading the journal, it was noted that you have been named a "
                        "rising star by the trade press this year. What is that like?")
    assert not heading_like(P[0])
    assert not heading_like("Caption")
    assert not heading_like("Continue Reading Below")
    assert not heading_like("Like this:")


def test_sidebar_of_headlines_and_dates_is_no_split_article() -> None:
    mine = "\n".join(P[:2])
    sidebar = [f"- Breaking: headline number {i} about the senate and the governor"
               for i in range(12)] + [f"November {i + 1}, 2019" for i in range(12)]
    other = "\n".join(["October 9, 2018 at 4:02 pm", *P[:2], *sidebar])
    assert pick_body(mine, other) == mine


def test_rest_of_a_split_article_is_still_taken() -> None:
    mine = P[0]
    other = "\n".join(P + [p.replace("the", "a") for p in P])
    assert pick_body(mine, other) == other


def test_captions_credits_and_gallery_labels_are_dropped() -> None:
    captions = [
        "In this Sunday, Nov. 10, 2019, photograph, unsold cars sit at a dealership in "
        "Littleton, Colo. (AP Photo/David Zalubowski)",
        "(Image credit: Blue Origin)", "Image 2 of 5", "Caption", "Close",
        "Former Gov. Deval Patrick speaks during a campaign stop in Columbia, S.C.Photo: Meg "
        "Kinnard, AP",
        "Sakib Ali/Hindustan Times/Getty Images", "Continue Reading Below",
    ]
    assert all(is_caption(c) for c in captions)
    assert not any(is_caption(p) for p in P)
    assert clean_english([P[0], *captions, P[1]]) == P[:2]


def test_captions_inside_a_page_without_class_names() -> None:
    figure = ("<figure><img src='a.jpg'><figcaption>Doctors at the hospital on Tuesday. "
              "(AP Photo/John Doe)</figcaption></figure><div>Image 1 of 3</div>")
    paragraphs = "".join(f"<p>{p}</p>" for p in P)
    page = (f"<html><head><title>Gene therapy trial</title></head><body><div>"
            f"<h1>Gene therapy trial</h1>{figure}{paragraphs}</div></body></html>")
    result = extract_article(page, "https://news.example.com/gene-therapy-trial")
    assert result["text"] == "\n".join(P)


def test_embedded_post_in_a_social_box_stays_in_the_body() -> None:
    tweet = ("<div class='social-media-embed'><blockquote class='twitter-tweet'><p>This trial "
             "is the best news our family has had in years, thank you to every nurse.</p>"
             "— A Parent (@parent) November 18, 2019</blockquote></div>")
    paragraphs = [f"<p>{p}</p>" for p in P]
    page = (f"<html><head><title>Gene therapy trial</title></head><body><div class='story'>"
            f"<h1>Gene therapy trial</h1>{''.join(paragraphs[:2])}{tweet}"
            f"{''.join(paragraphs[2:])}</div><div class='share'>Share on Twitter</div>"
            f"</body></html>")
    text = extract_article(page, "https://news.example.com/gene-therapy-trial")["text"]
    assert "the best news our family has had in years" in text
    assert "— A Parent (@parent) November 18, 2019" in text
    assert "Share on Twitter" not in text


def test_lines_of_embedded_posts_are_put_back() -> None:
    quote = ["This trial is the best news our family has had in years.",
             "— A Parent (@parent) November 18, 2019"]
    mine = "\n".join([P[0], P[1], *quote, P[2]])
    quotes = frozenset({"thistrialisthebestnewsourfamilyhashadinyears",
                        "aparentparentnovember182019"})
    assert restore_lines(mine, "\n".join(P[:3]), quotes=quotes) == mine


def test_bylines_are_dropped_subheadings_starting_with_by_are_not() -> None:
    assert is_byline("Robert Burns, Ap National Security Writer", top=False)
    assert is_byline("Jane Doe and John Roe, Staff Writers", top=False)
    assert is_byline("By Jane Doe | Reuters", top=True)
    assert not is_byline("By The Numbers", top=False)
    assert not is_byline("By the way, this is a sentence that goes on.", top=True)
    lines = ["By Jane Doe", "Jane Doe, AP Science Writer", P[0], "By The Numbers", P[1]]
    assert clean_english(lines) == [P[0], "By The Numbers", P[1]]


def test_long_caption_with_its_more_toggle_and_credit_is_dropped() -> None:
    caption = ("U.S. Defense Secretary Mark Esper, left, and the Vietnamese Defense Minister "
               "shake hands in Hanoi on Wednesday, Nov. 20, 2019. ")
    line = f"   {caption * 2}lessU.S. {caption * 2}... morePhoto: Hau Dinh, AP   "
    assert clean_english([P[0], line, P[1]]) == P[:2]


def test_status_label_before_the_headline_repeated_in_the_body_is_dropped() -> None:
    paragraphs = "".join(f"<p>{p}</p>" for p in P)
    for heading in ("<div><span>原创</span>Gene therapy trial shows promise</div>",
                    "<div>原创</div><div>Gene therapy trial shows promise</div>"):
        page = (f"<html><head><title>[原创]Gene therapy trial shows promise</title></head>"
                f"<body><div>{heading}{paragraphs}</div></body></html>")
        result = extract_article(page, "https://news.example.com/gene-therapy-trial")
        assert result["title"] == "Gene therapy trial shows promise"
        assert result["text"] == "\n".join(P)
