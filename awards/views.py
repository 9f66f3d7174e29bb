"""The rankings pages: live standings, each week's and the final ranking, and the admins' actions.

Everyone signed in sees the rankings; what an officer sees of other agencies' people is limited
by ``selectors.rows_for``. Drafts are for admins and provincial staff; only admins compute,
publish and re-open. Every write goes through ``awards.services``.
"""

from dataclasses import dataclass, field

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaign.models import Campaign, CampaignWeek
from campaign.selectors import chosen_campaign, current_week
from collectors.roles import ALL_ROLES, Role, role_required
from collectors.scoping import in_province
from core import caching, clock
from core.errors import DomainError
from core.excel.writer import XLSX_CONTENT_TYPE

from .exports import ranking_workbook
from .forms import ComputeForm, PublishForm, ReopenForm
from .models import Ranking, Subject
from .selectors import (
    LIVE_SECONDS,
    MyPlace,
    Row,
    Viewer,
    closes_at,
    entries_of,
    late_enrollments,
    live_key,
    live_place,
    live_rows,
    my_place,
    prize_budget,
    provisional_standings,
    rankings_of,
    rows_for,
)
from .services import Outcome, compute_rankings, publish_ranking, reopen_ranking, week_of_campaign
from .standings import RuleTerms

LATE_SHOWN = 100
LIVE_ROWS = 50


@dataclass
class Block:
    """One ranking (stored or live) as a viewer sees it."""

    terms: RuleTerms
    rows: list[Row]
    place: MyPlace | None
    total: int
    ranking: Ranking | None = None


@dataclass
class Section:
    rule: object
    published: Block | None
    draft: Block | None
    history: list[Ranking] = field(default_factory=list)


def _block(viewer: Viewer, terms: RuleTerms, entries: list, ranking: Ranking | None = None) -> Block:
    return Block(
        terms=terms,
        rows=rows_for(viewer, entries, subject=terms.subject, prize_count=len(terms.prizes)),
        place=my_place(viewer, entries, subject=terms.subject),
        total=len(entries),
        ranking=ranking,
    )


def _campaign(request) -> Campaign:
    return chosen_campaign(request)


def _week(campaign: Campaign, number: int) -> CampaignWeek:
    try:
        return week_of_campaign(campaign=campaign, number=number)
    except DomainError as exc:
        raise Http404(exc.messages[0]) from exc


def _scope_url(campaign: Campaign, week: CampaignWeek | None) -> str:
    url = reverse("awards:week", args=[week.number]) if week is not None else reverse("awards:final")
    return f"{url}?campaign={campaign.code}"


def _visible_ranking(request, pk: int) -> tuple[Ranking, Viewer]:
    viewer = Viewer.of(request.user)
    rankings = Ranking.objects.select_related(
        "rule", "campaign", "week", "published_by", "reopened_by", "reopened_from", "week__campaign"
    )
    ranking = get_object_or_404(in_province(request.user, rankings, "campaign__province"), pk=pk)
    if ranking.is_draft and not viewer.sees_drafts:
        raise Http404("draft")
    return ranking, viewer


# --- Pages ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScopeRow:
    week: CampaignWeek | None
    closes_at: object
    closed: bool
    current: bool
    published: int
    drafts: int


@role_required(*ALL_ROLES)
def index(request):
    """The campaign's weeks with the state of their rankings, the rules, and the prizes against the budget."""
    campaign = chosen_campaign(request, required=False)
    if campaign is None:
        return render(request, "awards/index.html", {"campaign": None})
    viewer = Viewer.of(request.user)
    now = clock.now()
    current = current_week(campaign=campaign)
    counts: dict = {}
    for week_id, status, number in (
        Ranking.objects.filter(campaign=campaign).values_list("week_id", "status").annotate(n=Count("pk"))
    ):
        counts.setdefault(week_id, {})[status] = number
    rows = []
    for week in campaign.weeks.order_by("number"):
        week.campaign = campaign
        state = counts.get(week.pk, {})
        rows.append(
            ScopeRow(
                week,
                week.cutoff,
                now >= week.cutoff,
                current is not None and current.pk == week.pk,
                state.get(Ranking.Status.PUBLISHED, 0),
                state.get(Ranking.Status.DRAFT, 0),
            )
        )
    final_state = counts.get(None, {})
    final_closes = campaign.final_cutoff
    final = ScopeRow(
        None,
        final_closes,
        now >= final_closes,
        False,
        final_state.get(Ranking.Status.PUBLISHED, 0),
        final_state.get(Ranking.Status.DRAFT, 0),
    )
    context = {
        "campaign": campaign,
        "rows": rows,
        "final": final,
        "current": current,
        "rules": campaign.award_rules.order_by("period", "subject", "code"),
        "budget": prize_budget(campaign=campaign) if viewer.sees_drafts else None,
        "sees_drafts": viewer.sees_drafts,
    }
    return render(request, "awards/index.html", context)


