"""The language: the grammar and its shipped tables, the parse that builds the graph, syntax errors, the graph, rule instantiation."""
