#!/usr/bin/python3
"""Turns the executed learner notebooks into the lesson's website with Jupyter's nbconvert HTML exporter and
the template in template/pid-site (JupyterLab's look, no script and nothing fetched from another host).

- Each exercise cell keeps its placeholder and its check keeps the "Not attempted yet" box the reader would
  see; the instructor master's solution for that cell follows it, closed, behind "Show solution".
- The notebooks' links between chapters (NN-name.ipynb, README.md) point at the pages instead.
- Each chapter ran against a mock server on a random port: its address reads as localhost:8000 throughout,
  the address `npm start` serves the lesson's server on, so a reader running the lesson can follow the links.
- index.html lists the chapters with their questions and timings, taken from the notebooks themselves.

Usage: convert.py EXECUTED_DIR MASTERS_DIR OUT_DIR
"""
import os
import re
import shutil
import sys

import nbformat
from nbconvert import HTMLExporter

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATE = "pid-site"
SHOWN_SERVER = "localhost:8000"
# npm start keeps the server's data (and so the credentials a notebook names) in the project's data/.
SHOWN_DATA = "./data"
CHAPTER = re.compile(r"^(\d\d)-[a-z0-9-]+\.ipynb$")
# JupyterLab's stylesheets, written once for every page instead of inlined into each one.
LAB_STATIC = "/usr/share/jupyter/nbconvert/templates/lab/static"
STYLESHEETS = {"lab.css": "index.css", "lab-theme-light.css": "theme-light.css"}


class BuildError(Exception):
    pass


def page_name(notebook_file):
    return notebook_file[: -len(".ipynb")] + ".html"


def chapter_links(markdown):
    """Links written for Jupyter's file browser point at the site's pages."""
    markdown = re.sub(r"\]\((\d\d-[a-z0-9-]+)\.ipynb(#[^)]*)?\)", lambda m: f"]({m.group(1)}.html{m.group(2) or ''})", markdown)
    return re.sub(r"\]\(README\.md\)", "](index.html)", markdown)


def shown_address(text, server, data):
    return text.replace(server, SHOWN_SERVER).replace(data, SHOWN_DATA)


def rewrite_output(output, server, data):
    """Every text an output holds, with the run's server address and data folder as npm start has them."""
    if "text" in output:
        output["text"] = shown_address(output["text"], server, data)
    for mime, value in output.get("data", {}).items():
        if isinstance(value, str):
            output["data"][mime] = shown_address(value, server, data)
        elif isinstance(value, list):
            output["data"][mime] = [shown_address(v, server, data) for v in value]
    if "traceback" in output:
        output["traceback"] = [shown_address(line, server, data) for line in output["traceback"]]


def solutions_of(master_file):
    """The master's solution cells, by the learner placeholder each one replaces."""
    master = nbformat.read(master_file, as_version=4)
    found = {}
    for cell in master.cells:
        if "solution" in cell.metadata.get("tags", []):
            placeholder = cell.metadata.get("pid_handson", {}).get("placeholder")
            if placeholder is None:
                raise BuildError(f"{master_file}: a solution cell has no pid_handson.placeholder (regenerate with npm run notebooks)")
            found[placeholder] = cell.source
    return found


def prepare(notebook, file, master_file):
    """The notebook as the page shows it: solutions attached, links and addresses for a reader."""
    run = notebook.metadata.get("pid_handson_site", {})
    server, data = run.get("server"), run.get("data")
    if not server or not data:
        raise BuildError(f"{file} was not executed by deploy/site/execute.py (no server address or data folder in its metadata)")
    solutions = solutions_of(master_file)
    exercises = 0
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = chapter_links(cell.source)
            if "nav-header" in cell.metadata.get("tags", []):
                # The advice after a kernel restart is for a running notebook, not for a page.
                cell.source = "\n".join(line for line in cell.source.split("\n") if not line.startswith("↻"))
        elif cell.cell_type == "code":
            for output in cell.outputs:
                rewrite_output(output, server, data)
            if "exercise" in cell.metadata.get("tags", []):
                exercises += 1
                if cell.source not in solutions:
                    raise BuildError(f"{file}: no solution in {master_file} for the exercise cell:\n{cell.source}")
                cell.metadata["pid_handson_site"] = {"solution": solutions.pop(cell.source)}
    if solutions:
        raise BuildError(f"{master_file}: solutions without an exercise cell in {file}: {list(solutions)}")
    return exercises


