import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Work done once per process before the first request rather than during it (a gunicorn worker loads this
# module when it starts): the postcode directory (dashboard, sufficiency, placements) and the URL patterns,
# which import every app's views (about 7 s under load, measured in benchmarks/README.md).
from django.urls import get_resolver  # noqa: E402

from opencsc.geography.postcodes import load_postcode_directory  # noqa: E402

load_postcode_directory()
get_resolver().url_patterns  # noqa: B018  (reading it imports the URL modules)
