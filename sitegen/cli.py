"""Command line: build, check, serve, schema, pages. The only module that prints or exits."""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from .characters import printable
from .errors import BuildFailed, Problem
from .render import Settings, normalise_base, normalise_repo_url
from .search import SHARD_PAGES
from .write import disk_full_message, is_disk_full

MEMORY_LIMIT = 4 << 30
"""The address space build.py (and what it starts) may take, in bytes. The 10,000-item benchmark's build
peaks at about 400 MB; a template's ("x" * 30000000000) is then a MemoryError, reported at its line,
instead of the machine's memory (a pull request's template runs in CI before anyone reads it)."""


def limit_memory() -> None:
    """Lower the process's soft limit on address space to MEMORY_LIMIT, where the system allows it. Only
    build.py calls it: the tests run main() in their own process, which starts a browser."""
    import resource

    try:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT if hard == resource.RLIM_INFINITY
                                                 else min(MEMORY_LIMIT, hard), hard))
    except (ValueError, OSError):  # not enforced on this system (macOS, say)
        pass


def print_problems(problems: Sequence[Problem], output_format: str) -> None:
    """Print every problem, one a line, then a count; as GitHub annotations with --format github."""
    for problem in problems:
        print(problem.as_github() if output_format == "github" else str(problem), file=sys.stderr)
    print(f"{len(problems)} problem(s) found; nothing was written.", file=sys.stderr)


def print_warnings(warnings: Sequence[Problem], output_format: str = "text") -> None:
    """Warnings do not stop the build; they are printed so editors can improve the text."""
    for warning in warnings:
        print(warning.as_github("warning") if output_format == "github" else str(warning), file=sys.stderr)


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="build.py",
        description="Build the children's social care reform explainer from data/, content/ and templates/.",
    )
    add_common_options(main, defaults=True)
    common = argparse.ArgumentParser(add_help=False)
    add_common_options(common, defaults=False)  # the same options are accepted after the command too
    commands = main.add_subparsers(dest="command", metavar="COMMAND")

    build = commands.add_parser("build", parents=[common], help="build the site into site/ (the default command)",
                                description="Build the site; the output folder changes only if the build succeeds.")
    add_site_options(build)
    build.add_argument("--search-shard-pages", type=positive, default=SHARD_PAGES, metavar="N",
                       help="pages per search index shard; a smaller N makes Pagefind use less memory"
                            f" (default {SHARD_PAGES})")
    build.add_argument("--workers", type=positive, default=default_workers(), metavar="N",
                       help="processes that render pages at once, and search shards indexed at once (default:"
                            f" the cores this process may use, at most {MAX_DEFAULT_WORKERS}: here"
                            f" {default_workers()}); each takes memory of its own, so use fewer where memory is"
                            " short; the pages are the same bytes with any N")
    build.add_argument("--timings", action="store_true",
                       help="print the seconds spent in each stage to stderr (for benchmarks)")
    commands.add_parser("check", parents=[common], help="validate every data file, page and quote; write nothing",
                        description="Validate data, pages, references and quotes, and print a summary.")
    serve = commands.add_parser("serve", parents=[common], help="live preview on 127.0.0.1, rebuilt on every save",
                                description="Serve a live preview that rebuilds when content/, data/ or"
                                            " templates/ change and shows build errors in the browser.")
    serve.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default 8000)")
    schema = commands.add_parser("schema", parents=[common],
                                 help="write a JSON Schema for every data file kind into schemas/",
                                 description="Write schemas/<kind>.schema.json for editors' YAML support.")
    schema.add_argument("--out", type=Path, default=None, help="folder for the schemas (default: schemas/)")
    pages = commands.add_parser("pages", parents=[common],
                                help="serve the built site exactly as GitHub Pages would, under /REPO/",
                                description="Build with a sub-path and serve it on 127.0.0.1 as GitHub Pages"
                                            " would, for a person to look at.")
    pages.add_argument("--base-url", default="/REPO/", help="the sub-path (default /REPO/)")
    pages.add_argument("--port", type=int, default=8001, help="port on 127.0.0.1 (default 8001)")
    add_repo_option(pages)
    return main


MAX_DEFAULT_WORKERS = 4
"""Rendering processes a build starts by default at most, however many cores: each copy's memory grows
as it renders, and a container's memory limit is not its number of cores."""


def default_workers() -> int:
    """The cores this process may run on (os.cpu_count where the system cannot say), at most
    MAX_DEFAULT_WORKERS."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return min(cores, MAX_DEFAULT_WORKERS)


def positive(text: str) -> int:
    """An argument that must be a whole number above 0."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number above 0, not {text!r}")
    return int(text)


