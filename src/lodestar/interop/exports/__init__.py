"""The workspace's full export (a versioned zip of JSON Lines files), its restore into an empty
workspace, and the database backup (docs/EXPORT.md)."""
