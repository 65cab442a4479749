"""compose.yaml agrees with the image it runs (Containerfile, deploy/entrypoint.sh) and with the nginx it starts.

No container engine runs on the development machine, so compose.yaml is read here instead of run: each Tessera
service runs a command the entrypoint knows, with the environment it will really get (the image's ENV, then
``.env``, written from ``.env.example`` as docs/deploy.md says, then compose's own ``environment``), on the ports
and volumes the other services use.
"""

import re
import shlex
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
IMAGE = "localhost/tessera:latest"


def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def image_environment() -> dict[str, str]:
    """The ENV instructions of the Containerfile (continued lines joined)."""
    text = (ROOT / "Containerfile").read_text().replace("\\\n", " ")
    found: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            for word in shlex.split(line[4:]):
                name, _, value = word.partition("=")
                found[name] = value
    return found


def env_example() -> dict[str, str]:
    """The values ``.env.example`` sets (lines not commented out): what a .env copied from it sets."""
    found = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        match = re.match(r"^([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match:
            found[match[1]] = match[2]
    return found


def tessera_services() -> dict[str, dict]:
    return {name: service for name, service in compose()["services"].items() if service.get("image") == IMAGE}


def effective_environment(service: dict) -> dict[str, str]:
    """As the engine builds it: the image's ENV, then env_file (.env), then the service's environment."""
    assert service["env_file"] == ".env"
    own = {key: str(value) for key, value in service["environment"].items()}
    return {**image_environment(), **env_example(), **own}


def entrypoint_commands() -> set[str]:
    return set(re.findall(r"^ {4}([a-z]+)\)", (ROOT / "deploy" / "entrypoint.sh").read_text(), re.MULTILINE))


def mounts(service: dict) -> dict[str, str]:
    """Container path -> volume name."""
    return {target: source for source, _, target in (entry.partition(":") for entry in service.get("volumes", []))}


def test_every_tessera_service_runs_a_command_of_the_entrypoint():
    services = tessera_services()
    assert set(services) == {"static", "migrate", "web", "worker", "mail"}
    for name, service in services.items():
        assert service["command"][0] in entrypoint_commands(), name


@pytest.mark.parametrize("name", ["migrate", "web", "worker", "mail", "static"])
def test_a_env_copied_from_the_example_does_not_undo_the_image_s_production_settings(name):
    """env_file wins over the image's ENV: the example's development values (debug on, the receiver on the
    container's loopback) must not reach a container."""
    environment = effective_environment(tessera_services()[name])
    image = image_environment()
    assert environment["TESSERA_DEBUG"] == "false"
    assert environment["TESSERA_LOG_FORMAT"] == "json"
    assert environment["TESSERA_LOG_LEVEL"] == "INFO"
    for path in ("TESSERA_STATIC_ROOT", "TESSERA_MEDIA_ROOT"):  # where the image collected and may write
        assert environment[path] == image[path]
    assert environment["TESSERA_INBOUND_SMTP_HOST"] == "0.0.0.0"  # noqa: S104 (the container's port is published)


def test_ports_agree_between_web_mail_and_the_proxy():
    services = compose()["services"]
    web = effective_environment(services["web"])
    web_port = web["TESSERA_WEB_BIND"].rpartition(":")[2]
    assert services["web"]["expose"] == [web_port]
    assert f"proxy_pass http://web:{web_port};" in (ROOT / "deploy" / "nginx-compose.conf").read_text()
    mail = effective_environment(services["mail"])
    [published] = services["mail"]["ports"]
    assert published.split(":")[-1] == mail["TESSERA_INBOUND_SMTP_PORT"]
    assert {web_port, mail["TESSERA_INBOUND_SMTP_PORT"]} <= set(
        re.search(r"^EXPOSE (.+)$", (ROOT / "Containerfile").read_text(), re.MULTILINE)[1].split())
    assert services["proxy"]["ports"] == ["8080:80"]
    assert "listen 80;" in (ROOT / "deploy" / "nginx-compose.conf").read_text()


def test_the_static_volume_is_filled_where_the_proxy_serves_it():
    services = compose()["services"]
    target = services["static"]["command"][1]
    assert mounts(services["static"])[target] == "static"
    served = {path for path, volume in mounts(services["proxy"]).items() if volume == "static"}
    root = re.search(r"location /static/ \{\s*root ([^;]+);", (ROOT / "deploy" / "nginx-compose.conf").read_text())[1]
    assert served == {f"{root}/static:ro"} or served == {f"{root}/static"}


def test_web_and_mail_share_the_metrics_volume_at_their_multiprocess_directory():
    services = compose()["services"]
    for name in ("web", "mail"):
        directory = effective_environment(services[name])["PROMETHEUS_MULTIPROC_DIR"]
        assert mounts(services[name])[directory] == "metrics", name


def test_the_database_and_the_store_are_the_services_of_the_file():
    services = compose()["services"]
    environment = services["web"]["environment"]
    database = urlsplit(re.sub(r"\$\{[^}]*\}", "secret", environment["DATABASE_URL"]))  # compose fills ${...} in
    db = services["db"]["environment"]
    assert (database.hostname, database.port, database.path.strip("/"), database.username) == (
        "db", 5432, db["POSTGRES_DB"], db["POSTGRES_USER"])
    assert urlsplit(environment["TESSERA_S3_ENDPOINT_URL"]).hostname == "s3"
    assert "/data" in services["s3"]["command"]


def test_every_variable_compose_gives_tessera_is_one_tessera_reads():
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    for name, service in tessera_services().items():
        assert set(service["environment"]) <= listed | {"PROMETHEUS_MULTIPROC_DIR"}, name
