"""Signing test clients in through the real sign-in form."""

from __future__ import annotations

from tests.builders import PASSWORD


def login(client, user, password: str = PASSWORD):
    response = client.post("/auth/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response


def logout(client):
    return client.post("/auth/logout")
