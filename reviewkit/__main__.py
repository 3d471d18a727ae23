"""Command line: ``python -m reviewkit bib check|fmt|report``, ``python -m reviewkit data check``,
``python -m reviewkit cite sync`` and ``python -m reviewkit book benchmark``."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from reviewkit import paths
from reviewkit.textfiles import InputError


def _bib_check(args) -> int:
    from reviewkit.bibliography import bib

    problems, notes = bib.check(Path(args.bib))
    for line in problems:
        print(line)
    if args.verbose:
        for line in notes:
            print(f"note: {line}")
    print(f"{len(problems)} problem(s), {len(notes)} note(s)", file=sys.stderr)
    return 1 if problems else 0


def _bib_fmt(args) -> int:
    from reviewkit.bibliography import bib

    try:
        changed = bib.fmt(Path(args.bib))
    except bib.BibError as error:
        for line in error.problems:
            print(line)
        print("not written", file=sys.stderr)
        return 1
    print(f"{args.bib}: {'reformatted' if changed else 'already canonical'}", file=sys.stderr)
    return 0


def _bib_report(args) -> int:
    from reviewkit.bibliography import bib, corrections

    try:
        library = bib.read_library(Path(args.bib))
    except InputError as error:
        print(error)
        return 1
    for entry in sorted(library.entries, key=lambda e: e.key):
        if not bib.field_value(entry, "printed"):
            continue
        item = bib.field_value(entry, "printed_item")
        for what, printed, verified in corrections.differences(entry):
            print(f"item {item} {entry.key}: {what}: printed {printed!r}, verified {verified!r}")
        unverified = bib.field_value(entry, "unverified")
        if unverified:
            print(f"item {item} {entry.key}: not verified on a record: {unverified}")
    return 0


def _data_check(args) -> int:
    from reviewkit.evidence import data

    problems, counts = data.check_all()
    for line in problems:
        print(line)
    for name, rows in counts.items():
        print(f"{name}: {rows} rows ok", file=sys.stderr)
    print(f"{len(problems)} problem(s)", file=sys.stderr)
    return 1 if problems else 0


def _data_import_wpd(args) -> int:
    from reviewkit.evidence import data, digitizer

    try:
        target = data.resource(args.into).path
        added = digitizer.import_into_csv(args.project, args.meta, target)
    except InputError as error:
        print(error)
        print("nothing written", file=sys.stderr)
        return 1
    print(f"{target}: {added} digitised row(s) added", file=sys.stderr)
    return 0


def _cite_sync(args) -> int:
    from reviewkit.book import publish

    changed = publish.sync_citation_file()
    print(f"CITATION.cff: {'updated from _config.yml' if changed else 'already in sync'}",
          file=sys.stderr)
    return 0


def _book_benchmark(args) -> int:
    from reviewkit.book import benchmark

    benchmark.run()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reviewkit")
    groups = parser.add_subparsers(dest="group", required=True)
    bib_parser = groups.add_parser("bib", help="check, format or report on references.bib")
    bib_parser.add_argument("action", choices=["check", "fmt", "report"])
    bib_parser.add_argument("--bib", default=str(paths.BIB_PATH))
    bib_parser.add_argument("-v", "--verbose", action="store_true", help="also print notes")
    data_parser = groups.add_parser("data", help="validate the datasets or import a digitised figure")
    data_actions = data_parser.add_subparsers(dest="action", required=True)
    data_actions.add_parser("check", help="validate every dataset")
    importer = data_actions.add_parser("import-wpd", help="append a WebPlotDigitizer project's points")
    importer.add_argument("project", help="the WebPlotDigitizer project JSON placed in data/")
    importer.add_argument("--meta", required=True, help="YAML: source_key, dataset, quantity, ...")
    importer.add_argument("--into", required=True, help="name of the dataset to append to")
    cite_parser = groups.add_parser("cite", help="CITATION.cff from the settings of _config.yml")
    cite_parser.add_argument("action", choices=["sync"])
    book_parser = groups.add_parser("book", help="measure the build (prints timings; slow)")
    book_parser.add_argument("action", choices=["benchmark"])
    args = parser.parse_args(argv)
    if args.group == "cite":
        return _cite_sync(args)
    if args.group == "book":
        return _book_benchmark(args)
    if args.group == "bib":
        return {"check": _bib_check, "fmt": _bib_fmt, "report": _bib_report}[args.action](args)
    return {"check": _data_check, "import-wpd": _data_import_wpd}[args.action](args)


if __name__ == "__main__":
    sys.exit(main())
