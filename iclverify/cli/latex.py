"""``icl-verify latex PAPER --out DIR [--pdf]``: the paper's derivations as a standalone LaTeX file."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Annotated

import typer

from iclverify.cli.app import app
from iclverify.cli.common import err, out
from iclverify.report.latex_pdf import compile_pdf
from iclverify.runtime.errors import ConfigError, UnknownNameError

# paper name -> module whose latex_document() returns the .tex source
DOCUMENTS = {
    "lu2024": "iclverify.theory.lu2024.formulas",
    "mehta-gupta": "iclverify.theory.mehta_gupta2025.formulas",
}


def document_source(paper: str) -> str:
    if paper not in DOCUMENTS:
        raise UnknownNameError(f"unknown paper {paper!r}; choose one of {', '.join(DOCUMENTS)}")
    return importlib.import_module(DOCUMENTS[paper]).latex_document()


@app.command()
def latex(
    paper: Annotated[str, typer.Argument(help="lu2024 or mehta-gupta", autocompletion=lambda: list(DOCUMENTS))],
    *,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write PAPER.tex (and .pdf) into.")] = Path("."),
    pdf: Annotated[bool, typer.Option("--pdf", help="Also compile it with pdflatex.")] = False,
) -> None:
    """Write the definitions, results and derived limits of a paper as LaTeX, generated from SymPy."""
    source = document_source(paper)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        tex = out_dir / f"{paper}.tex"
        tex.write_text(source, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write into {out_dir}: {exc.strerror}") from None
    out.print(f"wrote {tex}")
    if pdf:
        err.print("compiling with pdflatex ...")
        out.print(f"wrote {compile_pdf(tex)}")
