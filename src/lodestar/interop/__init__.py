"""Coming and going: importers from other tools, the workspace's full export and restore, the
database backup and signed webhooks (docs/IMPORT.md, docs/EXPORT.md, docs/WEBHOOKS.md)."""
