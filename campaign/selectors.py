"""Reads of the campaign app, and the look-ups of campaigns, communes and BHXH offices by what people type."""

import re
from collections.abc import Callable, Iterable
from datetime import date

from django.db.models import QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from core import clock
from core.errors import DomainError
from core.excel.reader import normalize
from core.text import is_digits

from .models import BhxhOffice, Campaign, CampaignWeek, Commune, CoverageBaseline, Province
from .weeks import week_number

_COMMUNE_PREFIX = re.compile(r"^(xa|phuong|dackhu|thitran)")
_OFFICE_PREFIX = re.compile(r"^(bhxhcoso|bhxhhuyen|bhxhthixa|bhxhthanhpho|bhxhkhuvuc|bhxh)")


def week_of(*, campaign: Campaign, day: date) -> CampaignWeek | None:
    number = week_number(campaign.start_date, campaign.end_date, day)
    if number is None:
        return None
    return campaign.weeks.filter(number=number).first()


# Which campaigns a user may see is the rule of collectors (roles, staff postings, agencies), a
# package above this one: collectors.apps hands it here when the app loads, so every chooser and
# look-up of a campaign below follows it. Until then no user sees any campaign.
_ProvinceRule = Callable[[object, QuerySet], QuerySet]


def _no_campaign(user, campaigns: QuerySet) -> QuerySet:
    return campaigns.none()


_campaigns_seen_by: _ProvinceRule = _no_campaign


def limit_campaigns_with(rule: _ProvinceRule) -> None:
    """Install ``rule(user, campaigns)``: the campaigns of ``campaigns`` that ``user`` may see."""
    global _campaigns_seen_by
    _campaigns_seen_by = rule


def campaigns_for(user) -> QuerySet:
    """The campaigns ``user`` may see: those of their province (every one for an unposted admin)."""
    return _campaigns_seen_by(user, Campaign.objects.select_related("province"))


def current_campaign(*, user=None) -> Campaign | None:
    """The running campaign nearest to today: the one under way, else the latest started, else the next.

    With ``user``, among the campaigns they may see.
    """
    campaigns = campaigns_for(user) if user is not None else Campaign.objects.select_related("province")
    return _current_among(campaigns.filter(status=Campaign.Status.ACTIVE))


def _current_among(campaigns: Iterable[Campaign]) -> Campaign | None:
    today = clock.today()
    running = [c for c in campaigns if c.status == Campaign.Status.ACTIVE]
    running.sort(key=lambda c: (c.start_date, c.pk), reverse=True)  # two under way: the later started
    under_way = [c for c in running if c.start_date <= today <= c.end_date]
    started = [c for c in running if c.start_date <= today]
    upcoming = sorted(running, key=lambda c: c.start_date)
    return next(iter(under_way + started + upcoming), None)


def campaign_running_on(*, campaign: Campaign, day: date) -> Campaign:
    """The campaign an enrollment collected on ``day`` belongs to, given the one its caller named.

    ``campaign`` itself when ``day`` is inside its dates; else the running campaign of the same
    province whose dates hold ``day`` (the later started when two do); else ``campaign``, and the
    enrollment is outside every campaign (recorded, counted in coverage, in no week).
    """
    if campaign.start_date <= day <= campaign.end_date:
        return campaign
    other = (
        Campaign.objects.select_related("province")
        .filter(
            province_id=campaign.province_id,
            status=Campaign.Status.ACTIVE,
            start_date__lte=day,
            end_date__gte=day,
        )
        .order_by("-start_date", "-pk")
        .first()
    )
    return other or campaign


# The session key of the campaign a user chose on a page (``?campaign=CODE``) for the pages after it.
CHOSEN_CAMPAIGN_KEY = "chosen_campaign"


def current_campaign_for(request) -> Campaign | None:
    """The campaign a page is for, looked up once per request however many parts of the page ask for it.

    The one named by ``?campaign=CODE`` (kept in the session for the next pages), else the one
    chosen earlier in the session, else ``current_campaign()``. An unknown code is remembered on
    the request for ``chosen_campaign`` to refuse.
    """
    if not hasattr(request, "_current_campaign"):
        request._current_campaign = _campaign_of_request(request)
    return request._current_campaign


def campaign_choices(request) -> list[Campaign]:
    """The campaigns the user may see, newest first, read once per request: the layout's chooser and
    the page's campaign; another province's code is then refused like an unknown one."""
    if not hasattr(request, "_campaigns"):
        campaigns = campaigns_for(getattr(request, "user", None))
        request._campaigns = list(campaigns.order_by("-start_date", "-pk"))
    return request._campaigns


def _campaign_of_request(request) -> Campaign | None:
    session = getattr(request, "session", None)
    campaigns = campaign_choices(request)
    by_code = {c.code: c for c in campaigns}
    code = (getattr(request, "GET", {}).get("campaign") or "").strip()
    if code:
        campaign = by_code.get(code)
        if campaign is None:
            request._unknown_campaign = code
            return None
        if session is not None and session.get(CHOSEN_CAMPAIGN_KEY) != campaign.code:
            session[CHOSEN_CAMPAIGN_KEY] = campaign.code
        return campaign
    kept = session.get(CHOSEN_CAMPAIGN_KEY) if session is not None else None
    if kept and kept in by_code:
        return by_code[kept]
    return _current_among(campaigns)


