"""The permission matrix: for every route, what each persona gets for each method.

One row per route and method; the seven columns are, in order, the personas of
``world.PERSONAS``: anonymous, provider A admin, provider A editor, provider B admin, a
reviewer assigned to provider A's review, a reviewer who is also an editor at provider A
(conflicted, so never assigned), and a registry administrator. The objects behind object
routes all belong to provider A (``objects.ROUTE_KWARGS``).

Cells are an HTTP status, or one of:

- ``ANON``: an API refusal of an unauthenticated request (401, or 403 under session
  authentication, which sends no challenge);
- ``LOGIN``: a redirect to the sign-in page;
- ``REDIRECT``: a redirect elsewhere (a page's success);
- ``IN``: let in. Writes are sent with an empty body, so a persona allowed to write reaches
  validation (400, 409, 415) or succeeds (2xx, or a redirect other than to sign-in); the
  request is rolled back either way.

A route added without a row fails ``test_every_route_has_an_expectation_for_every_persona``.
The Django admin is covered by one rule instead: staff only (``test_matrix.py``).
"""

ANON = "anon"
LOGIN = "login"
REDIRECT = "redirect"
IN = "in"

EVERYONE_200 = (200, 200, 200, 200, 200, 200, 200)
SIGNED_IN_200 = (ANON, 200, 200, 200, 200, 200, 200)
PAGE_SIGNED_IN_200 = (LOGIN, 200, 200, 200, 200, 200, 200)
PAGE_POST_ONLY = (LOGIN, 405, 405, 405, 405, 405, 405)
STAFF_ONLY_API = (ANON, 403, 403, 403, 403, 403, 200)
STAFF_WRITES_API = (ANON, 403, 403, 403, 403, 403, IN)
STAFF_WRITES_PAGE = (LOGIN, 403, 403, 403, 403, 403, IN)
# Provider A's draft in the workspace: its members and registry staff; others 404.
A_RECORD = (ANON, 200, 200, 404, 404, 200, 200)
A_RECORD_WRITE = (ANON, IN, IN, 404, 404, IN, IN)
A_RECORD_PAGE = (LOGIN, 200, 200, 404, 404, 200, 200)
A_RECORD_PAGE_WRITE = (LOGIN, IN, IN, 404, 404, IN, IN)

