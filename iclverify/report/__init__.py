"""The verification report: the LaTeX/PDF document and the HTML page, and the pdflatex step they share."""
