"""Claims of Bordelon, Letey & Pehlevan (2025): ISO, RRS and trained deep linear attention, with provenance."""
