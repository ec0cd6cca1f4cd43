"""A toy paper for icl-verify: one true claim (a SymPy identity) and one false one (a numeric bound)."""
