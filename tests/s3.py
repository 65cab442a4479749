"""A real S3 server for the tests: moto's server mode on loopback, one per test process (session fixture).

``s3_storage`` gives a test its own empty bucket and makes it the default storage, configured from the same
environment variables an operator sets (``s3_environment``), so settings.py's S3 block is what runs.
"""

import uuid
from dataclasses import dataclass

import boto3
import pytest

KEYS = {"AWS_ACCESS_KEY_ID": "tessera-test", "AWS_SECRET_ACCESS_KEY": "tessera-test-secret"}
REGION = "us-east-1"


@dataclass
class Bucket:
    name: str
    endpoint: str
    client: object

    def objects(self) -> list[str]:
        answer = self.client.list_objects_v2(Bucket=self.name)  # type: ignore[attr-defined]
        return sorted(item["Key"] for item in answer.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()  # type: ignore[attr-defined]

    def put(self, key: str, content: bytes) -> None:
        self.client.put_object(Bucket=self.name, Key=key, Body=content)  # type: ignore[attr-defined]

    def environment(self) -> dict[str, str]:
        """What an operator puts in the environment for Tessera to use this bucket."""
        return s3_environment(self.endpoint, self.name)


def s3_environment(endpoint: str, bucket: str) -> dict[str, str]:
    return {"TESSERA_S3_BUCKET": bucket, "TESSERA_S3_ENDPOINT_URL": endpoint, "TESSERA_S3_REGION": REGION, **KEYS}


def s3_client(endpoint: str):
    return boto3.client("s3", endpoint_url=endpoint, region_name=REGION, aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"])


def storages_setting(environment: dict[str, str]) -> dict:
    """settings.STORAGES as settings.py builds it from ``environment`` (read in a fresh copy of the module)."""
    import importlib.util
    import os
    from unittest import mock

    from tessera import settings as project_settings

    spec = importlib.util.spec_from_file_location("_tessera_settings_for_s3", project_settings.__file__)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    with mock.patch.dict(os.environ, environment):
        spec.loader.exec_module(module)
    return module.STORAGES


@pytest.fixture(scope="session")
def s3_server():
    """The endpoint of a moto S3 server on 127.0.0.1, on a free port."""
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per S3 request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_bucket_factory(s3_server):
    """Makes a new, empty bucket on the test server."""
    client = s3_client(s3_server)

    def make() -> Bucket:
        name = f"tessera-{uuid.uuid4().hex[:16]}"
        client.create_bucket(Bucket=name)
        return Bucket(name=name, endpoint=s3_server, client=client)

    return make


@pytest.fixture
def s3_bucket(s3_bucket_factory):
    return s3_bucket_factory()


@pytest.fixture
def s3_storage(s3_bucket, settings):
    """The bucket is the default storage for this test (attachments, logos, backups' files)."""
    settings.STORAGES = storages_setting(s3_bucket.environment())
    return s3_bucket
