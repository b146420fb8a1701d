"""Foundation bench: the framework's floor and today's authenticated endpoints.

Seeds the demo data (``manage.py seed_demo``, idempotent) into the bench database, signs in
as the demo owner and measures, with the same wrk settings against the same gunicorn:

* ``GET /health/live/``: a trivial JSON view through the whole middleware stack, the floor;
* ``GET /api/v1/auth/profile``: JWT, the user with their memberships;
* ``GET /api/v1/organization/members/``: JWT, an organization-scoped, paginated list;
* ``GET /api/v1/organization``: JWT, the organization with its plan usage;
* ``GET /health/ready/``: every dependency check (DB, cache, broker, vector index, storage).

Run: ``python bench/bench_foundation.py`` (``--help`` for the knobs). About 2–2.5 minutes, of which
``seed_demo`` takes 30–45 s (the catalog seeder imports the sample feeds); ``--skip-seed``
reuses the data of an earlier run.
"""

import sys

import harness
from harness import Scenario

DEMO_OWNER = "dono@solnascente.demo"
DEMO_PASSWORD = "ysh-demo-2026"
FLOOR = "floor"


def scenarios(token: str) -> list[Scenario]:
    jwt = {"Authorization": f"Bearer {token}"}
    return [
        Scenario(FLOOR, "/health/live/"),
        Scenario("profile", "/api/v1/auth/profile", jwt),
        Scenario("members", "/api/v1/organization/members/", jwt),
        Scenario("organization", "/api/v1/organization", jwt),
        Scenario("ready", "/health/ready/"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = harness.argument_parser(__doc__.splitlines()[0])
    parser.add_argument(
        "--skip-seed",
        action="store_true",
        help="do not run seed_demo (the bench DB already holds the demo data from an earlier run)",
    )
    args = parser.parse_args(argv)
    try:
        with harness.BenchRun(args) as run:
            if not args.skip_seed:
                run.manage("seed_demo")
            with run.server() as server:
                token = server.login(DEMO_OWNER, DEMO_PASSWORD)
                results = run.measure(server, scenarios(token))
            run.report("Foundation: floor and today's endpoints", results, floor=FLOOR)
    except harness.BenchError as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
