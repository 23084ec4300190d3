"""Formulas: derivative graphs, simplification, printing, LaTeX, exact answers, Hessians."""
