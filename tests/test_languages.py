"""English, Russian and Kazakh: who gets which, the switch, the glossary, reports in each
language with the same figures, and the interpreter's view of a checklist."""

import re

import pytest
from markupsafe import escape

from app import create_app
from models import languages, users
from tests.conftest import Browser, station_id
from tests.test_liaison import file_checklist
from tests.test_report_summary import pdf_text, seed


def page_language(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.text).group(1)


@pytest.mark.parametrize("code, expected", [
    ("ru", "ru"), ("kk", "kk"), ("en", "en"), ("kk-KZ", "kk"), ("RU_ru", "ru"),
    ("xx", None), ("", None), (None, None), ("../../etc", None), ("k", None),
])
def test_a_code_is_supported_or_nothing(code, expected):
    assert languages.supported(code) == expected


@pytest.mark.parametrize("accept, url, chosen, account, expected", [
    # nothing said: the mission's default
    (None, "/login", None, None, "en"),
    # the browser's Accept-Language, best match first
    ("ru-RU,ru;q=0.9,en;q=0.5", "/login", None, None, "ru"),
    ("kk,ru;q=0.8", "/login", None, None, "kk"),
    ("de-DE,fr;q=0.9", "/login", None, None, "en"),
    # a ?lang= in the address wins for that page; an unknown one is ignored
    ("ru", "/login?lang=kk", None, None, "kk"),
    ("ru", "/login?lang=xx", None, None, "ru"),
    # the switch's choice beats the browser
    ("ru", "/login", "kk", None, "kk"),
    # a logged-in user's own language beats the switch's earlier choice and the browser
    ("ru", "/checklists/new", "en", "kk", "kk"),
])
def test_who_gets_which_language(app, db, accept, url, chosen, account, expected):
    client = app.test_client()
    browser = Browser(client)
    headers = {"Accept-Language": accept} if accept else {}
    if chosen:
        with client.session_transaction() as session:
            session["lang"] = chosen
    if account:
        users.set_language(db, users.find_by_username(db, "obs1")["id"], account)
        browser.login("obs1")
        if chosen:
            with client.session_transaction() as session:
                session["lang"] = chosen
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    assert page_language(response) == expected


def test_the_switch_keeps_the_language_on_the_account_across_devices(app, db):
    phone = Browser(app.test_client())
    phone.login("obs1")
    page = phone.client.get("/checklists/new")
    assert page_language(page) == "en"
    switched = phone.client.post("/language", data={
        "csrf_token": phone.hidden(page.text, "csrf_token"), "lang": "kk",
        "next": "/checklists/new"})
    assert switched.status_code == 302 and switched.headers["Location"] == "/checklists/new"
    home = phone.client.get("/checklists/new")
    assert page_language(home) == "kk"
    assert "Жаңа" in home.text or "Жасау" in home.text  # the menu speaks Kazakh
    assert users.find_by_username(db, "obs1")["locale"] == "kk"
    # Another device with an English browser: still Kazakh once logged in.
    laptop = Browser(app.test_client())
    laptop.login("obs1")
    assert page_language(laptop.client.get("/checklists", headers={
        "Accept-Language": "en-GB"})) == "kk"


