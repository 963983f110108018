"""The test suite's settings: the project's own, read with ``VECINOS_ENV=test``. That
variable, not the presence of pytest in the process, is what puts settings in test
posture (``vecinos/settings.py``), so a server that merely imported pytest behaves as
any other. Processes the tests start get no VECINOS_* of this run (tests/conftest.py,
``process_env``)."""

import os

os.environ["VECINOS_ENV"] = "test"
# The loopback receivers of tests/servers/ are private addresses: the tests allow them
# (tests/test_outgoing_guard.py turns the allowance off to see the guard work).
os.environ.setdefault("VECINOS_ALLOW_PRIVATE_ADDRESSES", "true")

from vecinos.settings import *  # noqa: F403
