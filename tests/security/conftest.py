"""The web fixtures (the app in-process on each database, a client per role) for this suite."""

from tests.web.conftest import (  # noqa: F401 (fixtures are found by name)
    app_client,
    cheap_hashes,
    login,
    release_dir,
    web_settings,
)