def chosen_campaign(request, *, required: bool = True) -> Campaign | None:
    """``current_campaign_for(request)``; 404 for an unknown ``?campaign=`` code, and (if ``required``) for none."""
    campaign = current_campaign_for(request)
    if campaign is None:
        unknown = getattr(request, "_unknown_campaign", None)
        if unknown:
            raise Http404(_("No campaign has the code “%(code)s”.") % {"code": unknown})
        if required:
            raise Http404(_("No campaign is running."))
    return campaign


def campaign_for(user, code: str) -> Campaign | None:
    """The campaign of ``code`` if ``user`` may see it (an API's ``?campaign=``), else None."""
    return campaigns_for(user).filter(code=(code or "").strip()).first()


def _campaign_with_code(code: str) -> Campaign | None:
    return Campaign.objects.select_related("province").filter(code=(code or "").strip()).first()


def campaign_by_code(code: str) -> Campaign:
    """The campaign a command or an import names, or DomainError saying no campaign has that code."""
    campaign = _campaign_with_code(code)
    if campaign is None:
        raise DomainError({"campaign": [_("No campaign has the code “%(code)s”.") % {"code": code or ""}]})
    return campaign


def current_week(*, campaign: Campaign) -> CampaignWeek | None:
    return week_of(campaign=campaign, day=clock.today())


def baseline_totals(*, campaign: Campaign) -> dict[str, int]:
    """Province totals of the campaign's baselines: sums of counts, never of percentages."""
    totals = CoverageBaseline.objects.filter(campaign=campaign).aggregate(
        population=Sum("population"),
        labour_force=Sum("labour_force"),
        bhyt_insured=Sum("bhyt_insured"),
        bhxh_insured=Sum("bhxh_insured"),
    )
    return {key: value or 0 for key, value in totals.items()}


class CommuneLookup:
    """Communes by code ("25480", or 25480 typed as a number) or by name ("Xã Tân Biên", "tan bien").

    With a ``province``, names are looked up in it only, and a commune of another province is refused.
    """

    def __init__(self, communes: Iterable[Commune], province: Province | None = None):
        self.province = province
        self.by_code = {c.code: c for c in communes}
        self.by_name: dict[str, list[Commune]] = {}
        for commune in self.by_code.values():
            if province is not None and commune.province_id != province.pk:
                continue
            full = normalize(commune.name)
            for name in {full, _COMMUNE_PREFIX.sub("", full)}:
                self.by_name.setdefault(name, []).append(commune)

    def find(self, text: str) -> Commune:
        """The commune, or DomainError saying why not (unknown, ambiguous, another province)."""
        text = (text or "").strip()
        if is_digits(text):
            commune = self.by_code.get(text.zfill(5))
            if commune is None:
                raise DomainError(_("No commune has the code %(code)s.") % {"code": text})
        else:
            found = self.by_name.get(normalize(text), [])
            if not found:
                raise DomainError(_("No commune is called “%(name)s”%(where)s.") % {"name": text, "where": self._where})
            if len(found) > 1:
                raise DomainError(
                    _("Several communes are called “%(name)s” (%(codes)s): give the commune code instead.")
                    % {
                        "name": text,
                        "codes": ", ".join(f"{c.name} {c.code}" for c in sorted(found, key=lambda c: c.code)),
                    }
                )
            commune = found[0]
        if self.province is not None and commune.province_id != self.province.pk:
            raise DomainError(
                _("Commune %(commune)s (%(code)s) is not in %(province)s.")
                % {"commune": commune.name, "code": commune.code, "province": self.province.name}
            )
        return commune

    @property
    def _where(self) -> str:
        return _(" in %(province)s") % {"province": self.province.name} if self.province else ""


def commune_lookup(*, province: Province | None = None) -> CommuneLookup:
    """Every commune, ready to be found by code or name (in ``province`` only, when given)."""
    return CommuneLookup(Commune.objects.select_related("province"), province)


class OfficeLookup:
    """BHXH cơ sở offices by code or by name, with or without "BHXH cơ sở" in front."""

    def __init__(self, offices: Iterable[BhxhOffice]):
        self.by_code = {office.code.upper(): office for office in offices}
        self.by_name: dict[str, list[BhxhOffice]] = {}
        for office in self.by_code.values():
            full = normalize(office.name)
            for name in {full, _OFFICE_PREFIX.sub("", full)} - {""}:
                self.by_name.setdefault(name, []).append(office)

    def find(self, text: str) -> BhxhOffice:
        text = (text or "").strip()
        office = self.by_code.get(text.upper())
        if office is not None:
            return office
        found = self.by_name.get(normalize(text)) or self.by_name.get(_OFFICE_PREFIX.sub("", normalize(text)), [])
        if len(found) == 1:
            return found[0]
        if found:
            raise DomainError(
                _("Several BHXH offices are called “%(name)s”: give the office code instead.") % {"name": text}
            )
        raise DomainError(
            _("No BHXH office has the code or name “%(name)s”; add it in the data administration first.")
            % {"name": text}
        )


def office_lookup() -> OfficeLookup:
    """Every BHXH office, ready to be found by code or name."""
    return OfficeLookup(BhxhOffice.objects.all())
