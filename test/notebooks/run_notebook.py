#!/usr/bin/python3
"""Executes one notebook headless with nbclient on its kernel and reports, per code cell, the kernel's
execute_reply status and whether it wrote an error or stderr. tslab answers the cells queued after a
failing one with status 'abort' without failing the run, so only this per-cell report can tell that
every cell really ran.

Usage: run_notebook.py NOTEBOOK OUTPUT_NOTEBOOK  → prints one JSON object on stdout.
"""
import json
import os
import sys
import time

import nbformat
from nbclient import NotebookClient


def notebook_client(notebook, source, **hooks):
    """The one way notebooks are run headless here (the tests, and bench/time_notebook.py): on the
    notebook's own kernel, in its folder, every cell run even after an error, so the caller's hooks see
    each cell's execute_reply."""
    return NotebookClient(
        notebook,
        timeout=int(os.environ.get("NOTEBOOK_CELL_TIMEOUT", "180")),
        kernel_name=notebook.metadata.get("kernelspec", {}).get("name", "tslab"),
        allow_errors=True,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(source))}},
        **hooks,
    )


KERNEL_START_ATTEMPTS = 3
# tslab answers the requests that reach it within 200 ms of a failed cell with status 'abort': a trainee
# never types that fast, so the drivers wait as long after a cell that did not reply ok.
PAUSE_AFTER_ERROR_S = 0.5


def shown_text(cell):
    """What a code cell shows a trainee: its streams, and the HTML (else plain text) of its results and displays."""
    text = []
    for output in cell.outputs:
        if output.get("output_type") == "stream":
            text.append(output.get("text", ""))
        elif output.get("output_type") in ("execute_result", "display_data"):
            data = output.get("data", {})
            text.append(data.get("text/html") or data.get("text/plain") or "")
    return "".join(text)


def outputs_of(cell):
    """A cell's error outputs ("Name: value" lines, or None) and the text it shows."""
    errors = [f"{o.get('ename')}: {o.get('evalue')}" for o in cell.outputs if o.get("output_type") == "error"]
    return "\n".join(errors) or None, shown_text(cell)


def execute(notebook, source, **hooks):
    """Runs every cell of the notebook on a new kernel. jupyter_client picks free TCP ports that the kernel
    binds a moment later, and a kernel starting at the same time elsewhere can take one first (the kernel
    dies with EADDRINUSE): a kernel that failed before running any cell is started again, twice at most."""
    for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
        started = []
        given = hooks.get("on_cell_start")

        def on_cell_start(cell, cell_index, given=given, started=started):
            started.append(cell_index)
            if given:
                given(cell=cell, cell_index=cell_index)

        client = notebook_client(notebook, source, **{**hooks, "on_cell_start": on_cell_start})
        try:
            return client.execute()
        except Exception:
            if started or attempt == KERNEL_START_ATTEMPTS:
                raise
            print(f"kernel did not start (attempt {attempt}); starting it again", file=sys.stderr)


def main() -> int:
    source, target = sys.argv[1], sys.argv[2]
    notebook = nbformat.read(source, as_version=4)
    replies = {}

    def on_cell_executed(cell, cell_index, execute_reply):
        replies[cell_index] = execute_reply.get("content", {}).get("status", "missing")
        if replies[cell_index] != "ok":
            time.sleep(PAUSE_AFTER_ERROR_S)

    execute(notebook, source, on_cell_executed=on_cell_executed)
    nbformat.write(notebook, target)

    cells = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        errors = [o for o in cell.outputs if o.get("output_type") == "error"]
        stderr = [o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream" and o.get("name") == "stderr"]
        stdout = [o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream" and o.get("name") == "stdout"]
        text = [shown_text(cell)]
        cells.append(
            {
                "index": index,
                "status": replies.get(index, "not executed"),
                "error": "\n".join(f"{e.get('ename')}: {e.get('evalue')}" for e in errors) or None,
                "stderr": "".join(stderr) or None,
                "stdout": "".join(stdout),
                "output": "".join(text),
                "source": cell.source[:200],
            }
        )
    ok = all(c["status"] == "ok" and not c["error"] and not c["stderr"] for c in cells)
    print(json.dumps({"notebook": source, "ok": ok, "cells": cells}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
