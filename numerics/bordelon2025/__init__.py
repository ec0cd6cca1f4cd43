"""Bordelon, Letey & Pehlevan (2025) in numbers: the certified ISO minimiser and the RRS power-law sums."""
