#!/usr/bin/python3
"""Times one notebook headless on its kernel (deploy/site/notebook_runner.py, as the site and the tests run it):
kernel start-up, then every code cell from execute request to reply — what a trainee waits after
Shift-Enter. Usage: time_notebook.py NOTEBOOK → prints JSON {kernelStart, total, cells: [{index, seconds, ok}]}.
"""
import json
import os
import sys
import time

import nbformat

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "deploy", "site"))
from notebook_runner import notebook_client  # noqa: E402


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

    client = notebook_client(notebook, source, on_cell_start=on_cell_start, on_cell_executed=on_cell_executed)
    client.execute()
    total = time.perf_counter() - started
    kernel_start = (first_cell[0] - started) if first_cell else total
    print(json.dumps({"notebook": source, "kernelStart": kernel_start, "total": total, "cells": cells}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