def chapter_facts(notebook, file):
    """Title, questions and timing line of a chapter, as its first cells state them."""
    title = questions = timing = None
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.split("\n")
        if "nav-header" in cell.metadata.get("tags", []):
            timing = next((line[1:].strip() for line in lines if line.startswith("⏱")), None)
            continue
        if title is None:
            title = next((line[2:].strip() for line in lines if line.startswith("# ")), None)
            if title is not None and "**Questions**" in lines:
                start = lines.index("**Questions**") + 1
                questions = []
                for line in lines[start:]:
                    if not line.startswith("- "):
                        break
                    questions.append(line[2:].strip())
        if title is not None:
            break
    if not title or not questions or not timing:
        raise BuildError(f"{file}: its first cells must give a '# ' title, a **Questions** list and the ⏱ timing line")
    return {"title": title, "questions": questions, "timing": timing}


def exporter():
    return HTMLExporter(
        template_name=TEMPLATE,
        extra_template_basedirs=[os.path.join(HERE, "template")],
        exclude_anchor_links=False,
    )


def contents_notebook(chapters):
    """The contents page as Markdown cells, rendered by nbconvert like every other page."""
    intro = (
        "# pid-handson: persistent identifiers, hands-on\n\n"
        "A hands-on lesson on persistent identifiers (PIDs) with the Handle system, in TypeScript. Each chapter is "
        "a Jupyter notebook; these pages show them **as they run**: every demonstration with its real output, "
        "every exercise with its empty answer cell and, closed behind *Show solution*, one way to solve it.\n\n"
        "The outputs come from the lesson's own mock Handle server, which `npm start` runs on your machine at "
        f"`{SHOWN_SERVER}`: links to that address work while the lesson is running. To run the notebooks "
        "yourself, clone the project and follow its README (`npm start`)."
    )
    cells = [nbformat.v4.new_markdown_cell(intro), nbformat.v4.new_markdown_cell("## Chapters")]
    for chapter in chapters:
        facts = chapter["facts"]
        questions = "\n".join(f"- {q}" for q in facts["questions"])
        cells.append(
            nbformat.v4.new_markdown_cell(
                f"### {chapter['number']}. [{facts['title']}]({chapter['page']})\n\n⏱ {facts['timing']}\n\n**Questions**\n\n{questions}"
            )
        )
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["language_info"] = {"name": "typescript"}
    return notebook


def write_page(out, page, notebook, site):
    body, _ = exporter().from_notebook_node(notebook, resources={"metadata": {"name": site["title"]}, "site": site})
    with open(os.path.join(out, page), "w", encoding="utf-8") as handle:
        handle.write(body)


def main() -> int:
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    executed, masters, out = sys.argv[1:]
    files = sorted(f for f in os.listdir(executed) if CHAPTER.match(f))
    chapters = []
    for file in files:
        notebook = nbformat.read(os.path.join(executed, file), as_version=4)
        master = os.path.join(masters, file)
        if not os.path.exists(master):
            raise BuildError(f"{file} has no instructor master at {master}")
        exercises = prepare(notebook, file, master)
        number = int(CHAPTER.match(file).group(1))
        chapters.append({"file": file, "page": page_name(file), "number": number, "notebook": notebook, "facts": chapter_facts(notebook, file), "exercises": exercises})

    os.makedirs(os.path.join(out, "style"), exist_ok=True)
    for target, source in STYLESHEETS.items():
        shutil.copyfile(os.path.join(LAB_STATIC, source), os.path.join(out, "style", target))
    shutil.copyfile(os.path.join(HERE, "template", TEMPLATE, "static", "site.css"), os.path.join(out, "style", "site.css"))

    for i, chapter in enumerate(chapters):
        link = lambda c: c and {"page": c["page"], "title": f"{c['number']}. {c['facts']['title']}"}  # noqa: E731
        site = {
            "title": f"{chapter['number']}. {chapter['facts']['title']}",
            "chapter": chapter["number"],
            "last": chapters[-1]["number"],
            "previous": link(chapters[i - 1]) if i > 0 else None,
            "next": link(chapters[i + 1]) if i + 1 < len(chapters) else None,
        }
        write_page(out, chapter["page"], chapter["notebook"], site)
        print(f"  {chapter['page']}: {chapter['exercises']} exercises, solutions behind Show solution")

    first = chapters[0] if chapters else None
    index_site = {"title": "Contents", "chapter": None, "last": None, "previous": None, "next": first and {"page": first["page"], "title": f"{first['number']}. {first['facts']['title']}"}}
    write_page(out, "index.html", contents_notebook(chapters), index_site)
    print(f"  index.html: contents of {len(chapters)} chapters")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BuildError as error:
        print(error, file=sys.stderr)
        sys.exit(1)
