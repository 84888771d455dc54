"""The backlog pages: the ordered backlog, an item (as a side panel or a page), suggested order.

Views are thin: access, then a service or a selector, then a page or (for htmx) a fragment.
"""
