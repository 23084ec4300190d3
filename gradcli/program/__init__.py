"""A compiled program: the API's Program and Result, bindings, traces."""
