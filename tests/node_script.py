"""Run in the environment of the two-node test's processes (tests/core/test_stateless_nodes.py).

``python -m tests.node_script setup`` makes the scene in the nodes' database and prints it as JSON;
``state`` prints what the database holds afterwards; ``queue-automation N`` queues N runs of the automation at
once, as N chains would. The test process itself may run on another database (SQLite): everything the test
reads of the nodes' database comes through here.
"""

import json
import os
import sys


def setup() -> dict:
    from tessera.organizations.models import Role
    from tessera.tickets.services import ticket_create
    from tests.factories import (
        PASSWORD,
        AgentFactory,
        CategoryFactory,
        MembershipFactory,
        OrganizationFactory,
        ServiceTeamFactory,
        UserFactory,
    )

    organization = OrganizationFactory(name="Praxis Rossi", customer_code="100001", postal_code="20121")
    customer = MembershipFactory(organization=organization, role=Role.BASIC,
                                 user=UserFactory(email="anna@rossi.test", first_name="Anna")).user
    victim = MembershipFactory(organization=organization, role=Role.BASIC,
                               user=UserFactory(email="bruno@rossi.test")).user
    team = ServiceTeamFactory(name="Practice software")
    agent = AgentFactory(email="agent@vendor.test")
    team.members.add(agent)
    category = CategoryFactory(name="Practice management", service_team=team)
    ticket = ticket_create(author=customer, title="Printer stops after one page", category=category,
                           description="Since the update.")
    return {"customer": customer.email, "victim": victim.email, "agent": agent.email, "password": PASSWORD,
            "ticket": ticket.number}


def state() -> dict:
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from tessera.tickets import tasks
    from tessera.tickets.models import Attachment

    runs = DBTaskResult.objects.filter(task_path=tasks.run_automation.module_path)
    waiting = runs.filter(status=TaskResultStatus.READY)
    return {
        "attachments": [{"pk": a.pk, "file": a.file.name, "name": a.original_name}
                        for a in Attachment.objects.order_by("pk")],
        "automation_results": [r.return_value for r in runs.filter(status=TaskResultStatus.SUCCESSFUL)],
        "automation_failed": runs.filter(status=TaskResultStatus.FAILED).count(),
        "automation_due": DBTaskResult.objects.ready().filter(task_path=tasks.run_automation.module_path).count()
        + runs.filter(status=TaskResultStatus.RUNNING).count(),
        "automation_waiting": waiting.count(),
    }


def release_lease() -> dict:
    """An interval has passed: the automation's lease is free again."""
    from tessera.core.leases import lease_release
    from tessera.tickets import tasks

    lease_release(tasks.AUTOMATION_LEASE)
    return {"released": tasks.AUTOMATION_LEASE}


def queue_automation(count: int) -> dict:
    from tessera.tickets import tasks

    for _ in range(count):
        tasks.run_automation.enqueue()
    return {"queued": count}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tessera.settings")
    import django

    django.setup()
    command = sys.argv[1]
    if command == "setup":
        result = setup()
    elif command == "state":
        result = state()
    elif command == "release-lease":
        result = release_lease()
    elif command == "queue-automation":
        result = queue_automation(int(sys.argv[2]))
    else:
        raise SystemExit(f"unknown command {command}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
