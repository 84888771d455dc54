"""The discovery pages, one module per part (feedback, customers, problems, imports, portal)."""
