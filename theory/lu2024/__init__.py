"""Lu, Letey, Zavatone-Veth, Maiti & Pehlevan (2024) in SymPy: the asymptotic errors, limits, LaTeX document."""
