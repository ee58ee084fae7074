"""The looked-after fixtures (worker, child, start_care), for the check that a looked-after child is not
privately fostered."""

from tests.looked_after.conftest import child, start_care, worker  # noqa: F401
