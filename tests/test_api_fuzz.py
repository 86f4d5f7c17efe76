"""Schemathesis against the REST API's own OpenAPI spec: no input gives a server error."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from support import EXAMPLES

from accord.ingest import read_source
from accord.pipeline import Extractor
from accord.store import Store
from accord.web import create_app


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory):
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'api.db'}"
    extractor = Extractor()
    with Store(url) as store:
        for path in sorted((EXAMPLES / "saved").glob("*.txt")):
            for document in read_source(path):
                store.ingest(document, extractor.extract(document))
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(url, token="fuzz-token"))


def test_no_request_gives_a_server_error(api_schema) -> None:
    """Every operation of /openapi.json with generated parameters and bodies, writes sent with
    the token so that they reach validation: 4xx for bad input, never 5xx."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def call(case) -> None:
            response = case.call(headers={"Authorization": "Bearer fuzz-token"})
            assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code}"

        call()
