#!/usr/bin/python3
"""Starts the lesson's kernel (the spec named tslab on JUPYTER_PATH) in the notebook's folder and runs the
notebook's first code cell, as a trainee opening a chapter does: reports the time from asking for the kernel
to that cell's reply, the kernel's CPU time and its peak memory then. Usage: kernel_start.py NOTEBOOK
→ prints JSON {firstOutput, ready, cpu, peakMB, status}.
"""
import json
import os
import sys
import time

import nbformat
from jupyter_client.manager import start_new_kernel


def proc_status(pid, key):
    with open(f"/proc/{pid}/status", encoding="utf-8") as status:
        return int(status.read().split(key + ":")[1].split()[0])


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    source = sys.argv[1]
    notebook = nbformat.read(source, as_version=4)
    first = next(c.source for c in notebook.cells if c.cell_type == "code" and c.source.strip())
    started = time.perf_counter()
    km, kc = start_new_kernel(kernel_name="tslab", cwd=os.path.dirname(os.path.abspath(source)), startup_timeout=120)
    ready = time.perf_counter() - started
    try:
        reply = kc.execute_interactive(first, timeout=120, output_hook=lambda msg: None)
        first_output = time.perf_counter() - started
        pid = km.provisioner.process.pid
        report = {
            "firstOutput": first_output,
            "ready": ready,
            "cpu": cpu_seconds(pid),
            "peakMB": proc_status(pid, "VmHWM") / 1024,
            "status": reply["content"]["status"],
        }
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