@role_required(*ALL_ROLES)
def live(request):
    """The current week's provisional standings (recomputed every 30 s by one worker); htmx refreshes the table."""
    campaign = _campaign(request)
    viewer = Viewer.of(request.user)
    week = current_week(campaign=campaign)
    if week is not None:
        week.campaign = campaign
    whole_campaign = week is None and clock.today() > campaign.end_date
    standings = provisional_standings(campaign=campaign, week=week) if week or whole_campaign else []
    context = {
        "campaign": campaign,
        "week": week,
        "whole_campaign": whole_campaign,
        "blocks_html": _live_tables(viewer, campaign, standings),
        "as_of": standings[0].as_of if standings else clock.now(),
        "late_count": standings[0].late_count if standings else 0,
    }
    template = "awards/live.html"
    if request.htmx:
        template += "#live-standings"
    return render(request, template, context)


def _live_tables(viewer: Viewer, campaign: Campaign, standings: list) -> str:
    """The live tables, rendered once per computation of the standings, viewer and language.

    Rendering a hundred rows cost most of a cached request; everyone with the same view shares
    them (staff alike; an officer sees their own place). No user name or CSRF token is in them.
    """

    def render() -> str:
        blocks = [_live_block(viewer, s) for s in standings]
        context = {"campaign": campaign, "blocks": blocks, "user_role": viewer.role}
        return str(render_to_string("awards/_live_blocks.html", context))

    if not standings:
        return render()
    key, token = live_key(standings[0])
    who = f"officer{viewer.agency_id}.{viewer.collector_id}" if viewer.is_officer else "staff"
    html = caching.fresh_or_previous(f"awards:live-html:{key}:{who}:{get_language()}", token, render, LIVE_SECONDS * 2)
    return mark_safe(html)  # our own template's output, escaped when it was rendered


def _live_block(viewer: Viewer, standing) -> Block:
    """What the live table shows, read from the cache as far as shown; the Excel file has every place.

    Staff see the top ``LIVE_ROWS``; an officer the top ``LIVE_ROWS`` agencies and their own, or in
    an officer ranking the places ``rows_for`` allows them (the top and their agency's officers).
    """
    limit = LIVE_ROWS
    if viewer.is_officer and standing.terms.subject != Subject.AGENCY:
        limit = live_rows(viewer, standing, offset=0, limit=0)[1]
    rows, _visible = live_rows(viewer, standing, offset=0, limit=limit)
    if viewer.is_officer and standing.terms.subject == Subject.AGENCY:
        rows += [Row(e, True, True) for e in standing.entries.of_agency(viewer.agency_id) if e.rank > LIVE_ROWS]
    return Block(terms=standing.terms, rows=rows, place=live_place(viewer, standing), total=len(standing.entries))


def _scope_page(request, campaign: Campaign, week: CampaignWeek | None):
    viewer = Viewer.of(request.user)
    groups = rankings_of(campaign=campaign, week=week, with_drafts=viewer.sees_drafts)
    entries = entries_of([r for g in groups for r in (g.published, g.draft) if r is not None])

    def block(ranking: Ranking | None) -> Block | None:
        if ranking is None:
            return None
        return _block(viewer, RuleTerms.from_dict(ranking.rule_terms), entries.get(ranking.pk, []), ranking)

    sections = [Section(g.rule, block(g.published), block(g.draft), g.history) for g in groups]
    deadline = closes_at(campaign, week)
    late = late_enrollments(request.user, week=week) if week is not None else None
    context = {
        "campaign": campaign,
        "week": week,
        "sections": sections,
        "closes_at": deadline,
        "closed": clock.now() >= deadline,
        "late": list(late[:LATE_SHOWN]) if late is not None else [],
        "late_total": late.count() if late is not None else 0,
        "is_admin": viewer.role == Role.ADMIN,
        "scope_url": _scope_url(campaign, week),
    }
    return render(request, "awards/scope.html", context)


@role_required(*ALL_ROLES)
def week_page(request, number: int):
    campaign = _campaign(request)
    return _scope_page(request, campaign, _week(campaign, number))


@role_required(*ALL_ROLES)
def final_page(request):
    return _scope_page(request, _campaign(request), None)


@role_required(*ALL_ROLES)
def detail(request, pk: int):
    """One version of a ranking, with the versions before and after it."""
    ranking, viewer = _visible_ranking(request, pk)
    versions = Ranking.objects.filter(rule=ranking.rule_id, week=ranking.week_id).select_related(
        "published_by", "reopened_by"
    )
    if not viewer.sees_drafts:
        versions = versions.filter(status=Ranking.Status.PUBLISHED)
    entries = entries_of([ranking]).get(ranking.pk, [])
    context = {
        "ranking": ranking,
        "ranking_block": _block(viewer, RuleTerms.from_dict(ranking.rule_terms), entries, ranking),
        "versions": versions.order_by("-version"),
        "is_admin": viewer.role == Role.ADMIN,
        "scope_url": _scope_url(ranking.campaign, ranking.week),
    }
    return render(request, "awards/detail.html", context)


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@role_required(*ALL_ROLES)
def export(request, pk: int):
    ranking, viewer = _visible_ranking(request, pk)
    terms = RuleTerms.from_dict(ranking.rule_terms)
    rows = rows_for(
        viewer, entries_of([ranking]).get(ranking.pk, []), subject=terms.subject, prize_count=len(terms.prizes)
    )
    scope = _("week %(number)s") % {"number": ranking.week.number} if ranking.week else _("final")
    status = ranking.get_status_display()
    title = f"{terms.name} · {scope} · v{ranking.version} ({status})"
    content = ranking_workbook(terms=terms, rows=rows, title_lines=[ranking.campaign.name, title])
    week_part = f"tuan{ranking.week.number}" if ranking.week else "tongket"
    return _xlsx(content, f"xep-hang-{ranking.campaign.code}-{week_part}-{terms.code}-v{ranking.version}.xlsx")


