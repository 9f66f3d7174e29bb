"""`GET /api/v1/renewals`: the renewal lists for other systems (DESIGN.md), scoped and masked like the pages."""

from typing import Literal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import PaginationBase, paginate

from campaign.selectors import current_campaign
from collectors.api_auth import api_auth
from collectors.roles import Role, role_of
from core import clock
from core.api_errors import ErrorOut
from core.errors import DomainError

from .api import MAX_OFFSET, MAX_PAGE
from .api_schemas import ProductCode
from .renewals.selectors import WINDOWS, RenewalFilters, RenewalRow, renewal_list

router = Router(tags=["renewals"])

RenewalStatusCode = Literal["due", "lapsed_renew", "lapsed_rejoin"]


class RenewalOut(Schema):
    cccd: str = Field(description="Masked (`072*******56`) unless the caller may see personal data")
    full_name: str
    phone: str = Field(description="Masked unless the caller is an admin or an officer of the recording agency")
    product: ProductCode
    coverage_end: str = Field(description="ISO date: the end of the person's latest coverage of the product")
    status: RenewalStatusCode
    days_left: int = Field(description="Days from today to the coverage end; negative once lapsed")
    agency: str | None = Field(
        description="The agency of the latest enrollment; null when known only from prior coverage"
    )
    commune_code: str
    household_code: str
    last_months: int | None = Field(description="The period of the latest enrollment, months")
    amount_payable: int | None = Field(description="What renewing for `last_months` costs today, đồng")
    mug_due: bool = Field(
        description="Renewing today would be a rejoin inside the campaign, and no mug was handed over"
    )
    personal_data_masked: bool
    last_contact_on: str | None
    last_contact_outcome: Literal["will_renew", "moved", "refused", "not_reached"] | None


def renewal_out(row: RenewalRow) -> dict:
    contact = row.contact
    return {
        "cccd": row.cccd,
        "full_name": row.full_name,
        "phone": row.phone,
        "product": row.product,
        "coverage_end": row.coverage_end.isoformat(),
        "status": row.status,
        "days_left": row.days_left,
        "agency": row.agency_code or None,
        "commune_code": row.commune_code,
        "household_code": row.household_code,
        "last_months": row.last_months,
        "amount_payable": row.amount,
        "mug_due": row.mug_due,
        "personal_data_masked": row.masked,
        "last_contact_on": contact.contacted_on.isoformat() if contact else None,
        "last_contact_outcome": contact.outcome if contact else None,
    }


class RenewalPage(PaginationBase):
    """``limit``/``offset`` pages of a ``RenewalList``: the database orders the whole list and builds the page's rows
    only; ``count`` exact (one GROUP BY); ``next``/``previous`` link to the neighbouring pages with the same filters."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=2**31)  # above MAX_PAGE it is cut to MAX_PAGE
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    class Output(Schema):
        items: list[RenewalOut]
        count: int = Field(description="The people on the list (all pages).")
        next: str | None = Field(None, description="The link to the page after this one, if any.")
        previous: str | None = Field(None, description="The link to the page before this one, if any.")

    items_attribute = "items"

    def __init__(self, *, max_limit: int = MAX_PAGE, **kwargs):
        self.max_limit = max_limit
        super().__init__(**kwargs)

    def paginate_queryset(self, queryset, pagination, request, **params):
        limit, offset = min(pagination.limit, self.max_limit), pagination.offset
        rows = queryset.page(offset, limit)  # first: the page's query brings the counts along
        count = len(queryset)
        return {
            self.items_attribute: [renewal_out(row) for row in rows],
            "count": count,
            "next": _link(request, offset + limit, limit) if offset + limit < count else None,
            "previous": _link(request, max(0, min(offset, count) - limit), limit) if offset > 0 else None,
        }


def _link(request, offset: int, limit: int) -> str:
    """The same list (same filters and limit) from ``offset``."""
    query = request.GET.copy()
    query["offset"], query["limit"] = str(offset), str(limit)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


@router.get(
    "/renewals",
    response={200: list[RenewalOut], 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    auth=api_auth(*Role),
    summary="Renewal lists",
)
@paginate(RenewalPage, max_limit=MAX_PAGE)
def list_renewals(
    request,
    within: int = Query(30, description="30 or 60"),
    product: ProductCode | None = None,
    agency: str | None = Query(None, max_length=30),
    commune: str | None = Query(None, max_length=10),
    status: RenewalStatusCode | None = None,
):
    """People due for renewal within `within` days (30 or 60) of today, and people who lapsed in the last
    12 months (`lapsed_renew`: under 3 months, renews without a mug; `lapsed_rejoin`: 3 months or more).

    An officer sees their agency's people (the agency of the latest enrollment) and the people known
    only from prior coverage in the communes it serves; `agency` is for admins and BHXH staff.
    """
    if agency and role_of(request.auth) == Role.OFFICER:
        raise HttpError(403, _("An officer sees only their own agency's list: leave out the agency."))
    if within not in WINDOWS:
        raise DomainError({"within": _("Choose 30 or 60 days.")})
    filters = RenewalFilters(
        within=within,
        product=product or "",
        agency=(agency or "").strip(),
        commune=(commune or "").strip(),
        status=status or "",
    )
    campaign = current_campaign(user=request.auth)
    return renewal_list(request.auth, today=clock.today(), filters=filters, campaign=campaign)