#                          anon     A admin  A editor B admin  reviewer A-rev.  registry
MATRIX: dict[str, dict[str, tuple]] = {
    # --- Two-factor sign-in: anyone signed in may enrol; without a device, verify sends there
    "accounts:two-factor-enrol": {"get": PAGE_SIGNED_IN_200, "post": PAGE_SIGNED_IN_200},
    "accounts:two-factor-verify": {
        "get": (LOGIN, *(REDIRECT,) * 6),
        "post": (LOGIN, *(REDIRECT,) * 6),
    },
    # --- Public API: the register, its reference data, verification and exports ------------
    "api:api-root": {"get": EVERYONE_200},
    "api:provider-list": {"get": EVERYONE_200},
    "api:provider-detail": {"get": EVERYONE_200},
    "api:framework-list": {"get": EVERYONE_200},
    "api:framework-detail": {"get": EVERYONE_200},
    "api:level-list": {"get": EVERYONE_200},
    "api:level-detail": {"get": EVERYONE_200},
    "api:credential-list": {"get": EVERYONE_200},
    "api:credential-detail": {"get": EVERYONE_200},
    "api:credential-openbadges": {"get": EVERYONE_200},
    "api:credential-ctdl": {"get": EVERYONE_200},
    "api:verify": {"get": EVERYONE_200},
    "api:export-register": {"get": EVERYONE_200},
    # Public, and not built in the test settings' empty directory: 404 with its message.
    "api:export-daily": {"get": (404,) * 7},
    "api:export-daily-file": {"get": (404,) * 7},
    # Registry statements: signed VC-JWTs, status lists and did.json are for anyone; checking
    # a statement with an empty body is refused as bad input for everyone alike.
    "api:credential-statement": {"get": EVERYONE_200},
    "api:status-list": {"get": EVERYONE_200},
    "api:statement-verify": {"post": (400,) * 7},
    "did-document": {"get": EVERYONE_200, "post": (405,) * 7},
    "api:changes": {"get": EVERYONE_200},
    "schema": {"get": EVERYONE_200},
    "api-docs": {"get": EVERYONE_200},
    "api-redoc": {"get": EVERYONE_200},
    # --- Workspace API: a provider's own records ----------------------------------------------
    "api:workspace-credential-list": {
        "get": SIGNED_IN_200,
        # A reviewer belongs to no provider: the body naming one is refused.
        "post": (ANON, IN, IN, IN, 400, IN, IN),
    },
    "api:workspace-credential-detail": {
        "get": A_RECORD,
        "put": A_RECORD_WRITE,
        "patch": A_RECORD_WRITE,
    },
    # Provider administrators ask the registry; editors may not ask.
    "api:workspace-credential-change-requests": {
        "get": A_RECORD,
        "post": (ANON, IN, 403, 404, 404, 403, IN),
    },
    "api:workspace-credential-versions": {"get": A_RECORD},
    "api:workspace-credential-transition": {"post": A_RECORD_WRITE},
    # --- API tokens: each user's own ----------------------------------------------------------
    "api:api-token-list": {"get": SIGNED_IN_200, "post": (ANON, IN, IN, IN, IN, IN, IN)},
    "api:api-token-detail": {"delete": (ANON, 204, 404, 404, 404, 404, 404)},
    # --- Webhooks: each subscriber's own; registry staff every one ---------------------------
    # Anyone signed in reaches validation; the service decides who may subscribe to what.
    "api:webhook-list": {"get": SIGNED_IN_200, "post": (ANON, IN, IN, IN, IN, IN, IN)},
    "api:webhook-detail": {"get": (ANON, 200, 404, 404, 404, 404, 200)},
    "api:webhook-pause": {"post": (ANON, IN, 404, 404, 404, 404, IN)},
    "api:webhook-resume": {"post": (ANON, IN, 404, 404, 404, 404, IN)},
    "api:webhook-replay": {"post": (ANON, IN, 404, 404, 404, 404, IN)},
    "api:webhook-deliveries": {"get": (ANON, 200, 404, 404, 404, 404, 200)},
    # --- Imports: provider administrators into their providers, and registry staff ------------
    "api:import-job-list": {
        "get": (ANON, 200, 403, 200, 403, 403, 200),
        "post": (ANON, IN, 403, IN, 403, 403, IN),
    },
    "api:import-job-detail": {"get": (ANON, 200, 404, 404, 404, 404, 200)},
    # --- Status sweeps: registry staff ---------------------------------------------------------
    "api:status-sweep-list": {"get": STAFF_ONLY_API, "post": STAFF_WRITES_API},
    "api:status-sweep-detail": {"get": STAFF_ONLY_API},
    "api:status-sweep-checks": {"get": STAFF_ONLY_API},
    # --- QA reviews: staff all, reviewers their assignments, providers their records' ---------
    "api:review-list": {"get": SIGNED_IN_200, "post": STAFF_WRITES_API},
    "api:review-queue": {"get": SIGNED_IN_200},
    "api:review-board": {"get": STAFF_ONLY_API},
    "api:review-detail": {"get": (ANON, 200, 200, 404, 200, 200, 200)},
    "api:review-judgements": {
        "get": (ANON, 403, 403, 404, 200, 403, 200),
        "post": (ANON, 403, 403, 404, IN, 403, IN),
    },
    "api:review-declare": {"post": (ANON, 403, 403, 404, IN, 403, 403)},
    "api:review-decide": {"post": (ANON, 403, 403, 404, IN, 403, IN)},
    "api:review-assign": {"post": STAFF_WRITES_API},
    "api:review-cancel": {"post": STAFF_WRITES_API},
    "api:review-condition-list": {"get": SIGNED_IN_200},
    "api:review-condition-detail": {"get": (ANON, 200, 200, 404, 200, 200, 200)},
    "api:review-condition-confirm-met": {"post": (ANON, 403, 403, 404, 403, 403, IN)},
    "api:review-standard-set-list": {"get": SIGNED_IN_200},
    "api:review-standard-set-detail": {"get": SIGNED_IN_200},
    # --- Operations ------------------------------------------------------------------------------
    "healthz": {"get": EVERYONE_200, "post": (405,) * 7},
    # Hidden unless METRICS_TOKEN is set and sent (config/observability/views.py).
    "metrics": {"get": (404,) * 7, "post": (405,) * 7},
    "set_language": {"get": (REDIRECT,) * 7, "post": (REDIRECT,) * 7},
    # --- Public pages ----------------------------------------------------------------------------
    "credentials:home": {"get": EVERYONE_200, "post": EVERYONE_200},
    "credentials:search": {"get": EVERYONE_200, "post": EVERYONE_200},
    "changes:search-feed": {"get": EVERYONE_200, "post": (405,) * 7},
    "credentials:detail": {"get": EVERYONE_200, "post": EVERYONE_200},
    "credentials:compare": {"get": EVERYONE_200, "post": EVERYONE_200},
    "credentials:download": {"get": EVERYONE_200, "post": EVERYONE_200},
    "credentials:verify": {"get": EVERYONE_200, "post": EVERYONE_200},
    "credentials:provider": {"get": EVERYONE_200, "post": EVERYONE_200},
    "statements:verify": {"get": EVERYONE_200, "post": (400,) * 7},
    # --- Following by e-mail: no account needed; a bad or missing token is a 404 -------------
    "follows:record": {"get": EVERYONE_200, "post": (IN,) * 7},
    "follows:search": {"get": EVERYONE_200, "post": (IN,) * 7},
    "follows:confirm": {"get": (404,) * 7, "post": (404,) * 7},
    "follows:unsubscribe": {"get": (404,) * 7, "post": (404,) * 7},
    "follows:leave": {"get": (404,) * 7, "post": (404,) * 7},
    "follows:manage": {"get": EVERYONE_200, "post": (IN,) * 7},
    "follows:manage-address": {"get": (404,) * 7, "post": (405,) * 7},
    # --- Accounts -----------------------------------------------------------------------------
    "login": {"get": EVERYONE_200, "post": EVERYONE_200},
    "logout": {"get": (405,) * 7, "post": (REDIRECT,) * 7},
    "password_change": {"get": PAGE_SIGNED_IN_200, "post": PAGE_SIGNED_IN_200},
    "password_change_done": {"get": PAGE_SIGNED_IN_200, "post": PAGE_POST_ONLY},
    "password_reset": {"get": EVERYONE_200, "post": EVERYONE_200},
    "password_reset_done": {"get": EVERYONE_200, "post": (405,) * 7},
    "password_reset_confirm": {"get": EVERYONE_200, "post": EVERYONE_200},
    "password_reset_complete": {"get": EVERYONE_200, "post": (405,) * 7},
    # --- Workspace pages --------------------------------------------------------------------------
    "workspace:dashboard": {"get": PAGE_SIGNED_IN_200, "post": PAGE_SIGNED_IN_200},
    "workspace:credentials": {"get": PAGE_SIGNED_IN_200, "post": PAGE_SIGNED_IN_200},
    "workspace:credential-new": {
        "get": (LOGIN, 200, 200, 200, 403, 200, 200),
        "post": (LOGIN, 200, 200, 200, 403, 200, 200),
    },
    "workspace:credential": {"get": A_RECORD_PAGE, "post": A_RECORD_PAGE},
    "workspace:credential-edit": {"get": A_RECORD_PAGE, "post": A_RECORD_PAGE},
    "workspace:credential-move": {"get": PAGE_POST_ONLY, "post": A_RECORD_PAGE_WRITE},
    # Asking the registry to change a fact it owns: an editor's ask is refused by message.
    "workspace:credential-ask": {"get": PAGE_POST_ONLY, "post": A_RECORD_PAGE_WRITE},
    "workspace:pathway-new": {"get": PAGE_POST_ONLY, "post": A_RECORD_PAGE_WRITE},
    "workspace:pathway-component-new": {"get": PAGE_POST_ONLY, "post": A_RECORD_PAGE_WRITE},
    "workspace:recognition-new": {"get": PAGE_POST_ONLY, "post": A_RECORD_PAGE_WRITE},
    "workspace:imports": {
        "get": (LOGIN, 200, 403, 200, 403, 403, 200),
        "post": (LOGIN, 200, 403, 200, 403, 403, 200),
    },
    "workspace:import": {
        "get": (LOGIN, 200, 404, 404, 404, 404, 200),
        "post": (LOGIN, 200, 404, 404, 404, 404, 200),
    },
    "workspace:sweeps": {
        "get": (LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, 200),
        "post": (LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, IN),
    },
    "workspace:tokens": {"get": PAGE_SIGNED_IN_200, "post": PAGE_SIGNED_IN_200},
    "workspace:token-revoke": {
        "get": PAGE_POST_ONLY,
        "post": (LOGIN, IN, 404, 404, 404, 404, 404),
    },
    # Webhooks: anyone signed in reaches the form (the service decides); each their own.
    "workspace:webhooks": {"get": PAGE_SIGNED_IN_200, "post": (LOGIN, IN, IN, IN, IN, IN, IN)},
    "workspace:webhook": {
        "get": (LOGIN, 200, 404, 404, 404, 404, 200),
        "post": (LOGIN, 405, 405, 405, 405, 405, 405),
    },
    "workspace:webhook-pause": {
        "get": PAGE_POST_ONLY,
        "post": (LOGIN, REDIRECT, 404, 404, 404, 404, REDIRECT),
    },
    "workspace:webhook-resume": {
        "get": PAGE_POST_ONLY,
        "post": (LOGIN, REDIRECT, 404, 404, 404, 404, REDIRECT),
    },
    "workspace:webhook-replay": {
        "get": PAGE_POST_ONLY,
        "post": (LOGIN, REDIRECT, 404, 404, 404, 404, REDIRECT),
    },
    # --- Review pages -----------------------------------------------------------------------------
    "reviews:queue": {
        "get": (LOGIN, 403, 403, 403, 200, 200, REDIRECT),
        "post": (LOGIN, 403, 403, 403, 200, 200, REDIRECT),
    },
    "reviews:board": {
        "get": (LOGIN, 403, 403, 403, 403, 403, 200),
        "post": (LOGIN, 403, 403, 403, 403, 403, 200),
    },
    "reviews:open": {
        "get": (LOGIN, 403, 403, 403, 403, 403, 200),
        "post": (LOGIN, 403, 403, 403, 403, 403, 200),
    },
    "reviews:review": {
        "get": (LOGIN, 200, 200, 404, 200, 200, 200),
        "post": (LOGIN, 200, 200, 404, 200, 200, 200),
    },
    "reviews:declare": {"get": PAGE_POST_ONLY, "post": (LOGIN, 403, 403, 404, IN, 403, 403)},
    "reviews:judge": {"get": PAGE_POST_ONLY, "post": (LOGIN, 403, 403, 404, IN, 403, IN)},
    "reviews:decide": {"get": PAGE_POST_ONLY, "post": (LOGIN, 403, 403, 404, IN, 403, IN)},
    "reviews:assign": {"get": PAGE_POST_ONLY, "post": STAFF_WRITES_PAGE},
    "reviews:cancel": {"get": PAGE_POST_ONLY, "post": STAFF_WRITES_PAGE},
    "reviews:condition-confirm": {"get": PAGE_POST_ONLY, "post": STAFF_WRITES_PAGE},
    # The judgement carries no evidence file: 404 for everyone signed in.
    "reviews:judgement-evidence": {
        "get": (LOGIN, 404, 404, 404, 404, 404, 404),
        "post": (LOGIN, 404, 404, 404, 404, 404, 404),
    },
}

