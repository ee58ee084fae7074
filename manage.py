#!/usr/bin/env python
"""The developers' entry point (a checkout): development settings unless OPENCSC_ENV says otherwise. The
service itself (config/wsgi.py) and the installed `opencsc` command default to production."""

import os
import sys

from opencsc.cli import main

if __name__ == "__main__":
    os.environ.setdefault("OPENCSC_ENV", "development")
    sys.exit(main())
