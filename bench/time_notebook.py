#!/usr/bin/python3
"""Times one notebook headless on its kernel (nbclient, as test/notebooks/run_notebook.py runs it):
kernel start-up, then every code cell from execute request to reply — what a trainee waits after
Shift-Enter. Usage: time_notebook.py NOTEBOOK → prints JSON {kernelStart, total, cells: [{index, seconds, ok}]}.
"""
import json
import os
import sys
import time

import nbformat
from nbclient import NotebookClient


def main() -> int:
    source = sys.argv[1]
    notebook = nbformat.read(source, as_version=4)
    started = time.perf_counter()
    cell_started = {}
    cells = []
    first_cell = []

    def on_cell_start(cell, cell_index):
        cell_started[cell_index] = time.perf_counter()
        if not first_cell:
            first_cell.append(cell_started[cell_index])

    def on_cell_executed(cell, cell_index, execute_reply):
        status = execute_reply.get("content", {}).get("status", "missing")
        cells.append({"index": cell_index, "seconds": time.perf_counter() - cell_started[cell_index], "ok": status == "ok"})

    client = NotebookClient(
        notebook,
        timeout=int(os.environ.get("NOTEBOOK_CELL_TIMEOUT", "180")),
        kernel_name=notebook.metadata.get("kernelspec", {}).get("name", "tslab"),
        allow_errors=True,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(source))}},
        on_cell_start=on_cell_start,
        on_cell_executed=on_cell_executed,
    )
    client.execute()
    total = time.perf_counter() - started
    kernel_start = (first_cell[0] - started) if first_cell else total
    print(json.dumps({"notebook": source, "kernelStart": kernel_start, "total": total, "cells": cells}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
