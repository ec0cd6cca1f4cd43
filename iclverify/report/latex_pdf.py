"""Compile a .tex file with pdflatex (the CLI's and the report's shared step)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from iclverify.runtime.errors import MissingDependencyError

__all__ = ["compile_pdf", "pdflatex_available"]


def pdflatex_available() -> bool:
    return shutil.which("pdflatex") is not None


def compile_pdf(tex: Path, *, runs: int = 2, timeout: float = 300) -> Path:
    """Run pdflatex ``runs`` times in the file's folder (for references); return the PDF's path.

    A LaTeX error raises :class:`RuntimeError` with the end of the log: the document is generated, so an
    error there is a bug of icl-verify, not of the user's input.
    """
    exe = shutil.which("pdflatex")
    if exe is None:
        raise MissingDependencyError(
            "--pdf needs pdflatex: apt-get install texlive-latex-base texlive-latex-recommended lmodern"
        )
    tex = tex.resolve()
    for _ in range(runs):
        proc = subprocess.run(
            [exe, "-interaction=nonstopmode", "-halt-on-error", tex.name],
            cwd=tex.parent,
            check=False,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
        )
        if proc.returncode != 0:
            tail = "\n".join(proc.stdout.splitlines()[-25:])
            raise RuntimeError(f"pdflatex failed on {tex}:\n{tail}")
    pdf = tex.with_suffix(".pdf")
    if not pdf.is_file():
        raise RuntimeError(f"pdflatex reported success but wrote no {pdf}")
    return pdf
