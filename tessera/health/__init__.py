"""Health for load balancers: /healthz (the process answers) and /readyz (it can serve: database, storage, queue)."""
