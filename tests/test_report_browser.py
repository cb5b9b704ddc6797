"""The review report in a real browser: Debian's Chromium driven by Selenium (both installed by
``.ci/run``; the tests skip, saying why, where either is missing)."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import mtfix

from .test_review import SEED, expected_text, report_of, run

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
#: Chromium's switches for a closed network (no background connections) as root in a container.
FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking "
    "--disable-component-update --disable-sync --disable-dev-shm-usage --window-size=1400,1000"
).split()


def chrome(downloads: Path, profile: Path) -> object:
    """A headless Chromium that saves downloads in ``downloads``; skips the test if there is none."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install selenium)")
    from selenium.webdriver.chrome.service import Service

    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip("Chromium and ChromeDriver are not installed (apt-get install chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in [*FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    return driver


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    (tmp_path / "downloads").mkdir()
    driver = chrome(tmp_path / "downloads", tmp_path / "profile")
    yield driver
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]  # type: ignore[attr-defined]
    driver.quit()  # type: ignore[attr-defined]
    assert not errors, errors  # no script error, no blocked fetch


def open_report(driver: object, path: Path) -> None:
    driver.get(path.as_uri())  # type: ignore[attr-defined]
    wait(lambda: driver.execute_script("return document.body.dataset.ready") == "1")  # type: ignore[attr-defined]


def wait(ok: object, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while not ok():  # type: ignore[operator]
        if time.monotonic() > end:
            raise AssertionError("timed out")
        time.sleep(0.05)


def export(driver: object, downloads: Path) -> dict:
    from selenium.webdriver.common.by import By

    driver.find_element(By.ID, "export").click()  # type: ignore[attr-defined]
    target = downloads / "decisions.json"
    wait(lambda: target.exists() and target.stat().st_size > 0)
    time.sleep(0.2)
    return json.loads(target.read_text(encoding="utf-8"))


def status(driver: object) -> str:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.ID, "status").text  # type: ignore[attr-defined]


def test_review_the_seed_article_with_keyboard_and_mouse(browser: object, tmp_path: Path) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    (tmp_path / "seed.txt").write_bytes(SEED.read_bytes())
    assert run("report", "seed.txt", "-o", "r.html", cwd=tmp_path).returncode == 0
    data = report_of((tmp_path / "r.html").read_text(encoding="utf-8"))
    open_report(browser, tmp_path / "r.html")
    items = browser.find_elements(By.CSS_SELECTOR, "li.chg")  # type: ignore[attr-defined]
    assert len(items) == 16
    assert "16 changes and 0 flags in 8 segments of 1 file(s)" in browser.find_element(By.ID, "summary").text  # type: ignore[attr-defined]
    assert status(browser) == "accepted 0 · rejected 0 · pending 16"
    # the keyboard: the third change, rejected
    ActionChains(browser).send_keys("jjj").perform()
    current = browser.find_element(By.CSS_SELECTOR, "li.chg.current")  # type: ignore[attr-defined]
    by_key = current.get_attribute("data-id")
    ActionChains(browser).send_keys("r").perform()
    wait(lambda: status(browser) == "accepted 0 · rejected 1 · pending 15")
    assert (
        browser.find_element(By.CSS_SELECTOR, f'li.chg[data-id="{by_key}"]')
        .get_attribute("class")
        .count("state-rejected")
    )  # type: ignore[attr-defined]
    # the mouse: every spacing.sentence change, rejected from the summary chart
    browser.find_element(By.CSS_SELECTOR, '.bar-row[data-name="spacing.sentence"] button.reject-all').click()  # type: ignore[attr-defined]
    kind = data["kinds"].index("spacing.sentence")
    sentence = {c[0] for s in data["segments"] for c in s[4] if c[3] == kind}
    rejected = sentence | {by_key}
    wait(lambda: status(browser) == f"accepted 0 · rejected {len(rejected)} · pending {16 - len(rejected)}")
    # the after row shows the rejected change's original text
    li = browser.find_element(By.CSS_SELECTOR, f'li.chg[data-id="{by_key}"]')  # type: ignore[attr-defined]
    assert li.find_element(By.XPATH, "./ancestor::article").find_elements(By.CSS_SELECTOR, ".kept-original")
    # decisions survive a reload
    browser.refresh()  # type: ignore[attr-defined]
    open_report(browser, tmp_path / "r.html")
    assert status(browser) == f"accepted 0 · rejected {len(rejected)} · pending {16 - len(rejected)}"
    decisions = export(browser, tmp_path / "downloads")
    assert {c["id"] for c in decisions["changes"] if c["decision"] == "rejected"} == rejected
    assert len(decisions["changes"]) == 16
    out = run(
        "apply", "--decisions", tmp_path / "downloads" / "decisions.json", "seed.txt", "-o", "out.txt", cwd=tmp_path
    )
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "out.txt").read_text(encoding="utf-8") == expected_text(SEED, "seed.txt", rejected)


def test_review_a_jsonl_corpus_where_markup_is_text(browser: object, tmp_path: Path) -> None:
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    hostile = "<script>alert(1)</script> North Korea.At last </textarea><b>bold</b>"
    texts = [hostile, "Kim Jong -un arrived.He left.", "Nothing here.", "the talks on June , Pétain said"]
    (tmp_path / "c.jsonl").write_text("".join(json.dumps({"text": t}) + "\n" for t in texts), encoding="utf-8")
    assert run("report", "c.jsonl", "-o", "r.html", cwd=tmp_path).returncode == 0
    open_report(browser, tmp_path / "r.html")
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # type: ignore[attr-defined]  # noqa: B018
    assert len(browser.find_elements(By.TAG_NAME, "script")) == 2  # type: ignore[attr-defined]
    assert not browser.find_elements(By.CSS_SELECTOR, "#list b")  # type: ignore[attr-defined]
    first = browser.find_element(By.CSS_SELECTOR, 'article.seg[data-seg="0"] .row .text')  # type: ignore[attr-defined]
    assert first.text.startswith("<script>alert(1)</script> North Korea.") and "</textarea><b>bold</b>" in first.text
    # search, then reject what it shows; a filter by kind
    search = browser.find_element(By.ID, "f-q")  # type: ignore[attr-defined]
    search.send_keys("alert")
    wait(lambda: len(browser.find_elements(By.CSS_SELECTOR, "article.seg")) == 1)  # type: ignore[attr-defined]
    browser.find_element(By.ID, "reject-shown").click()  # type: ignore[attr-defined]
    search.clear()
    search.send_keys(" ")
    search.clear()
    Select(browser.find_element(By.ID, "f-kind")).select_by_value("spacing.hyphen")  # type: ignore[attr-defined]
    wait(lambda: len(browser.find_elements(By.CSS_SELECTOR, "article.seg")) == 1)  # type: ignore[attr-defined]
    decisions = export(browser, tmp_path / "downloads")
    rejected = {c["id"] for c in decisions["changes"] if c["decision"] == "rejected"}
    assert rejected and all(i.startswith("c.jsonl:1:") for i in rejected)
    args = (
        "apply",
        "--decisions",
        tmp_path / "downloads" / "decisions.json",
        "c.jsonl",
        "-o",
        "out.jsonl",
        "--log-key",
        "",
    )
    out = run(*args, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    got = [json.loads(x)["text"] for x in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    cleaned = [mtfix.clean(t, model=None).text for t in texts]
    assert got == [hostile, *cleaned[1:]]
