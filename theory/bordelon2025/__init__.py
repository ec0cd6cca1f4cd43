"""Bordelon, Letey & Pehlevan (2025) in SymPy: the ISO loss of L-step gradient descent and the RRS power laws."""
