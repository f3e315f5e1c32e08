#!/usr/bin/python3
"""Runs one learner notebook headless on the lesson's tslab kernel (nbclient, as the notebook tests do)
against the mock server named by PID_CREDENTIALS, and writes the notebook with its outputs. The site shows
these outputs as the real ones, so a cell that did not really run fails the build instead of publishing an
error page.

Usage: execute.py NOTEBOOK EXECUTED_NOTEBOOK SERVER_ADDRESS DATA_FOLDER
SERVER_ADDRESS (host:port) and DATA_FOLDER are the mock server's, kept in the notebook's metadata for the
converter, which shows them as a reader's own `npm start` would have them.
"""
import os
import sys
import time

import nbformat
from nbclient import NotebookClient

KERNEL_START_ATTEMPTS = 3
# tslab answers requests reaching it within 200 ms of a failed cell with status 'abort'.
PAUSE_AFTER_ERROR_S = 0.5


def run(notebook, source, replies):
    """jupyter_client picks free ports that the kernel binds a moment later; a kernel started at the same
    time for the other chapter can take one first, so a kernel that ran no cell is started again."""
    for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
        started = []

        def on_cell_executed(cell, cell_index, execute_reply):
            started.append(cell_index)
            replies[cell_index] = execute_reply.get("content", {}).get("status", "missing")
            if replies[cell_index] != "ok":
                time.sleep(PAUSE_AFTER_ERROR_S)

        client = NotebookClient(
            notebook,
            timeout=int(os.environ.get("NOTEBOOK_CELL_TIMEOUT", "180")),
            kernel_name=notebook.metadata.get("kernelspec", {}).get("name", "tslab"),
            allow_errors=True,
            resources={"metadata": {"path": os.path.dirname(os.path.abspath(source))}},
            on_cell_executed=on_cell_executed,
        )
        try:
            return client.execute()
        except Exception:
            if started or attempt == KERNEL_START_ATTEMPTS:
                raise
            print(f"{source}: the kernel did not start (attempt {attempt}); starting it again", file=sys.stderr)


def failures(notebook, replies):
    """Code cells that did not reply ok, raised, or wrote to stderr: none of that belongs on a lesson page."""
    found = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        errors = [f"{o.get('ename')}: {o.get('evalue')}" for o in cell.outputs if o.get("output_type") == "error"]
        stderr = "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream" and o.get("name") == "stderr")
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
    run(notebook, source, replies)
    broken = failures(notebook, replies)
    if broken:
        print(f"{os.path.basename(source)}: cells did not run cleanly:\n  " + "\n  ".join(broken), file=sys.stderr)
        return 1
    notebook.metadata["pid_handson_site"] = {"server": server, "data": data}
    nbformat.write(notebook, target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
