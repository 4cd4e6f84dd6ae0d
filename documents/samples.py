"""Sample documents with realistic data: for `yikatong documents sample`, the tests and the benchmark."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from documents.model import (AcceptanceReportDoc, DocumentMeta, FundPlanDoc, FundPlanLine, PaymentNoticeDoc,
                             SignOff)

BANK = "中国工商银行股份有限公司太仓分行"
PROJECT = "社保卡居民服务“一卡通”医保移动支付改造"
CONTRACTOR = "苏州智联信息技术有限公司"


def fund_plan(lines: int = 3) -> FundPlanDoc:
    """Return a fund use plan table with *lines* projects."""
    base = [FundPlanLine(PROJECT, Decimal("820000.00"), "市卫健委"),
            FundPlanLine("公交乘车码 & 一卡通<互通>", Decimal("1234.56")),
            FundPlanLine("图书馆借阅一卡通", Decimal("1500000.00"), "市文体广旅局")]
    rows = [base[i % len(base)] for i in range(lines)]
    return FundPlanDoc(bank=BANK, lines=tuple(rows), filled_on=date(2026, 3, 2), filled_by="张晓明",
                       reviewed_by="李建国", head="王志强")


def acceptance_report() -> AcceptanceReportDoc:
    """Return an acceptance report signed so far by the department only."""
    return AcceptanceReportDoc(
        project_name=PROJECT, builder="太仓市卫生健康委员会", started_on=date(2026, 4, 1),
        amount=Decimal("820000.00"), completed_on=date(2026, 8, 31),
        opinion="项目已按合同约定完成建设，医保移动支付功能运行正常。\n同意通过验收。",
        department=SignOff("赵德胜", date(2026, 9, 1)), bdc=SignOff("钱敏", date(2026, 9, 2)))


def payment_notice() -> PaymentNoticeDoc:
    """Return a payment notice for half of the contract."""
    return PaymentNoticeDoc(bank=BANK, contractor=CONTRACTOR, contract_signed_on=date(2026, 5, 20),
                            contract_name=PROJECT + "项目", procurement_no="TCZC2026-017",
                            amount=Decimal("410000.50"), contract_total=Decimal("820001.00"),
                            issued_on=date(2026, 9, 15))


def meta_for(kind: str, project_id: int | None = 4) -> DocumentMeta:
    """Return sample metadata for a document of *kind*."""
    return DocumentMeta(kind=kind, document_id=f"{kind}-{project_id}-1", version=1, project_id=project_id)
