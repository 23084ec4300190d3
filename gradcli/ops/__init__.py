"""The table of operations, and one kernel file per kind of number: floats, arrays, rationals."""
