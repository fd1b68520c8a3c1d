"""Durable alert delivery on the real local stack: channels down for a minute, Retry-After,
retry storms, a burst over Slack's rate limit, and poison messages.

The alerter is a real Faust worker under the supervisor; Slack is a local HTTP receiver that
checks the documented request formats (incoming webhook JSON, ``chat.postMessage`` with a
bearer token and message ``metadata``) and refuses connections while down; email is aiosmtpd,
stopped and started again on its port. Classified articles are published straight to
``articles.classified``. Figures are printed (``-s``) for the README.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest

from cgtwatch.demo.check import read_topic
from config.contracts.ops import DeadLetter
from config.contracts.topics import Topics
from config.contracts.wire import decode
from tests.integration.alerting import (
    CHANNELS,
    classified,
    file_lines,
    file_time,
    ledger,
    mail_texts,
    per_url,
    publish_classified,
    slack_texts,
    start_alerter,
)
from tests.integration.conftest import Env, wait_for

pytestmark = pytest.mark.integration


def exactly_once(stack: Env, urls: list[str]) -> tuple[Counter[str], Counter[str],
                                                       Counter[str]]:
    return (per_url(slack_texts(stack), urls), per_url(mail_texts(stack), urls),
            per_url(file_lines(stack), urls))


def test_slack_and_smtp_down_for_a_minute_lose_and_double_nothing(stack: Env, tmp_path: Path
                                                                  ) -> None:
    start_alerter(stack, tmp_path, CHANNELS, warm_up=True)
    stack.slack.down()
    stack.smtp.down()
    early = [classified(i) for i in range(4)]
    t0 = publish_classified(stack, early)
    wait_for(lambda: len(file_lines(stack)) == 5, 30, f"file alerts\n{stack.logs()}")
    time.sleep(25)
    late = [classified(i) for i in range(4, 6)]
    publish_classified(stack, late)
    wait_for(lambda: len(file_lines(stack)) == 7, 30, f"file alerts\n{stack.logs()}")
    time.sleep(max(0.0, t0 + 60 - time.time()))
    assert len(stack.slack.posts) == len(stack.smtp.messages) == 1  # the warm-up only
    stack.slack.up()
    stack.smtp.up()
    back = time.time()
    urls = [a.url for a in early + late]
    wait_for(lambda: len(stack.slack.posts) >= 7 and len(stack.smtp.messages) >= 7, 60,
             f"the backlog after the outage\n{stack.logs()}")
    drained = time.time() - back
    time.sleep(3)  # late duplicates would arrive now
    slack, mail, file = exactly_once(stack, urls)
    assert set(slack.values()) == set(mail.values()) == set(file.values()) == {1}
    order = [u for text in slack_texts(stack) for u in urls if u in text]
    queued = [r["url"] for r in sorted(ledger(stack), key=lambda r: r["seq"])
              if r["channel"] == "slack" and r["url"] in urls]
    assert order == queued  # the backlog drained in queue order
    statuses = Counter(r["status"] for r in ledger(stack))
    assert statuses == {"sent": 21}
    print(f"\noutage 60 s: 6 alerts x 3 channels; lost 0, duplicates 0; drained in queue "
          f"order; backlog drained "
          f"{drained:.1f} s after the servers came back; slack attempts {stack.slack.attempts}")


def test_a_slack_retry_after_holds_neither_email_nor_file(stack: Env, tmp_path: Path) -> None:
    start_alerter(stack, tmp_path, CHANNELS, warm_up=True)
    stack.slack.statuses, stack.slack.retry_after = [429], "40"
    first = [classified(i) for i in range(2)]
    t_first = publish_classified(stack, first)
    wait_for(lambda: len(stack.smtp.messages) >= 3 and len(file_lines(stack)) >= 3, 30,
             f"email and file of the first articles\n{stack.logs()}")
    delay_first = max(stack.smtp.times[-1], file_time(stack)) - t_first
    later = [classified(i) for i in range(2, 5)]
    t_later = publish_classified(stack, later)
    wait_for(lambda: len(stack.smtp.messages) >= 6 and len(file_lines(stack)) >= 6, 30,
             f"email and file of later articles\n{stack.logs()}")
    delay_later = max(stack.smtp.times[-1], file_time(stack)) - t_later
    time.sleep(5)
    assert stack.slack.attempts == 2 and len(stack.slack.posts) == 1  # Slack waits its 40 s
    assert delay_first < 10 and delay_later < 10
    waiting = Counter(r["status"] for r in ledger(stack) if r["channel"] == "slack")
    assert waiting["retrying"] == 1 and waiting["queued"] == 4  # held in order, not lost
    print(f"\nRetry-After 40 on Slack: email+file of the same articles after "
          f"{delay_first:.1f} s, of later articles after {delay_later:.1f} s; "
          f"Slack attempts so far {stack.slack.attempts}")


def test_retry_storms_deliver_everything_once(stack: Env, tmp_path: Path) -> None:
    start_alerter(stack, tmp_path, CHANNELS, warm_up=True)
    stack.slack.statuses = [500] * 12 + [429] * 4
    stack.slack.retry_after = "1"
    articles = [classified(i) for i in range(4)]
    publish_classified(stack, articles)
    urls = [a.url for a in articles]
    wait_for(lambda: len(stack.slack.posts) >= 5, 90, f"4 Slack posts\n{stack.logs()}")
    time.sleep(2)
    slack, mail, file = exactly_once(stack, urls)
    assert set(slack.values()) == set(mail.values()) == set(file.values()) == {1}
    assert stack.slack.attempts == 1 + 4 + 16
    print(f"\n500 x12 then 429 x4: 4/4 Slack alerts delivered once "
          f"({stack.slack.attempts} attempts)")


def test_a_burst_over_slacks_rate_limit_is_paced_and_spilled_not_dropped(
        stack: Env, tmp_path: Path) -> None:
    start_alerter(stack, tmp_path, CHANNELS, warm_up=True)
    stack.slack.min_interval_s = 1.0  # answers 429 to a second post within a second
    articles = [classified(i) for i in range(100)]
    t0 = publish_classified(stack, articles)
    urls = [a.url for a in articles]

    def all_in() -> bool:
        return (min(per_url(slack_texts(stack), urls).values()) >= 1
                and len(stack.smtp.messages) >= 101 and len(file_lines(stack)) >= 101)

    wait_for(all_in, 120, f"100 alerts on every channel\n{stack.logs()}")
    took = time.time() - t0
    time.sleep(3)
    slack, mail, file = exactly_once(stack, urls)
    assert set(slack.values()) == set(mail.values()) == set(file.values()) == {1}
    assert stack.slack.too_fast == 0 or stack.slack.attempts > len(stack.slack.posts)
    print(f"\nburst of 100 with Slack at 1 msg/s: 100/100 on Slack in "
          f"{len(stack.slack.posts) - 1} messages ({stack.slack.attempts - len(stack.slack.posts)}"
          f" refused as too fast), 100 emails, 100 file lines, all within {took:.1f} s; "
          f"lost 0, duplicates 0")


def test_poison_is_dead_lettered_and_the_next_article_alerted(stack: Env, tmp_path: Path
                                                              ) -> None:
    start_alerter(stack, tmp_path, CHANNELS, warm_up=True)
    good = classified(1)
    body = good.encode().decode()
    crlf = body.replace(good.article_id, good.article_id[:16] + "\\r\\nBcc: x@example.org")
    empty = body.replace(good.article_id, "")
    broken = body.replace('"title":"', '"title":"\\udc80')  # a lone surrogate
    nulls = body.replace('"text":"', '"text":null,"x":"')
    story = body.replace('"story_id":""', '"story_id":"s1\\r\\nX-Injected: 1"')
    poison = [crlf.encode(), empty.encode(), broken.encode(), nulls.encode(), story.encode()]
    publish_classified(stack, poison)
    t_good = publish_classified(stack, [good])
    wait_for(lambda: len(file_lines(stack)) >= 2 and len(stack.smtp.messages) >= 2
             and len(stack.slack.posts) >= 2, 30, f"the good article\n{stack.logs()}")
    took = max(stack.smtp.times[-1], stack.slack.times[-1]) - t_good

    def letters() -> list[DeadLetter]:
        found = [decode(DeadLetter, v) for _, v in read_topic(stack.settings, Topics.DEADLETTER)]
        return [d for d in found if d.stage == "alerts"]

    wait_for(lambda: len(letters()) >= 5, 20, f"5 dead letters\n{stack.logs()}")
    assert len(letters()) == 5
    assert all(d.error for d in letters())
    assert len(file_lines(stack)) == 2 and len(stack.smtp.messages) == 2
    print(f"\npoison: 5 messages, 5 dead letters (stage alerts); the next article alerted "
          f"{took:.1f} s after it was published")
