"""Reading /metrics as Prometheus does: the text exposition parsed into samples."""

from prometheus_client.parser import text_string_to_metric_families

TOKEN = "scrape-token-0123456789"  # noqa: S105 (a test's own value)


def scrape(client, token: str = TOKEN, **extra) -> dict[tuple[str, frozenset], float]:
    """Every sample of a successful scrape, by (name, labels)."""
    response = client.get("/metrics", headers={"Authorization": f"Bearer {token}"}, **extra)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    return samples(response.content.decode())


def samples(text: str) -> dict[tuple[str, frozenset], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def value(found: dict, name: str, **labels) -> float:
    """A sample's value; 0 when none was counted yet (a counter with these labels appears on first use)."""
    return found.get((name, frozenset(labels.items())), 0.0)
