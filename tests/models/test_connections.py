"""Pooled PostgreSQL connections that died while idle are replaced, not handed out broken."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

import models.db
from models import fastpath
from services.auth import TOKEN_ACTOR, actor_for_token, create_api_token, token_digest
from services.clock import to_db
from services.demo import DEMO_PASSWORD
from services.context import Services


def test_a_connection_killed_while_idle_is_replaced(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    if not services.db.is_postgresql:
        pytest.skip("only PostgreSQL pools network connections")
    monkeypatch.setattr(models.db, "PING_AFTER_IDLE_SECONDS", 0.0)
    with services.db.read() as conn:
        victim = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    killer = create_engine(services.db.url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with killer.connect() as other:
        assert other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": victim}).scalar_one()
    with services.db.read() as conn:
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() != victim


def test_a_single_read_leaves_the_pooled_connection_transactional(services: Services) -> None:
    """read_one runs its statement without a transaction on PostgreSQL; the next write still rolls back."""
    with services.db.read_one() as conn:
        assert conn.execute(text("SELECT 41 + 1")).scalar_one() == 42
        if services.db.is_postgresql:
            assert conn.connection.driver_connection.autocommit is True
    with pytest.raises(RuntimeError), services.db.write() as conn:
        if services.db.is_postgresql:
            assert conn.connection.driver_connection.autocommit is False
        conn.execute(text("UPDATE app_user SET display_name = 'changed' WHERE username = 'hrss_clerk'"))
        raise RuntimeError("a failed action")
    with services.db.read_one() as conn:
        assert conn.execute(text("SELECT display_name FROM app_user WHERE username = 'hrss_clerk'")
                            ).scalar_one() != "changed"


def test_a_bearer_token_read_through_the_driver_opens_no_transaction(services: Services) -> None:
    """Every API request reads its token with one statement: no BEGIN, no ROLLBACK, on either database."""
    token = create_api_token(services, "hrss_clerk", DEMO_PASSWORD, "127.0.0.1")["token"]
    with services.db.read_one() as conn:
        rows = fastpath.fetch_all(conn, TOKEN_ACTOR, {"digest": token_digest(token),
                                                       "now": to_db(services.clock.now())})
        driver = conn.connection.driver_connection
        opened = driver.in_transaction if services.db.is_sqlite else driver.info.transaction_status != 0
    assert not opened
    assert {row.role for row in rows} == {"hrss"} and rows[0].username == "hrss_clerk"
    assert actor_for_token(services, token).username == "hrss_clerk"
    assert actor_for_token(services, token + "x") is None
