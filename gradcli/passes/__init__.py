"""Forward and backward passes (and forward mode) over a graph's flat node list."""
