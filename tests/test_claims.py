"""The rules of the trade: the claims advertising law forbids are shipped as data with their sources,
never written by the ad tasks, and marked in the writer's own text with the reason."""

from __future__ import annotations

from writer_app.assist.claims import ad_blocked_phrases, claim_lists, parse_claim_list, review
from writer_app.assist.tasks import builtin_tasks
from writer_app.engine.block_list import BlockList

# An ad draft with every listed term planted in it (and a few spaced or cased otherwise).
PLANTED_SUFFIX = "。"


def test_every_list_names_its_law_and_reason_in_both_languages():
    lists = claim_lists()
    assert {c.id for c in lists} == {"absolute-zh", "health-zh", "claims-en"}
    for claims in lists:
        assert claims.terms and claims.source and claims.reason_en and claims.reason_zh, claims.id
    absolute = next(c for c in lists if c.id == "absolute-zh")
    assert (
        "广告法" in absolute.source and "第九条" in absolute.reason_zh and "art. 9(3)" in absolute.reason_en
    )
    assert {"国家级", "最佳", "第一", "顶级"} <= set(absolute.terms) and "最" not in absolute.terms


def test_the_review_marks_every_planted_term_with_its_reason():
    for claims in claim_lists():
        for term in claims.terms:
            text = f"这是一段广告：{term}{PLANTED_SUFFIX}"
            findings = review(text, "zh")
            assert [text[f.start : f.end] for f in findings] == [term], (claims.id, term)
            # a term that two lists hold (NO.1 and No. 1) is marked with one of their reasons
            holders = {c.reason_zh for c in claim_lists() if BlockList(c.terms).spans(term)}
            assert findings[0].reason in holders and (
                len(holders) > 1 or findings[0].reason == claims.reason_zh
            )


def test_spaced_and_cased_variants_are_marked_but_exceptions_and_prose_are_not():
    text = "国 家 级品质，No. 1 in taste, CLINICALLY-PROVEN. 第一次喝就爱上，最后一口也香，绝对不会失望。"
    marked = [text[f.start : f.end] for f in review(text, "en", ("爱上",))]
    assert marked == ["国 家 级", "No. 1", "CLINICALLY-PROVEN", "爱上"]  # 第一次, 最后, 绝对不: not claims
    reasons = [f.reason for f in review("国家级", "en")]
    assert reasons[0].startswith("An absolute claim")


def test_overlapping_terms_make_one_mark():
    findings = review("全网销量第一的面包", "zh")
    assert [(f.start, f.end) for f in findings] == [(0, 6)] or [f.term for f in findings] == ["销量第一"]


def test_the_list_format_reads_headers_terms_and_exceptions():
    parsed = parse_claim_list(
        "# id: x\n# reason-en: one\n#   and two\n# reason-zh: 一\n#1\n!#1 fan\nbest\n\n"
    )
    assert parsed.id == "x" and parsed.reason_en == "one and two" and parsed.terms == ("#1", "best")
    assert parsed.exceptions == ("#1 fan",)


def test_the_ad_tasks_block_every_listed_claim_however_it_is_split():
    """The engine refuses a blocked phrase token by token (tests/test_block_list.py); the ad tasks
    hold every listed term in that list."""
    ad_tasks = {t.id for t in builtin_tasks() if t.ad_rules}
    assert {"taglines", "zh-taglines", "slogan", "zh-slogan-12", "product-description", "tweet"} <= ad_tasks
    assert not {"poem", "formal", "summary", "jueju-7"} & ad_tasks
    blocks = BlockList(ad_blocked_phrases())
    assert blocks.creates("我们的茶是", "我们的茶是国家级") and blocks.creates("Our tea is ", "Our tea is #1")
    assert blocks.creates("我们的茶是", "我们的茶是国 家 级") and blocks.creates("It ", "It cures colds")


def test_an_ad_task_asks_with_the_claims_blocked(tmp_path):
    from tests.session_fakes import make_session, model
    from writer_app.assist.requests import RequestKind

    h = make_session("一款能保温六小时的陶瓷旅行杯", loaded=model("qwen", instruct=True), alternatives=3)
    h.session.begin_rewrite(0, 14, "一款能保温六小时的陶瓷旅行杯")
    assert h.session.run_rewrite("zh-taglines")
    [request] = h.engine.of_kind(RequestKind.REWRITE)
    assert set(ad_blocked_phrases()) <= set(request.sampling.blocked)
    h2 = make_session("The rain came down.", loaded=model("qwen", instruct=True))
    h2.session.begin_rewrite(0, 19, "The rain came down.")
    assert h2.session.run_rewrite("formal")
    assert "国家级" not in h2.engine.of_kind(RequestKind.REWRITE)[0].sampling.blocked  # prose is left alone


def test_the_window_underlines_claims_and_says_why_on_hover(qtbot, tmp_path, monkeypatch):
    from tests.test_ui_editor import make_window
    from writer_app.ui.claim_review import review_claims

    monkeypatch.setenv("WRITER_APP_HOME", str(tmp_path))
    w = make_window(qtbot, None)
    w.editor.setPlainText("😀 顶级好茶，国家级工艺。")
    findings = review_claims(w.editor, w.settings, w.statusBar())
    assert [f.term for f in findings] == ["顶级", "国家级"]
    selections = w.editor.extraSelections()
    assert [s.cursor.selectedText() for s in selections] == ["顶级", "国家级"]  # placed right after an emoji
    at = selections[1].cursor.selectionStart()
    assert "广告法" in w.editor.review_reason_at(at) or "Advertising Law" in w.editor.review_reason_at(at)
    assert "2" in w.statusBar().currentMessage()
    w.editor.setPlainText("Plain prose.")
    assert review_claims(w.editor, w.settings, w.statusBar()) == [] and w.editor.extraSelections() == []
