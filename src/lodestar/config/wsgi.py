import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lodestar.config.settings")
application = get_wsgi_application()


def _warm_up() -> None:
    """Do now, once, what every worker's first request would otherwise do: import every view
    (resolving the URL root imports them all) and compile Lodestar's templates. `lodestar web`
    loads this module before it forks its workers, so they all start warm: the first backlog
    page a worker served cost 630 ms of CPU against 90 ms for the next (docs/PERFORMANCE.md)."""
    from pathlib import Path

    from django.template import TemplateDoesNotExist, TemplateSyntaxError
    from django.template.loader import get_template
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports the URL root and every view
    get_resolver()._populate()
    root = Path(__file__).resolve().parent.parent
    for folder in [root / "templates", *root.glob("*/templates")]:
        for template in folder.rglob("*.html"):
            try:
                get_template(template.relative_to(folder).as_posix())
            except (TemplateDoesNotExist, TemplateSyntaxError):
                continue  # compiled on first use instead, where the error shows


_warm_up()

# Everything loaded so far (Django, the URLconf, the views, the compiled templates, the models)
# lives as long as the process: move it out of the collector's reach, so a full collection scans
# only what requests allocate. This took the p99 of a backlog page from 74 to 29 ms
# (docs/PERFORMANCE.md).
gc.collect()
gc.freeze()
