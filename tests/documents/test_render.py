"""Attachments 1–3 as PDF: every field's value readable in the PDF's text, Chinese fonts embedded, escaped HTML."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from documents import TITLES, render_html, render_pdf, samples
from documents.model import AcceptanceReportDoc, FundPlanDoc, PaymentNoticeDoc
from documents.render import cn_date, wan, yuan
from tests.documents.pdf import fonts_of, info_of, squeeze, text_of


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pdf")


def _assert_contains(text: str, *values: str) -> None:
    missing = [value for value in values if squeeze(value) not in text]
    assert missing == []


def test_fund_plan_shows_every_field(folder: Path) -> None:
    doc = samples.fund_plan()
    text = text_of(render_pdf(doc), folder)
    _assert_contains(text, "附件1", TITLES[doc.kind], "合作银行：", doc.bank, "序号", "项目名称", "预算金额（万元）",
                     "备注", "（此表一式二份，合作银行、市人社局各一份）", f"填报人：{doc.filled_by}",
                     f"审核人：{doc.reviewed_by}", f"局负责人：{doc.head}", doc.bureau, "填报日期：2026年3月2日")
    for number, line in enumerate(doc.lines, start=1):
        _assert_contains(text, f"{number}{line.project_name}", wan(line.budget), line.note)
    _assert_contains(text, "82", "0.123456", "150")


def test_acceptance_report_shows_every_field(folder: Path) -> None:
    doc = samples.acceptance_report()
    text = text_of(render_pdf(doc), folder)
    _assert_contains(text, "附件2", TITLES[doc.kind], f"项目名称{doc.project_name}", f"建设单位{doc.builder}",
                     "开工日期2026年4月1日", "项目金额820,000.00元", "竣工日期2026年8月31日", "验收意见", doc.opinion,
                     "业务主管单位", f"业务负责人（签字）：{doc.department.name}", "2026年9月1日",
                     "市综指中心（大数据管理中心）", f"验收人员（签字）：{doc.bdc.name}", "2026年9月2日", "市人社局",
                     "（盖章）", "此表一式三份：业务主管单位、市综指中心（大数据管理中心）、市人社局各一份。")
    assert text.count("（盖章）") == 3
    assert text.count("年月日") == 1  # the bureau's block is not signed yet: the blank date of the paper form


def test_payment_notice_shows_every_field_and_the_amount_in_capitals(folder: Path) -> None:
    doc = samples.payment_notice()
    text = text_of(render_pdf(doc), folder)
    _assert_contains(text, "附件3", TITLES[doc.kind], f"{doc.bank}：", f"我局与{doc.contractor}、贵行于2026年5月20日签订的",
                     f"{doc.contract_name}三方合同（采购编号：{doc.procurement_no}）",
                     "应支付：人民币410,000.50元（大写）肆拾壹万元零伍角。", "（该合同总价款人民币：820,001.00元）",
                     "请贵行在规定时间内予以支付。", doc.bureau, "日期：2026年9月15日")


def test_pdfs_are_a4_with_metadata_and_embedded_cjk_subsets(folder: Path) -> None:
    pdf = render_pdf(samples.payment_notice())
    info = info_of(pdf, folder)
    assert "(A4)" in info and "Pages:           1" in info
    assert TITLES["payment_notice"] in info and "Keywords:        payment_notice" in info
    fonts = fonts_of(pdf, folder)
    assert fonts and all("CJK" in row[0] and row[-5:-2] == ["yes", "yes", "yes"] for row in fonts)


def test_a_long_fund_plan_runs_over_several_pages_and_keeps_every_line(folder: Path) -> None:
    doc = samples.fund_plan(40)
    pdf = render_pdf(doc)
    assert "Pages:           1\n" not in info_of(pdf, folder)
    text = text_of(pdf, folder)
    _assert_contains(text, *(f"{n}{line.project_name}" for n, line in enumerate(doc.lines, start=1)))
    assert text.count("项目名称") >= 2  # the header row repeats on every page


def test_every_value_is_escaped() -> None:
    hostile = "<script>alert(1)</script>&amp;\"'"
    docs = [replace(samples.fund_plan(1), bank=hostile), replace(samples.acceptance_report(), opinion=hostile),
            replace(samples.payment_notice(), contractor=hostile)]
    for doc in docs:
        html = render_html(doc)
        assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;&amp;amp;" in html


def test_blank_dates_and_rows_are_left_for_the_pen(folder: Path) -> None:
    doc = replace(samples.payment_notice(), contract_signed_on=None)
    assert "贵行于年月日签订的" in text_of(render_pdf(doc), folder)
    assert render_html(replace(samples.fund_plan(1), filled_on=None)).count("<td>&nbsp;</td>") == 4


@pytest.mark.parametrize(("yuan_amount", "in_wan"), [
    ("820000.00", "82"), ("1234.56", "0.123456"), ("1000000", "100"), ("0.01", "0.000001"), ("0", "0"),
    ("12345678.90", "1234.56789"), ("9999999999999999.99", "999999999999.999999"), ("50000", "5"),
])
def test_fund_plan_budgets_are_exact_in_wan_yuan(yuan_amount: str, in_wan: str) -> None:
    assert wan(Decimal(yuan_amount)) == in_wan


def test_figures_and_dates() -> None:
    assert yuan(Decimal("820000")) == "820,000.00" and yuan(Decimal("0.5")) == "0.50"
    assert cn_date(samples.payment_notice().issued_on) == "2026年9月15日"


def test_only_documents_are_rendered() -> None:
    with pytest.raises(TypeError):
        render_html("payment_notice")  # type: ignore[arg-type]
    assert {FundPlanDoc.kind, AcceptanceReportDoc.kind, PaymentNoticeDoc.kind} == set(TITLES)


def test_a_per_bank_plan_prints_its_year_number_and_a_total_row_in_exact_wan(folder: Path) -> None:
    doc = replace(samples.fund_plan(), year=2026, number=2)
    text = text_of(render_pdf(doc), folder)
    _assert_contains(text, "年度：2026年", "第2号", "合计", "232.123456")  # 820,000 + 1,234.56 + 1,500,000 yuan
