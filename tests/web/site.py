"""Use the pages as people do in tests: sign in per user, read CSRF tokens, post forms."""
from __future__ import annotations

import html
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from services.demo import DEMO_PASSWORD

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def token_in(page: str) -> str:
    """Return the CSRF token of the first form of *page*."""
    found = _TOKEN.search(page)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def text_of(response: TestResponse) -> str:
    """Return a page's visible text: tags removed, entities decoded, spaces collapsed."""
    body = response.get_data(as_text=True)
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body))).strip()


def posted(data: dict[str, Any]) -> dict[str, Any]:
    """Return typed form data as a browser posts it: texts, true/false, line items as name-i-field."""
    form: dict[str, Any] = {}
    for name, value in data.items():
        if isinstance(value, list):
            for index, row in enumerate(value):
                form.update({f"{name}-{index}-{k}": str(v) for k, v in row.items()})
        elif isinstance(value, bool):
            form[name] = "true" if value else "false"
        else:
            form[name] = value if isinstance(value, tuple) else str(value)
    return form


class User:
    """One person in a browser of their own."""

    def __init__(self, client: FlaskClient, username: str) -> None:
        self.client = client
        self.username = username

    def get(self, url: str, **kwargs: Any) -> TestResponse:
        """GET a page."""
        return self.client.get(url, **kwargs)

    def token(self, url: str = "/") -> str:
        """Return a CSRF token for this user's session, read from *url*."""
        return token_in(self.client.get(url).get_data(as_text=True))

    def post(self, url: str, data: dict[str, Any] | None = None, *, token_from: str = "/",
             **kwargs: Any) -> TestResponse:
        """POST a form with the CSRF token a page of this session carries."""
        return self.client.post(url, data={**(data or {}), "csrf_token": self.token(token_from)}, **kwargs)


class Site:
    """The application as several people use it at once."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.users: dict[str, User] = {}

    def sign_in(self, client: FlaskClient, username: str, password: str = DEMO_PASSWORD,
                next_url: str = "") -> TestResponse:
        """Sign *client* in through the sign-in form."""
        token = token_in(client.get("/login").get_data(as_text=True))
        return client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": token, "next": next_url})

    def user(self, username: str) -> User:
        """Return *username*, signed in once in a browser of its own."""
        if username not in self.users:
            client = self.app.test_client()
            response = self.sign_in(client, username)
            assert response.status_code == 302, text_of(response)
            self.users[username] = User(client, username)
        return self.users[username]

    def anonymous(self) -> FlaskClient:
        """Return a browser that has not signed in."""
        return self.app.test_client()
