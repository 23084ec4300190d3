"""Reading files the user names: training data (CSV, JSON Lines), --batch points."""
