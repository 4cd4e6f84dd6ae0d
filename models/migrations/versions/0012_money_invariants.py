"""Money invariants held by the database: no amount negative, payments within the contract price.

- CHECK constraints: every amount of `project` (budget, approved budget, plan amount, contract
  price, paid total) and of `payment` and `payment_notice` is zero or more; a project's paid total
  never exceeds its contract price once it has one.
- Triggers (SQLite and PostgreSQL): the payments of a contract (one project) together never exceed
  its contract price, whether a payment is added or changed, or the price is lowered afterwards.

The running totals (`oversight_total`) are sums of the rows above and get no CHECK: their upsert
adds signed deltas, and PostgreSQL checks the proposed row before it resolves the conflict.
Rows already breaking a rule stop the upgrade with a message naming them; nothing is adjusted.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

PROJECT_AMOUNTS = ("budget", "approved_budget", "plan_amount", "contract_price", "paid_total")
PAID_WITHIN_PRICE = "contract_price IS NULL OR paid_total <= contract_price"
PAYMENTS_OF = "(SELECT COALESCE(SUM(amount), 0) FROM payment WHERE instance_id = NEW.instance_id{other})"
PRICE_OF = "COALESCE((SELECT contract_price FROM project WHERE instance_id = NEW.instance_id), 0)"
MESSAGE = "payments exceed the contract price"

SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER payment_within_price_insert BEFORE INSERT ON payment
    WHEN {PAYMENTS_OF.format(other='')} + NEW.amount > {PRICE_OF}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER payment_within_price_update BEFORE UPDATE OF amount, instance_id ON payment
    WHEN {PAYMENTS_OF.format(other=' AND id <> OLD.id')} + NEW.amount > {PRICE_OF}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER project_price_covers_payments BEFORE UPDATE OF contract_price ON project
    WHEN {PAYMENTS_OF.format(other='')} > COALESCE(NEW.contract_price, 0)
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
)
PG_FUNCTIONS = (
    f"""CREATE FUNCTION payment_within_price() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF {PAYMENTS_OF.format(other=' AND id IS DISTINCT FROM NEW.id')} + NEW.amount > {PRICE_OF} THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END $$""",
    f"""CREATE FUNCTION project_price_covers_payments() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF {PAYMENTS_OF.format(other='')} > COALESCE(NEW.contract_price, 0) THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END $$""",
)
PG_TRIGGERS = (
    "CREATE TRIGGER payment_within_price BEFORE INSERT OR UPDATE OF amount, instance_id ON payment "
    "FOR EACH ROW EXECUTE FUNCTION payment_within_price()",
    "CREATE TRIGGER project_price_covers_payments BEFORE UPDATE OF contract_price ON project "
    "FOR EACH ROW EXECUTE FUNCTION project_price_covers_payments()",
)
BREAKING = {
    "project": " OR ".join([*(f"{c} < 0" for c in PROJECT_AMOUNTS), f"NOT ({PAID_WITHIN_PRICE})"]),
    "payment": "amount < 0",
    "payment_notice": "amount < 0",
}
OVERPAID = ("SELECT p.instance_id FROM project p JOIN payment pay ON pay.instance_id = p.instance_id "
            "GROUP BY p.instance_id, p.contract_price HAVING SUM(pay.amount) > COALESCE(p.contract_price, 0)")


def _refuse_breaking_rows(bind: sa.Connection) -> None:
    key = {"project": "instance_id", "payment": "id", "payment_notice": "id"}
    found = {table: bind.execute(sa.text(f"SELECT {key[table]} FROM {table} WHERE {where}")).scalars().all()
             for table, where in BREAKING.items()}
    found["payments above the price of project"] = bind.execute(sa.text(OVERPAID)).scalars().all()
    named = {table: rows[:20] for table, rows in found.items() if rows}
    if named:
        raise RuntimeError(f"0012: these rows break the money rules and must be corrected first: {named}")


def upgrade() -> None:
    bind = op.get_bind()
    _refuse_breaking_rows(bind)
    with op.batch_alter_table("project") as batch:
        for column in PROJECT_AMOUNTS:
            batch.create_check_constraint(op.f(f"ck_project_{column}_not_negative"), f"{column} >= 0")
        batch.create_check_constraint(op.f("ck_project_paid_within_price"), PAID_WITHIN_PRICE)
    for table in ("payment", "payment_notice"):
        with op.batch_alter_table(table) as batch:
            batch.create_check_constraint(op.f(f"ck_{table}_amount_not_negative"), "amount >= 0")
    if bind.dialect.name == "postgresql":
        for statement in (*PG_FUNCTIONS, *PG_TRIGGERS):
            op.execute(statement)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER project_price_covers_payments ON project")
        op.execute("DROP TRIGGER payment_within_price ON payment")
        op.execute("DROP FUNCTION project_price_covers_payments()")
        op.execute("DROP FUNCTION payment_within_price()")
    else:
        for name in ("project_price_covers_payments", "payment_within_price_update", "payment_within_price_insert"):
            op.execute(f"DROP TRIGGER {name}")
    for table in ("payment_notice", "payment"):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f"ck_{table}_amount_not_negative"), type_="check")
    with op.batch_alter_table("project") as batch:
        batch.drop_constraint(op.f("ck_project_paid_within_price"), type_="check")
        for column in PROJECT_AMOUNTS:
            batch.drop_constraint(op.f(f"ck_project_{column}_not_negative"), type_="check")