# Object routes whose object is provider A's and not public: another provider's
# administrator must get 404 on every method, unless provider A's own administrator is
# refused with the same status (a route closed to every provider reveals nothing).
TENANT_ROUTES = frozenset(
    {
        "api:workspace-credential-detail",
        "api:workspace-credential-change-requests",
        "api:workspace-credential-versions",
        "api:workspace-credential-transition",
        "api:api-token-detail",
        "api:import-job-detail",
        "api:webhook-detail",
        "api:webhook-pause",
        "api:webhook-resume",
        "api:webhook-replay",
        "api:webhook-deliveries",
        "api:status-sweep-detail",
        "api:status-sweep-checks",
        "api:review-detail",
        "api:review-judgements",
        "api:review-declare",
        "api:review-decide",
        "api:review-assign",
        "api:review-cancel",
        "api:review-condition-detail",
        "api:review-condition-confirm-met",
        "workspace:credential",
        "workspace:credential-edit",
        "workspace:credential-move",
        "workspace:credential-ask",
        "workspace:pathway-new",
        "workspace:pathway-component-new",
        "workspace:recognition-new",
        "workspace:import",
        "workspace:token-revoke",
        "workspace:webhook",
        "workspace:webhook-pause",
        "workspace:webhook-resume",
        "workspace:webhook-replay",
        "reviews:review",
        "reviews:declare",
        "reviews:judge",
        "reviews:decide",
        "reviews:assign",
        "reviews:cancel",
        "reviews:condition-confirm",
        "reviews:judgement-evidence",
    }
)

# Public routes about one record: asked about provider A's draft instead, they are 404 to
# everyone outside provider A and the registry.
PUBLIC_RECORD_ROUTES = (
    "credentials:detail",
    "api:credential-detail",
    "api:credential-openbadges",
    "api:credential-ctdl",
    "api:verify",
    "api:credential-statement",
)
