#!/usr/bin/python3
"""Works through one chapter the way a trainee does, on one kernel: Cell → Run All on the learner copy
(answers left as placeholders, the chapter's last cell included), then, for each exercise in order, the
instructor master's answer followed by the exercise's check cell. Reports each answer's and each check's
execute_reply and the verdicts its check cell showed.

Usage: run_all_then_answer.py LEARNER_NOTEBOOK MASTER_NOTEBOOK OUTPUT_NOTEBOOK  → one JSON object on stdout.
"""
import json
import os
import re
import sys
import time

import nbformat

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_notebook import execute, shown_text  # noqa: E402

# tslab answers the requests that reach it within 200 ms of a failed cell with status 'abort': a trainee
# never types that fast, so the driver waits as long after a cell that did not reply ok.
PAUSE_AFTER_ERROR_S = 0.5
TAG = "run_all_then_answer"


def answer_cells(learner, master):
    """For each exercise of the learner copy: the master's answer for it and the check cell after it."""
    solutions = {c.id: c.source for c in master.cells if "solution" in c.metadata.get("tags", [])}
    added = []
    for index, cell in enumerate(learner.cells):
        if "exercise" not in cell.metadata.get("tags", []):
            continue
        check = next((c for c in learner.cells[index + 1 :] if c.cell_type == "code" and ".check(" in c.source), None)
        if check is None or cell.id not in solutions:
            raise SystemExit(f"exercise cell {index} has no check cell after it or no answer in the master")
        name = re.search(r"exercises\.(\w+)\.check", check.source)
        exercise = name.group(1) if name else check.source.splitlines()[0]
        for role, source in (("answer", solutions[cell.id]), ("check", check.source)):
            added.append(nbformat.v4.new_code_cell(source, metadata={TAG: {"exercise": exercise, "role": role}}))
    return added


def outputs_of(cell):
    errors = [f"{o.get('ename')}: {o.get('evalue')}" for o in cell.outputs if o.get("output_type") == "error"]
    return "\n".join(errors) or None, shown_text(cell)


def main() -> int:
    learner_path, master_path, target = sys.argv[1], sys.argv[2], sys.argv[3]
    learner = nbformat.read(learner_path, as_version=4)
    master = nbformat.read(master_path, as_version=4)
    run_all = len(learner.cells)
    learner.cells.extend(answer_cells(learner, master))
    replies = {}

    def on_cell_executed(cell, cell_index, execute_reply):
        status = execute_reply.get("content", {}).get("status", "missing")
        replies[cell_index] = status
        if status != "ok":
            time.sleep(PAUSE_AFTER_ERROR_S)

    execute(learner, learner_path, on_cell_executed=on_cell_executed)
    nbformat.write(learner, target)

    report = {"notebook": learner_path, "runAll": [], "answers": []}
    for index, cell in enumerate(learner.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        error, text = outputs_of(cell)
        entry = {"index": index, "status": replies.get(index, "not executed"), "error": error, "source": cell.source[:200]}
        if index < run_all:
            report["runAll"].append(entry)
        else:
            meta = cell.metadata[TAG]
            entry.update(
                exercise=meta["exercise"],
                role=meta["role"],
                verdicts=re.findall(r'data-outcome="(\w+)"', text),
                output=text[-3000:],
            )
            report["answers"].append(entry)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
