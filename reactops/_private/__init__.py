"""reactops' private helpers: nothing here is public API (as ``ops._private``)."""
