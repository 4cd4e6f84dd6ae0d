"""Attachment 1 per bank: issued when the head signs a plan, archived on the plan, with its rows in exact 万元."""
from __future__ import annotations

from pathlib import Path

import pytest

from documents.signing import KEY_ENV
from services.context import Services
from services.official import archive, keys
from services.official.reissue import reissue
from services.plans.overview import plan_detail
from services.users import load_actor
from tests.documents.pdf import text_of
from tests.services import plan_world as world


@pytest.fixture
def sealed(services: Services, monkeypatch: pytest.MonkeyPatch) -> Services:
    """Services whose documents are sealed by the demo CA under the instance folder."""
    monkeypatch.delenv(KEY_ENV, raising=False)
    assert keys.ensure_demo_ca(services) is not None
    return services


def _plan(ctx: Services) -> dict[str, int]:
    a = world.reviewed(ctx, "社保卡乘车码应用", "820000.00")
    b = world.reviewed(ctx, "社保卡就医一码通", "1234.56")
    plan = world.join(ctx, a, "bank-icbc", "820000.00", "首期")
    world.join(ctx, b, "bank-icbc", "1234.56")
    return {"plan": plan, "a": a, "b": b}


def test_the_heads_signoff_issues_the_banks_plan_table_on_the_plan(sealed: Services, tmp_path: Path) -> None:
    ids = _plan(sealed)
    world.advance(sealed, ids["plan"], "signoff")
    clerk = load_actor(sealed, "hrss_clerk")
    assert archive.list_documents(sealed, clerk, ids["plan"]) == []  # nothing before the head signs
    world.advance_from(sealed, ids["plan"], "signoff", "bank")
    (doc,) = archive.list_documents(sealed, clerk, ids["plan"])
    assert (doc["kind"], doc["version"], doc["signed"]) == ("fund_plan", 1, True)
    assert archive.list_documents(sealed, clerk, ids["a"]) == []  # archived on the plan, not its projects
    pdf = Path(archive.open_document(sealed, clerk, ids["plan"], doc["id"])["path"]).read_bytes()
    text = text_of(pdf, tmp_path)
    for part in ("附件1", "合作银行：中国工商银行太仓分行", "年度：2026年", "第1号", "序号项目名称预算金额（万元）备注",
                 "1社保卡乘车码应用82首期", "2社保卡就医一码通0.123456", "合计82.123456",
                 "填报人：王芳（填报人）", "审核人：李强（审核人）", "局负责人：张伟（局负责人）"):
        assert part in text, part
    # listed with the plan, downloadable by its bank, hidden from another bank
    assert [d["id"] for d in plan_detail(sealed, load_actor(sealed, "icbc_user"), ids["plan"])["documents"]] == [
        doc["id"]]
    assert archive.open_document(sealed, load_actor(sealed, "icbc_user"), ids["plan"], doc["id"])["sha256"]
    with pytest.raises(Exception, match="does not exist"):
        archive.open_document(sealed, load_actor(sealed, "abc_user"), ids["plan"], doc["id"])
    # an administrator reissues it from the plan's current rows: a second version, same table
    again = reissue(sealed, load_actor(sealed, "admin"), ids["plan"], "fund_plan", "更正签章")
    assert again["version"] == 2
    path = archive.open_document(sealed, clerk, ids["plan"], again["document_id"])["path"]
    assert "合计82.123456" in text_of(Path(path).read_bytes(), tmp_path)


def test_a_plan_sent_back_by_the_head_issues_nothing(services: Services) -> None:
    ids = _plan(services)
    world.advance(services, ids["plan"], "signoff")
    world.step(services, ids["plan"], "hrss_head", "plan_signoff",
               {"plan_signoff_decision": "send_back", "plan_signoff_comment": "金额需调整。"})
    assert archive.list_documents(services, load_actor(services, "hrss_clerk"), ids["plan"]) == []
