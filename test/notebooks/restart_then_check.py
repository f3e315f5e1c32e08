#!/usr/bin/python3
"""A kernel restart in the middle of a chapter, as trainees do it: runs the learner copy down to its first
exercise's check cell, restarts the kernel, runs that check cell alone (what a trainee does first), then
follows the advice at the top of the chapter (Cell → Run All Above), puts in the master's answer and runs
the check again. Reports each step's execute_reply status, error and verdicts.

Usage: restart_then_check.py LEARNER_NOTEBOOK MASTER_NOTEBOOK  → one JSON object on stdout.
"""
import json
import os
import re
import sys
import time

import nbformat
from nbclient.util import run_sync

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "deploy", "site"))
from notebook_runner import KERNEL_START_ATTEMPTS, PAUSE_AFTER_ERROR_S, notebook_client, outputs_of  # noqa: E402


def main() -> int:
    learner_path, master_path = sys.argv[1], sys.argv[2]
    learner = nbformat.read(learner_path, as_version=4)
    master = nbformat.read(master_path, as_version=4)
    solutions = {c.id: c.source for c in master.cells if "solution" in c.metadata.get("tags", [])}
    exercise = next(i for i, c in enumerate(learner.cells) if "exercise" in c.metadata.get("tags", []))
    check = next(i for i in range(exercise + 1, len(learner.cells)) if ".check(" in learner.cells[i].source)
    last = {}

    def on_cell_executed(cell, cell_index, execute_reply):
        last["status"] = execute_reply.get("content", {}).get("status", "missing")

    report = {"notebook": learner_path, "steps": []}
    client = None

    def run(label, index, source=None):
        cell = learner.cells[index] if source is None else nbformat.v4.new_code_cell(source)
        cell.outputs = []
        last.clear()
        client.execute_cell(cell, index)
        status = last.get("status", "missing")
        if status != "ok":
            time.sleep(PAUSE_AFTER_ERROR_S)
        error, text = outputs_of(cell)
        report["steps"].append({"step": label, "status": status, "error": error or (text[-1500:] if status != "ok" else None), "verdicts": re.findall(r'data-outcome="(\w+)"', text)})

    # A kernel that fails before its first cell (a TCP port taken by another kernel starting at the same
    # moment, see notebook_runner.execute) is started again.
    for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
        client = notebook_client(learner, learner_path, on_cell_executed=on_cell_executed)
        try:
            with client.setup_kernel():
                for index in range(check):
                    if learner.cells[index].cell_type == "code":
                        run("before the restart", index)
                run_sync(client.km.restart_kernel)(now=True)
                run_sync(client.kc.wait_for_ready)(timeout=120)
                run("the check cell right after the restart", check)
                for index in range(check):
                    if learner.cells[index].cell_type == "code":
                        run("Run All Above", index)
                run("the master's answer", exercise, solutions[learner.cells[exercise].id])
                run("the check cell again", check)
            break
        except Exception:
            if report["steps"] or attempt == KERNEL_START_ATTEMPTS:
                raise
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
