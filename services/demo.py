"""Demo data: the bureau, the BDC, departments, banks, a user per role, every diagram deployed."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bpmn import diagram_paths
from models.tables import app_user
from services.context import Services
from services.process_models import deploy, read_forms
from services.users import create_user, ensure_organization

DEMO_PASSWORD = "yikatong-demo"

ORGANIZATIONS = [
    ("hrss", "太仓市人力资源和社会保障局", "bureau", "Taicang Human Resources and Social Security Bureau"),
    ("bdc", "太仓市综合指挥中心（大数据管理中心）", "bdc", "Taicang Comprehensive Command Center (Big Data Center)"),
    ("dept-health", "太仓市卫生健康委员会", "department", "Taicang Health Commission"),
    ("dept-transport", "太仓市交通运输局", "department", "Taicang Transport Bureau"),
    ("dept-culture", "太仓市文体广电和旅游局", "department", "Taicang Culture, Sports and Tourism Bureau"),
    ("bank-icbc", "中国工商银行太仓分行", "bank", "ICBC Taicang Branch"),
    ("bank-abc", "中国农业银行太仓分行", "bank", "Agricultural Bank of China Taicang Branch"),
    ("bank-trcb", "江苏太仓农村商业银行", "bank", "Jiangsu Taicang Rural Commercial Bank"),
]

USERS = [
    ("hrss_clerk", "王芳（填报人）", "hrss", ["hrss"]),
    ("hrss_reviewer", "李强（审核人）", "hrss", ["hrss"]),
    ("hrss_head", "张伟（局负责人）", "hrss", ["hrss_head"]),
    ("bdc_reviewer", "陈静（综指中心）", "bdc", ["bdc"]),
    ("health_user", "刘洋（卫健委）", "dept-health", ["department"]),
    ("transport_user", "赵敏（交通局）", "dept-transport", ["department"]),
    ("culture_user", "孙磊（文体旅局）", "dept-culture", ["department"]),
    ("icbc_user", "周婷（工商银行）", "bank-icbc", ["bank"]),
    ("abc_user", "吴昊（农业银行）", "bank-abc", ["bank"]),
    ("trcb_user", "郑丽（农商行）", "bank-trcb", ["bank"]),
    ("supervisor", "钱进（监督）", "hrss", ["supervisor"]),
    ("process_owner", "周明（流程管理员）", "hrss", ["process_owner"]),
    ("admin", "系统管理员", "hrss", ["admin"]),
]


def deploy_shipped(ctx: Services) -> list[dict[str, Any]]:
    """Deploy every diagram in bpmn/ (already deployed versions are left as they are)."""
    return [deploy(ctx, path.read_bytes(), read_forms(path), path.name) for path in diagram_paths()]


def seed_demo(ctx: Services) -> list[dict[str, Any]]:
    """Create the demo organisations and users if missing and deploy the diagrams; list the users."""
    with ctx.db.write() as conn:
        org_ids = {code: ensure_organization(conn, code, name, kind, name_en)
                   for code, name, kind, name_en in ORGANIZATIONS}
        existing = set(conn.execute(select(app_user.c.username)).scalars())
        for username, display, org, roles in USERS:
            if username not in existing:
                create_user(ctx, conn, username, DEMO_PASSWORD, display, org_ids[org], roles)
    deploy_shipped(ctx)
    return [{"username": u, "roles": roles, "organization": org} for u, _d, org, roles in USERS]
