"""Uploaded documents: checked by content, usable only by their uploaders and the project's participants."""
from __future__ import annotations

import pytest

from services import files
from services.context import Services
from services.errors import Hidden, ValidationError
from services.users import load_actor
from tests import support
from tests.services.journey import PDF, Journey


def test_a_file_someone_else_uploaded_cannot_be_attached_by_its_hash(services: Services) -> None:
    j = Journey(services)
    stranger = files.store_file(services, load_actor(services, "transport_user"), "别人的.pdf",
                                PDF + b"% other\n")["sha256"]
    with pytest.raises(ValidationError) as caught:
        j.do("health_user", "declare", support.declare(stranger))
    assert caught.value.field_messages() == {"feasibility_report": "Upload a file."}
    with pytest.raises(Hidden):
        files.open_file(services, load_actor(services, "health_user"), stranger)


def test_the_same_bytes_uploaded_twice_keep_each_uploaders_name(services: Services) -> None:
    j = Journey(services)
    health, bdc = load_actor(services, "health_user"), load_actor(services, "bdc_reviewer")
    files.store_file(services, bdc, "评审报告.pdf", PDF)
    j.do("health_user", "declare", support.declare(j.sha))
    assert files.open_file(services, bdc, j.sha)["filename"] == "评审报告.pdf"
    assert files.open_file(services, health, j.sha)["filename"] == "可研报告.pdf"
    assert [d["filename"] for d in j.show()["documents"]] == ["可研报告.pdf"]
    assert files.open_file(services, load_actor(services, "supervisor"), j.sha)["filename"] == "可研报告.pdf"


def test_participants_may_attach_the_projects_own_documents_again(services: Services) -> None:
    j = Journey(services)
    j.do("health_user", "declare", support.declare(j.sha))
    j.do("bdc_reviewer", "review", support.review(sha=j.sha))
    assert {d["field"] for d in j.show()["documents"]} == {"feasibility_report", "review_report"}


@pytest.mark.parametrize(("name", "content", "message"), [
    ("a.exe", b"MZ\x90\x00" + b"\x00" * 64, "Only these kinds of file"),
    ("empty.pdf", b"", "empty"),
])
def test_files_of_the_wrong_kind_are_refused(services: Services, name: str, content: bytes, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        files.store_file(services, load_actor(services, "health_user"), name, content)
