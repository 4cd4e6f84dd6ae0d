"""The data of each official document: plain frozen dataclasses, money in Decimal yuan."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import ClassVar

BUREAU = "太仓市人力资源和社会保障局"
FUND_PLAN, ACCEPTANCE_REPORT, PAYMENT_NOTICE = "fund_plan", "acceptance_report", "payment_notice"
KINDS = (FUND_PLAN, ACCEPTANCE_REPORT, PAYMENT_NOTICE)
TITLES = {
    FUND_PLAN: "太仓市社会保障卡居民服务“一卡通”合作金融资金使用计划表",
    ACCEPTANCE_REPORT: "太仓市社会保障卡居民服务“一卡通”项目竣工验收报告",
    PAYMENT_NOTICE: "太仓市社会保障卡居民服务“一卡通”付款通知书",
}


@dataclass(frozen=True)
class DocumentMeta:
    """Which document a PDF is: written into it when signed, read back when verified."""

    kind: str                 # one of KINDS
    document_id: str          # the caller's identifier of this document (e.g. an archive row id)
    version: int = 1          # a corrected document is a new version
    project_id: int | None = None


@dataclass(frozen=True)
class FundPlanLine:
    """One row of Attachment 1: a project and its budget in yuan (printed in 万元)."""

    project_name: str
    budget: Decimal
    note: str = ""


@dataclass(frozen=True)
class FundPlanDoc:
    """Attachment 1: a cooperating bank's fund use plan table (合作金融资金使用计划表)."""

    kind: ClassVar[str] = FUND_PLAN
    bank: str
    lines: tuple[FundPlanLine, ...]
    filled_on: date | None = None
    filled_by: str = ""       # 填报人
    reviewed_by: str = ""     # 审核人
    head: str = ""            # 局负责人
    bureau: str = BUREAU
    year: int | None = None   # the plan's year, and its number among the bank's plans of it (第N号)
    number: int | None = None

    @property
    def total(self) -> Decimal:
        """Return the sum of the lines' budgets (yuan), printed as the 合计 row."""
        return sum((line.budget for line in self.lines), Decimal(0))


@dataclass(frozen=True)
class SignOff:
    """One signature block of Attachment 2: who signs and when (blank lines when not known yet)."""

    name: str = ""
    signed_on: date | None = None


@dataclass(frozen=True)
class AcceptanceReportDoc:
    """Attachment 2: the completion acceptance report (项目竣工验收报告)."""

    kind: ClassVar[str] = ACCEPTANCE_REPORT
    project_name: str
    builder: str              # 建设单位
    started_on: date | None
    amount: Decimal           # 项目金额, yuan
    completed_on: date | None
    opinion: str              # 验收意见
    department: SignOff = field(default_factory=SignOff)  # 业务主管单位: 业务负责人
    bdc: SignOff = field(default_factory=SignOff)         # 市综指中心（大数据管理中心）: 验收人员
    hrss: SignOff = field(default_factory=SignOff)        # 市人社局: 验收人员


@dataclass(frozen=True)
class PaymentNoticeDoc:
    """Attachment 3: the payment notice to the cooperating bank (付款通知书)."""

    kind: ClassVar[str] = PAYMENT_NOTICE
    bank: str
    contractor: str           # the company of the tripartite contract
    contract_signed_on: date | None
    contract_name: str
    procurement_no: str       # 采购编号
    amount: Decimal           # to pay now, yuan
    contract_total: Decimal   # 该合同总价款, yuan
    issued_on: date
    bureau: str = BUREAU


Document = FundPlanDoc | AcceptanceReportDoc | PaymentNoticeDoc
