"""Official documents issued at their steps: archived by version, scoped, sealed and verifiable."""
from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from pyhanko.pdf_utils.generic import NameObject, TextStringObject
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from sqlalchemy import delete, update
from sqlalchemy.exc import DBAPIError

from documents import render_pdf, samples, sign_pdf
from documents.signing import KEY_ENV
from models.tables import issued_document
from services.context import Services
from services.errors import NotFound, PermissionDenied, ValidationError
from services.official import archive, keys, verification
from services.official.reissue import reissue
from services.users import load_actor
from tests import support
from tests.documents.pdf import squeeze, text_of
from tests.services.journey import Journey, use_version_1


@pytest.fixture(autouse=True)
def version_1(services: Services) -> None:
    """Projects here follow version 1 of the diagram, which instances started on it keep."""
    use_version_1(services)


@pytest.fixture
def sealed(services: Services, monkeypatch: pytest.MonkeyPatch) -> Services:
    """Services whose documents are sealed by the demo CA under the instance folder."""
    monkeypatch.delenv(KEY_ENV, raising=False)
    assert keys.ensure_demo_ca(services) is not None
    return services


def _paid_project(ctx: Services) -> Journey:
    journey = Journey(ctx).to_payment().notice_received("400000.00")
    journey.do("icbc_user", "payment", support.paid())
    return journey


def _documents(ctx: Services, journey: Journey, username: str = "hrss_clerk") -> list[dict]:
    return archive.list_documents(ctx, load_actor(ctx, username), journey.instance_id)


def _pdf(ctx: Services, journey: Journey, doc: dict) -> bytes:
    opened = archive.open_document(ctx, load_actor(ctx, "hrss_clerk"), journey.instance_id, doc["id"])
    return Path(opened["path"]).read_bytes()


def test_each_step_issues_its_document_sealed(sealed: Services) -> None:
    journey = Journey(sealed).to_plan()
    assert [(d["kind"], d["version"]) for d in _documents(sealed, journey)] == [("fund_plan", 1)]
    for username, name, data in (("icbc_user", "secure_funds", support.SECURE_FUNDS),
                                 ("hrss_clerk", "procurement", support.PROCUREMENT),
                                 ("icbc_user", "contract", support.CONTRACT),
                                 ("health_user", "construction", support.CONSTRUCTION),
                                 ("health_user", "acceptance", support.acceptance(sha=journey.sha)),
                                 ("bdc_reviewer", "acceptance_bdc", support.sign("bdc"))):
        journey.do(username, name, data)
    assert len(_documents(sealed, journey)) == 1  # the report waits for the last signature
    journey.do("hrss_reviewer", "acceptance_hrss", support.sign("hrss"))
    journey.notice_received("400000.00")
    docs = _documents(sealed, journey)
    assert [(d["kind"], d["version"], d["signed"]) for d in docs] == [
        ("fund_plan", 1, True), ("acceptance_report", 1, True), ("payment_notice", 1, True)]
    for doc in docs:
        answer = verification.verify_upload(sealed, _pdf(sealed, journey, doc))
        assert answer["valid"], answer
        assert (answer["kind"], answer["project_id"], answer["version"]) == (
            doc["kind"], journey.instance_id, doc["version"])


def test_the_notice_shows_the_amount_in_figures_and_capitals_and_the_contract(services: Services,
                                                                              tmp_path: Path) -> None:
    journey = Journey(services).to_payment().notice_received("400000.50")
    notice = next(d for d in _documents(services, journey) if d["kind"] == "payment_notice")
    text = text_of(_pdf(services, journey, notice), tmp_path)
    for expected in ("付款通知书", "400,000.50", "肆拾万元零伍角", "1,000,000.00", "中国工商银行",
                     support.PROCUREMENT["contractor"], support.PROCUREMENT["procurement_no"],
                     support.CONTRACT["contract_name"], "2026年4月20日", "2026年9月15日"):
        assert squeeze(expected) in text, expected
    assert notice["signed"] is False  # no key configured: issued, archived, marked unsealed


def test_the_plan_table_lists_the_banks_signed_plans(services: Services, tmp_path: Path) -> None:
    first = Journey(services).to_plan()
    Journey(services).to_plan(bank="bank-abc")  # another bank's plan is not on this bank's table
    second = Journey(services).to_plan()
    plan = _documents(services, second)[0]
    text = text_of(_pdf(services, second, plan), tmp_path)
    assert "中国工商银行" in text and "局负责人" in text
    assert text.count(squeeze(support.declare()["project_name"])) == 2, text
    assert _documents(services, first)[0]["sha256"] != plan["sha256"]


def test_a_new_notice_is_a_new_version_and_old_ones_stay(services: Services) -> None:
    journey = _paid_project(services)
    first = _documents(services, journey)
    journey.notice_received("600000.00", on="2026-09-25")
    docs = _documents(services, journey)
    notices = [d for d in docs if d["kind"] == "payment_notice"]
    assert [d["version"] for d in notices] == [1, 2]
    assert docs[:len(first)] == first
    assert len({d["sha256"] for d in docs}) == len(docs)


