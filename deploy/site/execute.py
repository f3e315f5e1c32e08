#!/usr/bin/python3
"""Runs one learner notebook headless on the lesson's tslab kernel (notebook_runner.py, as the notebook tests do)
against the mock server named by PID_CREDENTIALS, and writes the notebook with its outputs. The site shows
these outputs as the real ones, so a cell that did not really run fails the build instead of publishing an
error page.

Usage: execute.py NOTEBOOK EXECUTED_NOTEBOOK SERVER_ADDRESS DATA_FOLDER
SERVER_ADDRESS (host:port) and DATA_FOLDER are the mock server's, kept in the notebook's metadata for the
converter, which shows them as a reader's own `npm start` would have them.
"""
import os
import sys

import nbformat

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from notebook_runner import error_lines, execute, reply_recorder, stream_text  # noqa: E402


def failures(notebook, replies):
    """Code cells that did not reply ok, raised, or wrote to stderr: none of that belongs on a lesson page."""
    found = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        errors = error_lines(cell)
        stderr = stream_text(cell, "stderr")
        status = replies.get(index, "not executed")
        if status != "ok" or errors or stderr:
            first_line = cell.source.split("\n")[0]
            found.append(f"cell {index} [{status}] {' '.join(errors)} {stderr.strip()} :: {first_line}")
    return found


def main() -> int:
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    source, target, server, data = sys.argv[1:]
    notebook = nbformat.read(source, as_version=4)
    replies = {}
    execute(notebook, source, on_cell_executed=reply_recorder(replies))
    broken = failures(notebook, replies)
    if broken:
        print(f"{os.path.basename(source)}: cells did not run cleanly:\n  " + "\n  ".join(broken), file=sys.stderr)
        return 1
    notebook.metadata["pid_handson_site"] = {"server": server, "data": data}
    nbformat.write(notebook, target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
