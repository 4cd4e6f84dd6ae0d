"""Marshmallow schemas of process models, validation reports, project diagrams and migrations."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from web.api.schemas import Timestamp
from web.request import MAX_URL_INTEGER


class ProcessSummary(Schema):
    """A deployed process and its newest version."""

    process_id = fields.String(required=True)
    name = fields.String(required=True)
    latest_version = fields.Integer(required=True)
    versions = fields.Integer(required=True, metadata={"description": "How many versions were deployed."})
    instances = fields.Integer(required=True)
    running = fields.Integer(required=True)
    updated_at = Timestamp(required=True)


class ProcessList(Schema):
    """Every deployed process."""

    items = fields.List(fields.Nested(ProcessSummary), required=True)


class ModelVersion(Schema):
    """One deployed version of a process."""

    version = fields.Integer(required=True)
    hash = fields.String(required=True, metadata={"description": "sha256 of the diagram and its forms."})
    name = fields.String(required=True)
    created_at = Timestamp(required=True)
    created_by = fields.String(allow_none=True, metadata={"description": "User name of who deployed it."})
    created_by_name = fields.String(allow_none=True)
    instances = fields.Integer(required=True)
    running = fields.Integer(required=True)


class ProcessDetail(Schema):
    """A process with all its versions, newest first."""

    process_id = fields.String(required=True)
    name = fields.String(required=True)
    latest_version = fields.Integer(required=True)
    versions = fields.List(fields.Nested(ModelVersion), required=True)


class ModelSource(Schema):
    """The diagram and forms of one version."""

    process_id = fields.String(required=True)
    version = fields.Integer(required=True)
    name = fields.String(required=True)
    bpmn = fields.String(required=True, metadata={"description": "BPMN 2.0 XML with its layout."})
    forms = fields.Dict(keys=fields.String(), values=fields.Dict(), required=True,
                        metadata={"description": "Form JSON Schemas by file name."})


class Problem(Schema):
    """One problem that stands in the way of deploying a diagram."""

    element = fields.String(allow_none=True, metadata={"description": "The BPMN element id, if any."})
    line = fields.Integer(allow_none=True)
    rule = fields.String(required=True, metadata={"example": "gateway-conditions"})
    message = fields.String(required=True, metadata={"description": "What is wrong, in Chinese."})


class ModelReport(Schema):
    """The validation report of a diagram and its forms."""

    ok = fields.Boolean(required=True)
    problems = fields.List(fields.Nested(Problem), required=True)
    message = fields.String(metadata={"description": "Present when a deploy was refused."})
    errors = fields.Dict(keys=fields.String(), values=fields.String(),
                         metadata={"description": "Present when a deploy was refused (empty)."})
    details = fields.List(fields.Dict(keys=fields.String(), values=fields.String()), metadata={
        "description": "Present when a deploy was refused: the problems as path (element), code (rule), message."})


class Deployed(Schema):
    """A deployed (or already deployed) version."""

    process_id = fields.String(required=True)
    version = fields.Integer(required=True)
    hash = fields.String(required=True)
    created = fields.Boolean(required=True, metadata={"description": "False if this content was deployed before."})


class DoneBy(Schema):
    """Who completed an element, and when."""

    by = fields.String(allow_none=True, metadata={"description": "Display name."})
    username = fields.String(allow_none=True)
    at = Timestamp(required=True)


class ReadyStep(Schema):
    """A step waiting for someone."""

    element = fields.String(required=True)
    title = fields.String(required=True)
    lane = fields.String(required=True)
    due = Timestamp(allow_none=True)
    overdue = fields.Boolean(required=True)


class ProjectDiagram(Schema):
    """A project's diagram (of the version it runs on) and its state on each element."""

    instance_id = fields.Integer(required=True)
    process_id = fields.String(required=True)
    version = fields.Integer(required=True)
    bpmn = fields.String(required=True)
    states = fields.Dict(keys=fields.String(), values=fields.String(
        validate=validate.OneOf(["completed", "ready", "waiting", "overdue"])), required=True,
        metadata={"description": "Element id to completed, ready, waiting or overdue."})
    path = fields.List(fields.String(), required=True, metadata={"description": "Sequence flows taken."})
    details = fields.Dict(keys=fields.String(), values=fields.List(fields.Nested(DoneBy)), required=True,
                          metadata={"description": "Element id to who completed it and when."})
    ready = fields.List(fields.Nested(ReadyStep), required=True)


class MigrationQuery(Schema):
    """The version to preview a migration to."""

    to = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_URL_INTEGER))


class MigrationRequest(Schema):
    """Move the running projects of a process to a version."""

    to = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_URL_INTEGER))
    dry_run = fields.Boolean(load_default=False)


class MigrationResult(Schema):
    """Whether one project can move (or moved), and why not."""

    instance_id = fields.Integer(required=True)
    title = fields.String(required=True)
    from_ = fields.Integer(required=True, data_key="from", attribute="from",
                           metadata={"description": "The version it runs on (ran on)."})
    to = fields.Integer(required=True)
    ok = fields.Boolean(required=True)
    code = fields.String(allow_none=True, metadata={"description": (
        "Why not, as a code: task-missing, history-missing, value-missing, subprocess-missing, "
        "multi-instance, timer-due, state.")})
    reason = fields.String(allow_none=True, metadata={"description": "Why it cannot move, in Chinese."})



class MigrationList(Schema):
    """One result per running project on an older version."""

    items = fields.List(fields.Nested(MigrationResult), required=True)
