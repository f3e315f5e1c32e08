"""Executes one notebook headless on its own kernel (nbclient, as `jupyter nbconvert --execute` does)
and checks every code cell: the kernel's reply status must be "ok" and no output may be an error.
tslab answers cells queued after a failing one with status "abort" instead of failing the run, so
the per-cell status is what shows that every cell really ran.

Run inside the Jupyter container: python3 - NOTEBOOK OUTPUT [MUST_PRINT...] < execute_notebook.py
Prints one line per code cell and exits 1 on any failed cell or missing expected text.
"""
import os
import sys

import nbformat
from nbclient import NotebookClient

source, target, *expected = sys.argv[1:]
notebook = nbformat.read(source, as_version=4)
status = {}


def on_cell_executed(cell, cell_index, execute_reply):
    status[cell_index] = execute_reply.get("content", {}).get("status", "missing")


NotebookClient(
    notebook,
    timeout=int(os.environ.get("NOTEBOOK_CELL_TIMEOUT", "180")),
    kernel_name=notebook.metadata.get("kernelspec", {}).get("name", "tslab"),
    allow_errors=True,
    resources={"metadata": {"path": os.path.dirname(os.path.abspath(source))}},
    on_cell_executed=on_cell_executed,
).execute()
nbformat.write(notebook, target)

failed = 0
text = []
for index, cell in enumerate(notebook.cells):
    if cell.cell_type != "code" or not cell.source.strip():
        continue
    errors = [f"{o.get('ename')}: {o.get('evalue')}" for o in cell.outputs if o.get("output_type") == "error"]
    for output in cell.outputs:
        text.append(output.get("text", "") if output.get("output_type") == "stream" else str(output.get("data", {}).get("text/plain", "")))
    ok = status.get(index) == "ok" and not errors
    failed += not ok
    first_line = cell.source.strip().splitlines()[0][:70]
    print(f"  cell {index:>2} {status.get(index, 'not run'):>7}  {first_line}" + (f"\n    {'; '.join(errors)}" if errors else ""))
for want in expected:
    if want not in "".join(text):
        print(f"  missing output: {want!r}")
        failed += 1
print(f"notebook {os.path.basename(source)}: {'ok' if not failed else f'{failed} problem(s)'}")
sys.exit(1 if failed else 0)