@pytest.mark.parametrize("asked", ["xx", "", "<script>", "kk" * 40])
def test_an_unknown_language_falls_back_without_an_error_page(app, db, asked):
    browser = Browser(app.test_client())
    browser.login("obs1")
    page = browser.client.get("/checklists/new")
    response = browser.client.post("/language", data={
        "csrf_token": browser.hidden(page.text, "csrf_token"), "lang": asked,
        "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"  # never off the site
    assert page_language(browser.client.get("/checklists/new")) == "en"
    assert browser.client.get(f"/checklists/new?lang={asked}").status_code == 200


def test_the_switch_is_in_every_page_and_the_current_language_is_marked(app):
    page = app.test_client().get("/login", headers={"Accept-Language": "ru"})
    switch = re.search(r'<form method="post" action="/language".*?</form>', page.text, re.S).group(0)
    assert 'lang="en"' in switch and 'lang="ru"' in switch and 'lang="kk"' in switch
    assert re.search(r'value="ru" lang="ru" class="link"\s+aria-current="true" disabled', switch)
    assert "Қазақша" in switch and "Русский" in switch and "English" in switch


def test_the_glossary_lists_each_term_in_three_languages(app, db):
    browser = Browser(app.test_client())
    browser.login("obs1")
    page = browser.client.get("/glossary").text
    terms = languages.glossary()
    assert len(terms) >= 30
    for term in terms:
        for code in ("en", "ru", "kk"):
            assert f'<td lang="{code}">{escape(term[code])}</td>' in page
    assert "учаскелік сайлау комиссиясы" in page and "участковая избирательная комиссия" in page
    assert "барлығына қарсы" in page and "против всех" in page


def _figures(text: str) -> list[str]:
    """The summary's shares (45.6% / 45,6 %) and counts (12,345 / 12 345), written one way."""
    text = re.sub(r"(?<=\d)[\u00a0\u202f ,](?=\d{3}\b)", "", text)
    return [f"{whole}.{tenth}" for whole, tenth in re.findall(r"(\d+)[.,](\d)\s?%", text)]


def test_the_summary_in_english_russian_and_kazakh_has_the_same_figures(app, db, tmp_path):
    seed(app, db)
    runner = app.test_cli_runner()
    texts = {}
    for code in ("en", "ru", "kk"):
        out = tmp_path / f"summary-{code}.pdf"
        result = runner.invoke(args=["report", "summary", "--out", str(out), "--lang", code])
        assert result.exit_code == 0, result.output
        texts[code], _pages = pdf_text(out.read_bytes())
    assert len(_figures(texts["en"])) > 20
    assert _figures(texts["ru"]) == _figures(texts["en"]) == _figures(texts["kk"])
    assert "Mission summary" in texts["en"] or "summary" in texts["en"].lower()
    # Each in its own words: the Russian and Kazakh copies are not the English one.
    assert "против всех" in texts["ru"] or "избират" in texts["ru"]
    assert "сайлау" in texts["kk"]
    assert "Polling station" not in texts["kk"]


def test_an_unknown_lang_writes_the_default_and_says_so(app, db, tmp_path):
    out = tmp_path / "summary.pdf"
    result = app.test_cli_runner().invoke(
        args=["report", "summary", "--out", str(out), "--lang", "xx"])
    assert result.exit_code == 0
    assert "No language 'xx' here" in result.output
    assert out.read_bytes().startswith(b"%PDF")


def test_the_reports_page_offers_each_language_and_the_pdf_follows_it(app, db):
    seed(app, db)
    browser = Browser(app.test_client())
    browser.login("coord")
    page = browser.client.get("/reports").text
    assert re.search(r'<select id="report-lang" name="lang"', page)
    for code in ("en", "ru", "kk"):
        assert f'<option value="{code}" lang="{code}"' in page
    russian = browser.client.get("/reports/summary.pdf?lang=ru")
    assert russian.mimetype == "application/pdf"
    text, _pages = pdf_text(russian.data)
    assert "избират" in text
    # The page the coordinator comes back to is still in their own language.
    assert page_language(browser.client.get("/reports")) == "en"


def test_the_interpreter_sees_each_question_also_in_russian(app, db):
    browser = Browser(app.test_client())
    browser.login("obs1")
    opened = browser.client.get(f"/checklists/voting/new?station={station_id(db, '101')}")
    page = browser.client.get(opened.headers["Location"] + "&with=ru")
    assert page.status_code == 200
    text = page.text
    assert re.search(r'<form method="post" novalidate class="checklist" id="checklist-form" '
                     r'data-second="ru"', text)
    assert '<select id="second-language" data-second-language="checklist-form">' in text
    russian = re.findall(r'<span class="second" lang="ru">([^<]+)</span>', text)
    kazakh = re.findall(r'<span class="second" lang="kk">([^<]+)</span>', text)
    assert len(russian) > 40 and len(kazakh) == len(russian)
    assert "Да" in russian and "Нет" in russian  # the answers too
    assert any("бюллетен" in words for words in russian)
    # The choice of second language is the phone's: it is not a field of the form.
    form = re.search(r'<form method="post" novalidate class="checklist".*?</form>', text, re.S)
    assert "second-language" not in form.group(0)


def test_the_bilingual_checklist_pdf_has_both_wordings(app, db):
    entry = file_checklist(app, db, "101", "obs1")
    browser = Browser(app.test_client())
    browser.login("obs1")
    detail = browser.client.get(f"/checklists/{entry}").text
    assert f'/checklists/{entry}.pdf?second=ru' in detail
    text, _pages = pdf_text(browser.client.get(f"/checklists/{entry}.pdf?second=ru").data)
    plain, _pages = pdf_text(browser.client.get(f"/checklists/{entry}.pdf").data)
    assert "Were the ballot boxes" in text or "ballot" in text
    assert "бюллетен" in text and "бюллетен" not in plain
    # An unknown or the same language: the plain copy, no error.
    same, _pages = pdf_text(browser.client.get(f"/checklists/{entry}.pdf?second=xx").data)
    assert "бюллетен" not in same


@pytest.mark.parametrize("asked, status, stored", [
    ("kk", 303, "kk"), ("ru", 303, "ru"), ("", 303, None), ("xx", 400, None),
    ("<b>kk</b>", 400, None),
])
def test_an_admin_sets_a_user_s_language(app, db, asked, status, stored):
    admin = Browser(app.test_client())
    admin.login("admin")
    observer = users.find_by_username(db, "obs1")
    page = admin.client.get(f"/admin/users/{observer['id']}")
    assert 'name="lang"' in page.text
    response = admin.client.post(f"/admin/users/{observer['id']}/language", data={
        "csrf_token": admin.hidden(page.text, "csrf_token"), "lang": asked})
    assert response.status_code == status
    assert users.find_by_username(db, "obs1")["locale"] == stored
    if status == 400:
        assert "Choose a language from the list." in response.text
        assert "<b>kk</b>" not in response.text
        return
    changes = db.execute("SELECT details FROM audit_log WHERE action = 'user_change'").fetchall()
    assert len(changes) == (1 if stored else 0)
    phone = Browser(app.test_client())
    phone.login("obs1")
    assert page_language(phone.client.get("/checklists/new")) == (stored or "en")


@pytest.mark.parametrize("setting, expected", [("kk", "kk"), ("ru", "ru"), ("xx", "en"), ("", "en")])
def test_the_mission_default_language_and_an_unknown_one(db_path, tmp_path, setting, expected):
    app = create_app({"DATABASE": db_path, "SECRET_KEY": "test", "TESTING": True,
                      "BABEL_DEFAULT_LOCALE": setting})
    response = app.test_client().get("/login")
    assert response.status_code == 200
    assert page_language(response) == expected


def test_the_switch_adds_no_duplicate_ids_to_a_page_with_a_form(app, db):
    browser = Browser(app.test_client())
    for path in ("/login",):
        ids = re.findall(r'\sid="([^"]+)"', browser.client.get(path).text)
        assert len(ids) == len(set(ids)), path
    browser.login("obs1")
    opened = browser.client.get(f"/checklists/voting/new?station={station_id(db, '101')}")
    for path in (opened.headers["Location"], "/meetings/new", "/checklists/new"):
        ids = re.findall(r'\sid="([^"]+)"', browser.client.get(path).text)
        assert len(ids) == len(set(ids)), (path, [i for i in ids if ids.count(i) > 1][:3])