def test_issued_documents_are_never_changed_or_deleted(services: Services) -> None:
    Journey(services).to_plan()
    for statement in (update(issued_document).values(version=9), delete(issued_document)):
        with pytest.raises(DBAPIError, match="append-only"):
            with services.db.write() as conn:
                conn.execute(statement)


def test_only_those_who_see_the_project_list_and_download_its_documents(services: Services) -> None:
    journey = Journey(services).to_plan()
    doc = _documents(services, journey)[0]
    for username in ("icbc_user", "health_user", "hrss_head"):
        assert _documents(services, journey, username)[0]["sha256"] == doc["sha256"]
    for username in ("abc_user", "transport_user"):
        with pytest.raises(NotFound):
            _documents(services, journey, username)
        with pytest.raises(NotFound):
            archive.open_document(services, load_actor(services, username), journey.instance_id, doc["id"])
    with pytest.raises(NotFound):
        archive.open_document(services, load_actor(services, "icbc_user"), journey.instance_id, "0" * 32)


def _appended(pdf: bytes) -> bytes:
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    info = writer.trailer["/Info"].get_object()
    info[NameObject("/Title")] = TextStringObject("改过")
    writer.mark_update(writer.trailer.raw_get("/Info"))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def test_verification_refuses_tampered_appended_and_unknown_copies(sealed: Services) -> None:
    journey = Journey(sealed).to_plan()
    pdf = _pdf(sealed, journey, _documents(sealed, journey)[0])
    tampered = bytearray(pdf)
    tampered[len(pdf) // 3] ^= 0x01
    seal = keys.keys(sealed)
    stranger = sign_pdf(render_pdf(samples.fund_plan()), seal.signer, verify_url="https://x/verify?id=1",
                        meta=samples.meta_for("fund_plan", journey.instance_id))
    for copy, code in ((bytes(tampered), "altered"), (_appended(pdf), "not_whole_document"),
                       (stranger, "unknown")):
        answer = verification.verify_upload(sealed, copy)
        assert (answer["valid"], answer["code"]) == (False, code), answer
        assert answer["kind"] is None
    for bad in (b"", b"hello", b"%PDF-" + b"0" * (verification.MAX_VERIFY_BYTES + 1)):
        with pytest.raises(ValidationError) as refused:
            verification.verify_upload(sealed, bad)
        assert "file" in refused.value.field_messages()


def test_without_a_key_documents_are_issued_unsealed_and_do_not_verify(services: Services) -> None:
    journey = Journey(services).to_plan()
    doc = _documents(services, journey)[0]
    assert doc["signed"] is False
    assert verification.verify_upload(services, _pdf(services, journey, doc))["valid"] is False


def test_an_administrator_reissues_a_corrected_document_as_a_new_version(sealed: Services) -> None:
    journey = Journey(sealed).to_plan()
    first = _documents(sealed, journey)[0]
    admin = load_actor(sealed, "admin")
    with pytest.raises(ValidationError):
        reissue(sealed, admin, journey.instance_id, "fund_plan", "  ")
    with pytest.raises(ValidationError):
        reissue(sealed, admin, journey.instance_id, "payment_notice", "金额有误")  # none issued yet
    with pytest.raises(PermissionDenied):
        reissue(sealed, load_actor(sealed, "hrss_head"), journey.instance_id, "fund_plan", "更正")
    with pytest.raises(NotFound):
        reissue(sealed, load_actor(sealed, "abc_user"), journey.instance_id, "fund_plan", "更正")
    done = reissue(sealed, admin, journey.instance_id, "fund_plan", "银行名称更正")
    docs = _documents(sealed, journey)
    assert [(d["kind"], d["version"]) for d in docs] == [("fund_plan", 1), ("fund_plan", 2)]
    assert docs[0] == first and done["version"] == 2 and docs[1]["task_id"] == first["task_id"]
    for doc in docs:
        assert verification.verify_upload(sealed, _pdf(sealed, journey, doc))["version"] == doc["version"]


def test_the_seal_key_comes_from_the_environment_then_the_demo_ca_then_none(tmp_path: Path) -> None:
    from documents import make_test_ca
    from services.errors import ServiceError

    folder = tmp_path / "signing"
    assert keys.load_keys(folder, {}).source == "none"
    operator = make_test_ca(tmp_path / "operator")
    assert keys.load_keys(folder, {KEY_ENV: str(operator.signing_key),
                                   "YIKATONG_SIGNING_CERT": str(operator.signing_cert)}).source == "environment"
    make_test_ca(folder)
    demo = keys.load_keys(folder, {})
    assert demo.source == "demo" and demo.signer is not None and demo.trust is not None
    with pytest.raises(ServiceError, match="misconfigured"):
        keys.load_keys(folder, {KEY_ENV: str(tmp_path / "missing.pem"), "YIKATONG_SIGNING_CERT": "x"})


def test_identical_unsealed_documents_of_two_projects_share_one_file(services: Services) -> None:
    first, second = Journey(services).to_payment(), Journey(services).to_payment()
    reports = [next(d for d in _documents(services, j) if d["kind"] == "acceptance_report") for j in (first, second)]
    assert reports[0]["sha256"] == reports[1]["sha256"] and reports[0]["id"] != reports[1]["id"]