def add_common_options(parser: argparse.ArgumentParser, defaults: bool) -> None:
    """--project, --debug and --format; after a command they override the defaults only when given."""
    keep = argparse.SUPPRESS
    parser.add_argument("--project", type=Path, default=Path.cwd() if defaults else keep,
                        help="project folder holding data/, content/, templates/ and sources/ (default: here)")
    parser.add_argument("--debug", action="store_true", default=False if defaults else keep,
                        help="show a Python traceback for unexpected errors")
    parser.add_argument("--format", choices=["text", "github"], default="text" if defaults else keep,
                        help="how problems are printed: text (path:line:column: …) or github annotations")


def add_site_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--out", type=Path, default=None, help="output folder (default: site/)")
    command.add_argument("--base-url", default="/",
                         help="path the site is served under, e.g. /REPO/ on GitHub Pages (default /)")
    command.add_argument("--site-url", default="",
                         help="public address of the site for canonical links, e.g. https://owner.github.io/REPO/")
    add_repo_option(command)


def add_repo_option(command: argparse.ArgumentParser) -> None:
    command.add_argument("--repo-url", type=repo_url, default=None,
                         help="GitHub repository whose correction form the \"Spotted a mistake?\" links open,"
                              " e.g. https://github.com/owner/REPO (default: the repository a GitHub Actions"
                              " run is for, from GITHUB_SERVER_URL and GITHUB_REPOSITORY; none elsewhere,"
                              " and then the links are left out)")


def repo_url(text: str) -> str:
    """An argument that must be a repository address, or '' for none."""
    try:
        return normalise_repo_url(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def repo_url_from_environment() -> str:
    """The repository a GitHub Actions run is for, so a fork's build points to the fork; '' elsewhere."""
    repository = os.environ.get("GITHUB_REPOSITORY", "").strip()
    if not repository:
        return ""
    server = os.environ.get("GITHUB_SERVER_URL", "").strip() or "https://github.com"
    try:
        return normalise_repo_url(f"{server.rstrip('/')}/{repository}")
    except ValueError:
        return ""  # a malformed environment gives no link rather than a wrong one


def chosen_repo_url(args: argparse.Namespace) -> str:
    """--repo-url when given (--repo-url '' turns the links off), else the environment's repository."""
    given: str | None = getattr(args, "repo_url", None)
    return repo_url_from_environment() if given is None else given


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    project: Path = args.project.resolve()
    command = args.command or "build"
    try:
        return run(command, args, project)
    except BuildFailed as failed:
        print_problems(failed.problems, args.format)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # an editor never sees a traceback unless they ask for one
        if args.debug:
            raise
        if is_disk_full(exc):
            print(printable(f"build.py: {disk_full_message(exc)}"), file=sys.stderr)
            return 1
        print(printable(f"build.py: internal error: {type(exc).__name__}: {exc}"), file=sys.stderr)
        print("Run again with --debug for the details, and report it as a bug.", file=sys.stderr)
        return 2


def run(command: str, args: argparse.Namespace, project: Path) -> int:
    from . import build
    from .cache import BuildCache, cache_folder

    if command == "build":
        started = time.perf_counter()
        out = args.out or project / "site" if args.command else project / "site"
        settings = (Settings(base_url=normalise_base(args.base_url), site_url=args.site_url,
                             search_shard_pages=args.search_shard_pages, repo_url=chosen_repo_url(args))
                    if args.command else Settings(repo_url=repo_url_from_environment()))
        timings = build.Timings()
        cache = BuildCache(cache_folder(project))
        # A build keeps nearly all it makes until it ends, so the cycle collector's passes over
        # millions of long-lived objects find little: reference counting frees the rest.
        gc.disable()
        try:
            result = build.build(project, out, settings, cache, timings,
                                 getattr(args, "workers", default_workers()))
        finally:
            gc.enable()
        print_warnings(result.warnings, args.format)
        if getattr(args, "timings", False):
            print(f"timings: {timings.report()} rendered={result.rendered} {build.peak_memory()}", file=sys.stderr)
        print(f"Built {result.count} files into {out} in {time.perf_counter() - started:.2f} s.")
        return 0
    if command == "check":
        site, _files = build.render(project, Settings(), keep=False)  # all a build does, but nothing is written
        print_warnings(site.warnings, args.format)
        from .readability import describe
        from .summary import summary_line

        print(summary_line(site))
        print(describe(site.reading_ages))
        return 0
    if command == "schema":
        from .schema import write_schemas

        out = args.out or project / "schemas"
        written = write_schemas(out, build.check_site(project))
        print(f"Wrote {written} schemas into {out}.")
        return 0
    if command == "serve":
        from .serve import serve

        serve(project, args.port)
        return 0
    if command == "pages":
        from .pages import CONTENT_SECURITY_POLICY, serve_site

        base = normalise_base(args.base_url)
        out = project / ".pages-preview"
        build.build(project, out, Settings(base_url=base, repo_url=chosen_repo_url(args)))
        server = serve_site(out, base, port=args.port, policy=CONTENT_SECURITY_POLICY)
        print(f"Serving {out} as GitHub Pages would at http://127.0.0.1:{args.port}{base} (Ctrl+C stops).")
        server.serve_forever()
        return 0
    raise AssertionError(command)
