"""The one headless notebook runner: the site build (execute.py), the notebook tests (test/notebooks/) and
the benchmark (bench/time_notebook.py) all run notebooks through it, so what the site publishes, what the
tests assert and what the bench times come from the same way of running a cell.

nbclient on the notebook's own kernel, in the notebook's folder, every cell run even after an error, so the
caller's hooks see each cell's execute_reply (tslab answers the cells queued after a failing one with status
'abort' without failing the run: only the per-cell reply shows that every cell really ran).
"""
import os
import sys
import time

from nbclient import NotebookClient

KERNEL_START_ATTEMPTS = 3
# tslab answers the requests that reach it within 200 ms of a failed cell with status 'abort': a trainee
# never types that fast, so the runners wait as long after a cell that did not reply ok.
PAUSE_AFTER_ERROR_S = 0.5


def notebook_client(notebook, source, **hooks):
    return NotebookClient(
        notebook,
        timeout=int(os.environ.get("NOTEBOOK_CELL_TIMEOUT", "180")),
        kernel_name=notebook.metadata.get("kernelspec", {}).get("name", "tslab"),
        allow_errors=True,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(source))}},
        **hooks,
    )


def reply_recorder(replies):
    """An on_cell_executed hook that keeps each cell's reply status in `replies` and pauses after a cell
    that did not reply ok (see PAUSE_AFTER_ERROR_S)."""

    def on_cell_executed(cell, cell_index, execute_reply):
        replies[cell_index] = execute_reply.get("content", {}).get("status", "missing")
        if replies[cell_index] != "ok":
            time.sleep(PAUSE_AFTER_ERROR_S)

    return on_cell_executed


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
            print(f"{source}: the kernel did not start (attempt {attempt}); starting it again", file=sys.stderr)


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


def error_lines(cell):
    """A cell's error outputs as "Name: value" lines."""
    return [f"{o.get('ename')}: {o.get('evalue')}" for o in cell.outputs if o.get("output_type") == "error"]


def stream_text(cell, name):
    return "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream" and o.get("name") == name)


def outputs_of(cell):
    """A cell's error outputs ("Name: value" lines, or None) and the text it shows."""
    return "\n".join(error_lines(cell)) or None, shown_text(cell)
