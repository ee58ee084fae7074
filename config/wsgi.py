import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Read the postcode directory before the first request rather than during it (dashboard, sufficiency, placements).
from opencsc.geography.postcodes import load_postcode_directory  # noqa: E402

load_postcode_directory()
