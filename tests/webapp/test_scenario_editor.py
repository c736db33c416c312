"""The scenario editor, YAML and form: problems by field, round trips, `extends:` variants, saving."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask.testing import FlaskClient

from followsun.store.users import Role
from scenarios.loader import dump_scenario, load_scenario, parse_scenario
from tests.webapp.conftest import csrf_token
from webapp.scenario_files import examples_folder
from webapp.views.scenarios import field_of


def check(client: FlaskClient, text: str, action: str = "check") -> tuple[int, str]:
    response = client.post(
        f"/scenarios/{action}", data={"text": text, "csrf_token": csrf_token(client, "/")}
    )
    return response.status_code, response.get_data(as_text=True)


def test_problem_lines_are_filed_under_their_top_level_field() -> None:
    assert field_of("sites[2].timezone: 'Mars/Base' is invalid") == "sites"
    assert field_of("planning.weeks: required field is missing") == "planning"
    assert field_of("name: required field is missing") == "name"


def test_a_bad_variant_shows_its_problem_beside_the_field(
    client_as: Callable[[Role | None], FlaskClient],
) -> None:
    status, page = check(client_as(Role.VIEWER), "extends: reference.yaml\nname: v\nsites: 3\n")
    assert status == 422
    row = page.split("<code>sites</code>", 1)[1].split("</tr>", 1)[0]
    assert 'class="problem">sites:' in row


def test_a_good_variant_is_valid_and_extends_only_examples(
    client_as: Callable[[Role | None], FlaskClient],
) -> None:
    viewer = client_as(Role.VIEWER)
    status, page = check(viewer, "extends: reference.yaml\nname: my-variant\n")
    assert status == 200 and "The scenario is valid." in page
    status, page = check(viewer, "extends: ../../../etc/passwd\nname: x\n")
    assert status == 422 and "is not a bundled example" in page


def test_a_scheduler_saves_a_variant_that_plans_can_use(
    client_as: Callable[[Role | None], FlaskClient], tmp_path: Path
) -> None:
    scheduler = client_as(Role.SCHEDULER)
    response = scheduler.post(
        "/scenarios/save",
        data={
            "text": "extends: reference.yaml\nname: ../night shift\n",
            "csrf_token": csrf_token(scheduler, "/"),
        },
    )
    assert response.status_code == 302
    saved = sorted((tmp_path / "out" / "scenarios").glob("*.yaml"))
    assert [p.name for p in saved] == ["night-shift.yaml"]
    assert "extends" not in saved[0].read_text()  # stored resolved
    assert 'value="saved:night-shift"' in scheduler.get("/plans/").get_data(as_text=True)


# -- the form over the JSON Schema ------------------------------------------------------

INPUT = re.compile(r'<input type="(?:text|hidden)" name="([^"]+)" value="([^"]*)"')
TEXTAREA = re.compile(r'<textarea name="(f\.[^"]+)"[^>]*>\n?(.*?)</textarea>', re.S)
SELECT = re.compile(r'<select name="(f\.[^"]+)">(.*?)</select>', re.S)
SELECTED = re.compile(r"<option selected>([^<]*)</option>")


def submitted(page: str) -> dict[str, str]:
    """What a browser submits for a form page left as it is (fields named f.*, the key)."""
    form = {n: html.unescape(v) for n, v in INPUT.findall(page) if n.startswith("f.") or n == "key"}
    for name, text in TEXTAREA.findall(page):
        form[name] = html.unescape(text).replace("\n", "\r\n")
    for name, options in SELECT.findall(page):
        chosen = SELECTED.search(options)
        form[name] = html.unescape(chosen.group(1)) if chosen else ""
    return form


def field_html(page: str, name: str) -> str:
    """The markup of the field holding input `name`."""
    start = page.rindex('<div class="field', 0, page.index(f'name="{name}"'))
    return (
        page[start : page.index("</div>", page.index(f'name="{name}"'))]
        + page[page.index("</div>", page.index(f'name="{name}"')) :].split("</label>", 1)[0]
    )


def post(client: FlaskClient, path: str, form: dict[str, str], **extra: str) -> Any:
    return client.post(path, data={**form, **extra, "csrf_token": csrf_token(client, "/")})


@pytest.mark.parametrize("example", sorted(p.stem for p in examples_folder().glob("*.yaml")))
def test_the_form_round_trips_every_example_to_the_same_scenario(
    client_as: Callable[[Role | None], FlaskClient], example: str
) -> None:
    viewer = client_as(Role.VIEWER)
    page = viewer.get(f"/scenarios/?scenario=example:{example}").get_data(as_text=True)
    form = submitted(page)
    checked = post(viewer, "/scenarios/form", form, action="check")
    assert checked.status_code == 200 and "The scenario is valid." in checked.get_data(as_text=True)
    as_yaml = post(viewer, "/scenarios/form", form, action="yaml").get_data(as_text=True)
    text = html.unescape(as_yaml.split('<textarea name="text"', 1)[1].split(">", 1)[1])
    text = text.split("</textarea>", 1)[0]
    expected = load_scenario(examples_folder() / f"{example}.yaml")
    assert dump_scenario(parse_scenario(yaml.safe_load(text))) == dump_scenario(expected)


def test_each_problem_is_shown_beside_its_field(
    client_as: Callable[[Role | None], FlaskClient],
) -> None:
    viewer = client_as(Role.VIEWER)
    form = submitted(viewer.get("/scenarios/").get_data(as_text=True))
    form["f.sites.1.timezone"] = "Mars/Base"
    form["f.queues.0.tier"] = "seven"
    response = post(viewer, "/scenarios/form", form, action="check")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "The scenario is valid." not in page
    zone = field_html(page, "f.sites.1.timezone")
    assert 'class="field bad"' in zone and "Mars/Base" in zone and "IANA" in zone
    tier = field_html(page, "f.queues.0.tier")
    assert 'class="field bad"' in tier and "integer" in tier
    assert 'class="field bad"' not in field_html(page, "f.sites.0.timezone")


def test_add_and_remove_change_a_repeatable_group(
    client_as: Callable[[Role | None], FlaskClient],
) -> None:
    viewer = client_as(Role.VIEWER)
    form = submitted(viewer.get("/scenarios/").get_data(as_text=True))
    sites = int(form["f.sites.__n__"])
    added = post(viewer, "/scenarios/form", form, add="f.sites").get_data(as_text=True)
    assert submitted(added)["f.sites.__n__"] == str(sites + 1)
    assert f'name="f.sites.{sites}.timezone" value=""' in added
    removed = post(viewer, "/scenarios/form", form, **{"f.sites.0.__remove__": "1"})
    after = submitted(removed.get_data(as_text=True))
    assert after["f.sites.__n__"] == str(sites - 1)
    assert after["f.sites.0.id"] == form["f.sites.1.id"]


def test_a_scheduler_saves_only_the_changes_as_a_variant_that_extends_its_base(
    client_as: Callable[[Role | None], FlaskClient], tmp_path: Path
) -> None:
    scheduler = client_as(Role.SCHEDULER)
    form = submitted(scheduler.get("/scenarios/?scenario=example:reference").get_data(as_text=True))
    form["f.name"] = "bigger-taipei"
    site = next(k for k, v in form.items() if k.endswith(".id") and v == "tpe")
    count = f"{site.removesuffix('.id')}.headcount.0.count"
    form[count] = str(int(form[count]) + 3)
    response = post(scheduler, "/scenarios/form/save", form, as_variant="1")
    assert response.status_code == 302
    saved = tmp_path / "out" / "scenarios" / "bigger-taipei.yaml"
    data = yaml.safe_load(saved.read_text())
    assert data["extends"] == "reference.yaml" and data["name"] == "bigger-taipei"
    assert set(data) == {"extends", "name", "sites"}  # only what changed
    assert [s["id"] for s in data["sites"]] == ["tpe"]
    variant, base = load_scenario(saved), load_scenario(examples_folder() / "reference.yaml")
    tpe = next(s for s in variant.sites if s.id == "tpe")
    assert (
        tpe.headcount[0].count
        == next(s for s in base.sites if s.id == "tpe").headcount[0].count + 3
    )
    assert variant.queues == base.queues
    assert 'value="saved:bigger-taipei"' in scheduler.get("/plans/").get_data(as_text=True)


def test_a_variant_may_not_take_its_base_or_an_example_name(
    client_as: Callable[[Role | None], FlaskClient], tmp_path: Path
) -> None:
    scheduler = client_as(Role.SCHEDULER)
    form = submitted(scheduler.get("/scenarios/?scenario=example:reference").get_data(as_text=True))
    form["f.name"] = "24x7-bpo"
    response = post(scheduler, "/scenarios/form/save", form, as_variant="1")
    assert response.status_code == 422
    assert "a name of its own" in field_html(response.get_data(as_text=True), "f.name")
    assert not (tmp_path / "out" / "scenarios").exists()


def test_a_viewer_cannot_save_from_the_form_and_a_save_needs_its_csrf_token(
    client_as: Callable[[Role | None], FlaskClient], tmp_path: Path
) -> None:
    viewer = client_as(Role.VIEWER)
    form = submitted(viewer.get("/scenarios/").get_data(as_text=True))
    form["f.name"] = "mine"
    assert post(viewer, "/scenarios/form/save", form).status_code == 403
    scheduler = client_as(Role.SCHEDULER)
    refused = scheduler.post("/scenarios/form/save", data=form)
    assert refused.status_code == 400 and b"CSRF" in refused.data
    assert not (tmp_path / "out" / "scenarios").exists()
    assert 'formaction="/scenarios/form/save"' not in viewer.get("/scenarios/").get_data(
        as_text=True
    )