@role_required(*ALL_ROLES)
def live_export(request):
    campaign = _campaign(request)
    viewer = Viewer.of(request.user)
    week = current_week(campaign=campaign)
    if week is not None:
        week.campaign = campaign
    elif clock.today() <= campaign.end_date:
        raise Http404("no standings yet")
    standing = next(
        (s for s in provisional_standings(campaign=campaign, week=week) if s.rule.code == request.GET.get("rule")), None
    )
    if standing is None:
        raise Http404("no such rule")
    rows = rows_for(viewer, standing.entries, subject=standing.terms.subject, prize_count=len(standing.terms.prizes))
    scope = _("week %(number)s") % {"number": week.number} if week else _("whole campaign")
    stamp = timezone.localtime(clock.now()).strftime("%d/%m/%Y %H:%M")
    title = _("%(rule)s · %(scope)s · provisional, as of %(when)s") % {
        "rule": standing.terms.name,
        "scope": scope,
        "when": stamp,
    }
    content = ranking_workbook(terms=standing.terms, rows=rows, title_lines=[campaign.name, title])
    return _xlsx(content, f"xep-hang-tam-{campaign.code}-{standing.terms.code}.xlsx")


# --- Admin actions ----------------------------------------------------------------------------------


_OUTCOME_MESSAGES = {
    Outcome.CREATED: messages.SUCCESS,
    Outcome.UPDATED: messages.SUCCESS,
    Outcome.UNCHANGED: messages.INFO,
    Outcome.PUBLISHED: messages.INFO,
}


def _outcome_text(outcome: Outcome, name: str) -> str:
    return {
        Outcome.CREATED: _("%(rule)s: draft computed; review it, then publish."),
        Outcome.UPDATED: _("%(rule)s: draft computed again; the figures changed."),
        Outcome.UNCHANGED: _("%(rule)s: nothing changed since the last computation."),
        Outcome.PUBLISHED: _("%(rule)s: already published; re-open it to compute a new version."),
    }[outcome] % {"rule": name}


@role_required(Role.ADMIN)
@require_POST
def compute(request):
    campaign = _campaign(request)
    form = ComputeForm(request.POST)
    week = None
    if not form.is_valid():
        messages.error(request, " ".join(form.non_field_errors()) or _("Choose a week or the final ranking."))
        return redirect(f"{reverse('awards:index')}?campaign={campaign.code}")
    number = form.cleaned_data["week"]
    try:
        if number:
            week = _week(campaign, number)
        computed = compute_rankings(campaign=campaign, week_number=number or None, final=not number)
    except DomainError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(_scope_url(campaign, week))
    if not computed:
        messages.warning(request, _("No active award rule applies here; add one in the rules."))
    for item in computed:
        messages.add_message(request, _OUTCOME_MESSAGES[item.outcome], _outcome_text(item.outcome, item.rule.name))
    return redirect(_scope_url(campaign, week))


@role_required(Role.ADMIN)
@require_POST
def publish(request, pk: int):
    ranking = get_object_or_404(Ranking.objects.select_related("rule", "campaign", "week"), pk=pk)
    form = PublishForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(_("Open the draft again, then publish."))
        publish_ranking(ranking=ranking, user=request.user, expected_fingerprint=form.cleaned_data["fingerprint"])
    except DomainError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(rule)s is published; it will not change.") % {"rule": ranking.rule.name})
    return redirect(_scope_url(ranking.campaign, ranking.week))


@role_required(Role.ADMIN)
def reopen(request, pk: int):
    ranking = get_object_or_404(Ranking.objects.select_related("rule", "campaign", "week"), pk=pk)
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            draft = reopen_ranking(ranking=ranking, user=request.user, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            for field_name, errors in exc.errors.items():
                for message in errors:
                    form.add_error("reason" if field_name == "reason" else None, message)
        else:
            messages.success(
                request,
                _("Version %(version)s is open as a draft; version %(old)s stays in force until you publish it.")
                % {"version": draft.version, "old": ranking.version},
            )
            return redirect("awards:detail", draft.pk)
    return render(request, "awards/reopen.html", {"ranking": ranking, "form": form}, status=400 if form.errors else 200)
