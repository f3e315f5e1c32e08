#!/usr/bin/python3
"""Executes one notebook headless (deploy/site/notebook_runner.py, the runner the site build uses) and
reports, per code cell, the kernel's execute_reply status and whether it wrote an error or stderr. tslab
answers the cells queued after a failing one with status 'abort' without failing the run, so only this
per-cell report can tell that every cell really ran.

Usage: run_notebook.py NOTEBOOK OUTPUT_NOTEBOOK  → prints one JSON object on stdout.
"""
import json
import os
import sys

import nbformat

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "deploy", "site"))
from notebook_runner import error_lines, execute, reply_recorder, shown_text, stream_text  # noqa: E402


def main() -> int:
    source, target = sys.argv[1], sys.argv[2]
    notebook = nbformat.read(source, as_version=4)
    replies = {}
    execute(notebook, source, on_cell_executed=reply_recorder(replies))
    nbformat.write(notebook, target)

    cells = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        cells.append(
            {
                "index": index,
                "status": replies.get(index, "not executed"),
                "error": "\n".join(error_lines(cell)) or None,
                "stderr": stream_text(cell, "stderr") or None,
                "stdout": stream_text(cell, "stdout"),
                "output": shown_text(cell),
                "source": cell.source[:200],
            }
        )
    ok = all(c["status"] == "ok" and not c["error"] and not c["stderr"] for c in cells)
    print(json.dumps({"notebook": source, "ok": ok, "cells": cells}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
