"""The scenario editor: problems by field, `extends:` limited to bundled examples, saving a variant."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask.testing import FlaskClient

from followsun.store.users import Role
from tests.webapp.conftest import csrf_token
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
