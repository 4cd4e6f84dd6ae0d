"""The supervisor reads through the API and writes nothing (403)."""
from __future__ import annotations

import io

from tests.services.journey import PDF, Journey
from tests.web.api.helpers import Api


def test_the_supervisor_reads_but_may_not_write_through_the_api(api: Api, journey: Journey) -> None:
    assert api.get(f"/api/v1/projects/{journey.instance_id}", "supervisor").status_code == 200
    upload = api.post("/api/v1/files", "supervisor", data={"file": (io.BytesIO(PDF), "x.pdf")},
                      content_type="multipart/form-data")
    assert upload.status_code == 403
    assert api.post("/api/v1/projects", "supervisor", {}).status_code == 403
