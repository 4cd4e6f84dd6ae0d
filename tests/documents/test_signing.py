"""Sealed documents: they verify and say which document they are; altered, extended or foreign copies do not."""
from __future__ import annotations

import subprocess
from datetime import datetime
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from documents import (PAYMENT_NOTICE, DocumentMeta, SigningConfigError, TestCa, load_signer, load_trust,
                       make_test_ca, render_pdf, samples, sign_pdf, signer_from_env, trust_from_env, verify_pdf)
from documents.signing import Signer
from documents.verify import Trust
from tests.documents.pdf import squeeze, text_of

URL = "https://yikatong.example/documents/verify?id=payment_notice-4-2"
META = DocumentMeta(kind=PAYMENT_NOTICE, document_id="payment_notice-4-2", version=2, project_id=4)
ISSUED = datetime(2026, 9, 15, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> TestCa:
    return make_test_ca(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="module")
def signer(ca: TestCa) -> Signer:
    return load_signer(ca.signing_key, ca.signing_cert)


@pytest.fixture(scope="module")
def trust(ca: TestCa) -> Trust:
    return load_trust([ca.root_cert])


@pytest.fixture(scope="module")
def signed(signer: Signer) -> bytes:
    return sign_pdf(render_pdf(samples.payment_notice()), signer, verify_url=URL, meta=META, issued_at=ISSUED)


def test_a_sealed_document_verifies_and_says_which_it_is(signed: bytes, trust: Trust) -> None:
    verdict = verify_pdf(signed, trust)
    assert (verdict.valid, verdict.code) == (True, "ok")
    assert verdict.meta == META
    assert verdict.signer and "电子校验章" in verdict.signer and verdict.signed_at is not None


def test_every_kind_seals_and_verifies(signer: Signer, trust: Trust) -> None:
    for doc in (samples.fund_plan(), samples.acceptance_report()):
        meta = DocumentMeta(kind=doc.kind, document_id=f"{doc.kind}-7", project_id=None)
        verdict = verify_pdf(sign_pdf(render_pdf(doc), signer, verify_url=URL, meta=meta), trust)
        assert verdict.valid and verdict.meta == meta


def test_the_stamp_is_visible_in_chinese_with_the_issue_time(signed: bytes, tmp_path: Path) -> None:
    text = text_of(signed, tmp_path)
    for line in ("太仓市人社局 一卡通系统 电子校验章", "签发时间：2026-09-15 10:30", "文件编号：payment_notice-4-2",
                 "扫码或上传文件即可校验真伪"):
        assert squeeze(line) in text
    assert squeeze("应支付：人民币410,000.50元") in text  # the document itself is unchanged


def test_the_stamp_carries_a_qr_code_of_the_verification_url(signed: bytes, tmp_path: Path) -> None:
    (tmp_path / "signed.pdf").write_bytes(signed)
    subprocess.run(["pdftoppm", "-r", "300", "-png", "-l", "1", str(tmp_path / "signed.pdf"), str(tmp_path / "page")],
                   check=True, timeout=60)
    scanned = subprocess.run(["zbarimg", "-q", "--raw", str(tmp_path / "page-1.png")], capture_output=True, text=True,
                             timeout=60)
    assert scanned.stdout.splitlines() == [URL]


def test_a_flipped_byte_anywhere_is_refused(signed: bytes, trust: Trust) -> None:
    contents = signed.index(b"/Contents <") + len(b"/Contents <") + 200  # inside the signature value itself
    for offset in (100, len(signed) // 3, len(signed) // 2, contents, len(signed) - 40):
        tampered = bytearray(signed)
        tampered[offset] ^= 0x01
        verdict = verify_pdf(bytes(tampered), trust)
        assert not verdict.valid and verdict.code in {"altered", "not_pdf"}, offset


def test_an_incremental_update_after_signing_is_refused(signed: bytes, trust: Trust) -> None:
    writer = IncrementalPdfFileWriter(BytesIO(signed))
    info_ref = writer.trailer.raw_get("/Info")
    info = info_ref.get_object()
    info[generic.NameObject("/YikatongProjectId")] = generic.TextStringObject("5")
    writer.mark_update(info_ref)
    out = BytesIO()
    writer.write(out)
    verdict = verify_pdf(out.getvalue(), trust)
    assert not verdict.valid and verdict.code == "not_whole_document"
    assert verdict.meta is None


def test_a_document_signed_by_another_ca_is_refused(tmp_path: Path, trust: Trust) -> None:
    other = make_test_ca(tmp_path / "other", name="一卡通演示根证书")  # same names, different keys
    foreign = sign_pdf(render_pdf(samples.payment_notice()), load_signer(other.signing_key, other.signing_cert),
                       verify_url=URL, meta=META)
    verdict = verify_pdf(foreign, trust)
    assert not verdict.valid and verdict.code == "untrusted"
    assert verify_pdf(foreign, load_trust([other.root_cert])).valid


def test_unsigned_and_non_pdf_input_is_refused(trust: Trust) -> None:
    assert verify_pdf(render_pdf(samples.payment_notice()), trust).code == "unsigned"
    assert verify_pdf(b"%PDF-1.7 not really", trust).code == "not_pdf"
    assert verify_pdf(b"", trust).code == "not_pdf"


def test_keys_and_trust_come_from_the_environment(ca: TestCa, signed: bytes) -> None:
    env = ca.environ()
    assert signer_from_env({}) is None and trust_from_env({}) is None
    configured = signer_from_env(env)
    assert configured is not None and "电子校验章" in configured.subject
    trust = trust_from_env(env)
    assert trust is not None and verify_pdf(signed, trust).valid


def test_the_demo_ca_is_reused_not_replaced(ca: TestCa) -> None:
    before = ca.signing_cert.read_bytes()
    assert make_test_ca(ca.root_cert.parent) == ca and ca.signing_cert.read_bytes() == before
    assert ca.signing_key.stat().st_mode & 0o077 == 0


def test_bad_configuration_is_a_clear_error(ca: TestCa, tmp_path: Path) -> None:
    other = make_test_ca(tmp_path / "other")
    with pytest.raises(SigningConfigError, match="does not exist"):
        load_signer(tmp_path / "missing.pem", ca.signing_cert)
    with pytest.raises(SigningConfigError, match="does not belong"):
        load_signer(other.signing_key, ca.signing_cert)
    with pytest.raises(SigningConfigError, match="cannot be loaded"):
        load_signer(ca.signing_cert, ca.signing_cert)
    with pytest.raises(SigningConfigError, match="set both"):
        signer_from_env({"YIKATONG_SIGNING_KEY": str(ca.signing_key)})
    with pytest.raises(SigningConfigError):
        load_trust([tmp_path / "missing.pem"])


def test_an_unknown_kind_is_not_sealed(signer: Signer) -> None:
    with pytest.raises(ValueError, match="unknown document kind"):
        sign_pdf(render_pdf(samples.payment_notice()), signer, verify_url=URL,
                 meta=DocumentMeta(kind="invoice", document_id="x"))
