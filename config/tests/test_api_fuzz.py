"""Every operation of the OpenAPI document, fed what schemathesis makes of it, answers below 500.

The document is the one the app serves (``/api/v1/openapi.json``), read through the WSGI app
itself: no server, no network. The requests carry an officer's API token, so they reach the
rules behind the auth, on a campaign with a commune, an agency and one stored enrollment the
generated values can hit. Schemathesis generates valid and invalid input for each parameter and
body (wrong types, out-of-range numbers, odd strings); whatever it sends, the answer is a clear
4xx or a success, never a server error.

Bounded for a shared 2-core machine: ``EXAMPLES`` cases per operation and generation mode.
"""

from contextlib import contextmanager, suppress
from datetime import date

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from campaign.tests.factories import CampaignFactory, CommuneFactory
from collectors.tests.factories import AgencyFactory, officer_user
from collectors.tokens import issue_api_token
from enrollments.services import record_enrollment
from enrollments.tests.factories import bhyt_request, cccd_of

pytestmark = pytest.mark.django_db

EXAMPLES = 25
CAMPAIGN, COMMUNE, AGENCY = "TN-2025", "25480", "BD-01"
NUL = "\x00"
OPENAPI = "/api/v1/openapi.json"


@contextmanager
def same_connection():
    """The WSGI handler closes the database connection around each request; the test's transaction needs it open.

    (Django's own test client does the same: it disconnects ``close_old_connections``.)
    """
    around = (signals.request_started, signals.request_finished)
    connected = [signal for signal in around if signal.disconnect(close_old_connections)]
    try:
        yield
    finally:
        for signal in connected:
            signal.connect(close_old_connections)


@pytest.fixture
def officer_token(settings):
    settings.APP_TODAY = date(2025, 12, 10)
    campaign = CampaignFactory(code=CAMPAIGN)
    commune = CommuneFactory(code=COMMUNE, province=campaign.province)
    officer = officer_user(agency=AgencyFactory(code=AGENCY))
    record_enrollment(
        campaign=campaign,
        collector=officer.collector,
        request=bhyt_request(1, commune_code=commune.code, collected_on=date(2025, 11, 20)),
    )
    _token, raw = issue_api_token(user=officer, name="fuzz")
    return raw


# Half the cases put values the database knows where the document names them, so they pass the
# look-ups (campaign, commune, CCCD, a period the rates offer) and reach the rules behind them,
# and numbers at the edges of 64 bits where they count rows, money or places.
KNOWN = st.fixed_dictionaries(
    {
        # Known codes, and the same with a NUL, a character PostgreSQL's text cannot hold.
        "code": st.sampled_from([CAMPAIGN, CAMPAIGN + NUL]),
        "campaign": st.sampled_from([CAMPAIGN, CAMPAIGN + NUL]),
        "commune_code": st.sampled_from([COMMUNE, COMMUNE + NUL]),
        "full_name": st.sampled_from(["Nguyễn Văn A", "Nguyễn\x00Văn A", "\u202eA nắV nễyugN"]),
        # Men born in 1985, as the CCCD numbers say: one already recorded, two not.
        "cccd": st.sampled_from([cccd_of(1), cccd_of(2), cccd_of(3)]),
        "date_of_birth": st.dates(date(1985, 1, 1), date(1985, 12, 31)).map(date.isoformat),
        "sex": st.just("male"),
        "collected_on": st.dates(date(2025, 11, 12), date(2025, 12, 10)).map(date.isoformat),
        "months": st.sampled_from([1, 3, 6, 12]),
        "week": st.sampled_from([1, 2, 5, 6, 0, -1, 2**15, 2**63]),
        "final": st.booleans(),
        "provisional": st.booleans(),
        "agency": st.sampled_from([AGENCY, AGENCY + NUL]),
        # Numbers at the edges a database column or a Python conversion may not take (64 bits).
        "offset": st.sampled_from([0, 1, 2**63 - 1, 2**63, 2**64]),
        "limit": st.sampled_from([1, 500, 501, 2**63]),
        "income": st.sampled_from([1_500_000, 0, 2**63]),
        "member_order": st.sampled_from([1, 5, 6, 0, 2**63]),
    }
)


def ground(case, known: dict | None) -> None:
    """Put ``known`` values in the place of the generated ones that have the same name."""
    if known is None:
        return
    for part in (case.path_parameters, case.query):
        for name in (part or {}).keys() & known.keys():
            part[name] = known[name]
    if isinstance(case.body, dict):
        for name in case.body.keys() & known.keys():
            case.body[name] = known[name]
        participant = case.body.get("participant")
        if isinstance(participant, dict):
            for name in participant.keys() & known.keys():
                participant[name] = known[name]


def operations():
    with same_connection():
        schema = schemathesis.openapi.from_wsgi(OPENAPI, get_wsgi_application())
    return [result.ok() for result in schema.get_all_operations()]


def server_errors(operation, headers: dict, mode: GenerationMode) -> list[str]:
    """Requests of ``operation`` (as ``mode`` generates them) that were answered 5xx."""
    found = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode), known=st.none() | KNOWN)
    def probe(case, known):
        ground(case, known)
        response = case.call(headers=headers)
        if response.status_code >= 500:
            body = case.body if isinstance(case.body, dict | list | str) else ""
            found.append(f"{response.status_code} {case.method} {case.formatted_path} {case.query} {body!r}")

    # An operation without parameters (the health check) has nothing to make invalid.
    with same_connection(), suppress(Unsatisfiable):
        probe()
    return found


def test_the_openapi_document_lists_the_operations_fuzzed():
    labels = {f"{operation.method.upper()} {operation.path}" for operation in operations()}
    assert {"GET /api/v1/enrollments", "POST /api/v1/enrollments", "GET /api/v1/quote"} <= labels


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_no_operation_answers_a_server_error_to_an_officer(officer_token, mode):
    headers = {"Authorization": f"Bearer {officer_token}", "Accept-Language": "en"}
    found = [error for operation in operations() for error in server_errors(operation, headers, mode)]
    assert found == []
