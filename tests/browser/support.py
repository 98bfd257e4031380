"""Steps every browser journey takes: signing in through the real form, signing out."""

from __future__ import annotations

from playwright.sync_api import expect


def sign_in(page, email: str, password: str) -> None:
    page.goto("/auth/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_test_id("account-menu")).to_be_visible()


def sign_out(page) -> None:
    page.get_by_test_id("account-menu").click()
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_text("Bạn đã đăng xuất.")).to_be_visible()
    expect(page.get_by_test_id("account-menu")).to_have_count(0)
