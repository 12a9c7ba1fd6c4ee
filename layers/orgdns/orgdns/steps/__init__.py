"""One module per workflow step, named like its ASL state and its function folder."""
