"""Importing another tool's export into a product: readers of each source's files into one
``bundle.Bundle``, and the importer that writes a bundle through the contexts' services."""
