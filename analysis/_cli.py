"""Pieces shared by the command-line entry points (argument helpers, run selection, errors)."""

from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager
from typing import Callable, Iterator, List, Optional

from analysis.reader import MyelinFileError, Run, Sweep, open_result


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """FILE, --run (for sweeps), --allow-incomplete, --t-range."""
    parser.add_argument("file", help="Myelin result file (single run, or sweep with --run)")
    parser.add_argument("--run", metavar="NAME",
                        help="for a sweep file: the run under /runs to use")
    parser.add_argument("--allow-incomplete", action="store_true",
                        help="read a file whose run did not finish (meta complete != 1)")
    parser.add_argument("--chain", nargs="+", metavar="PART", default=None,
                        help="result files of `myelin resume` continuing FILE: read FILE and "
                             "them as one run (analysis.chain)")
    parser.add_argument("--t-range", nargs=2, type=float, metavar=("T_LO", "T_HI"),
                        help="time window in ms, T_LO <= t < T_HI (default: whole run)")


@contextmanager
def opened_run(path: str, run_name: Optional[str], allow_incomplete: bool,
               chain: Optional[List[str]] = None) -> Iterator[Run]:
    """The Run in a single-run file, or run ``run_name`` of a sweep, or with ``chain`` the
    :class:`analysis.chain.RunChain` of ``path`` and its continuations; closes the files after."""
    if chain:
        from analysis.chain import RunChain

        if run_name is not None:
            raise MyelinFileError("--run does not apply to a chain of single-run files")
        joined = RunChain([path] + list(chain))
        try:
            if not allow_incomplete and not joined.complete:
                raise MyelinFileError(f"{joined.label}: the last file of the chain is not "
                                      "complete (use --allow-incomplete)")
            yield joined
        finally:
            joined.close()
        return
    result = open_result(path, allow_incomplete=allow_incomplete)
    try:
        if isinstance(result, Sweep):
            if run_name is None:
                names = [e["name"] for e in result.index()]
                raise MyelinFileError(
                    f"{path} is a sweep: choose a run with --run (runs: {', '.join(names)})")
            yield result.run(run_name, allow_incomplete=allow_incomplete)
        else:
            if run_name is not None:
                raise MyelinFileError(f"{path} is a single run: --run does not apply")
            yield result
    finally:
        result.close()


def run_main(body: Callable[[argparse.Namespace], int], parser: argparse.ArgumentParser,
             argv: Optional[List[str]] = None) -> int:
    """Parse ``argv`` and call ``body``; file and name errors become one line on stderr and
    exit code 2 (a traceback would bury the message a user needs)."""
    args = parser.parse_args(argv)
    try:
        return body(args)
    except (MyelinFileError, ValueError) as e:
        print(f"{parser.prog}: error: {e}", file=sys.stderr)
        return 2
