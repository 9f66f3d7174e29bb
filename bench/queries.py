"""The raw SQL that the benchmarks time beside the app's paths: each path's main query, without the app."""

# The GROUP BY of dashboard.progress.queries.added_by_commune, as the ORM writes it (COUNTED, the
# commune's baseline of the campaign, collected from the baseline's date to today): the main query
# of the provincial dashboard and of the progress API.
ADDED_BY_COMMUNE = """
SELECT p.commune_id, e.product,
       COUNT(DISTINCT e.participant_id),
       COUNT(DISTINCT e.participant_id) FILTER (WHERE e.collected_on >= %(first_day)s)
FROM enrollments_enrollment e
JOIN enrollments_participant p ON p.id = e.participant_id
JOIN campaign_coveragebaseline b ON b.commune_id = p.commune_id
WHERE e.status = 'recorded' AND e.classification IN ('new', 'rejoin')
  AND e.campaign_id = %(campaign)s AND b.campaign_id = %(campaign)s
  AND e.collected_on >= b.as_of AND e.collected_on <= %(today)s
GROUP BY p.commune_id, e.product
"""

# The GROUP BY of awards.selectors.numbers._grouped_counts: agency, officer and product over the
# not-cancelled enrollments of a week (``week`` NULL: the whole campaign, the final ranking).
RANKINGS = """
SELECT agency_id, collector_id, product,
       COUNT(id) FILTER (WHERE classification IN ('new', 'rejoin') AND recorded_at < %(cutoff)s),
       SUM(amount_payable) FILTER (WHERE classification IN ('new', 'rejoin') AND recorded_at < %(cutoff)s),
       MAX(recorded_at) FILTER (WHERE classification IN ('new', 'rejoin') AND recorded_at < %(cutoff)s),
       COUNT(id) FILTER (WHERE classification = 'renewal' AND recorded_at < %(cutoff)s),
       SUM(amount_payable) FILTER (WHERE classification = 'renewal' AND recorded_at < %(cutoff)s),
       COUNT(id) FILTER (WHERE classification IN ('new', 'rejoin') AND recorded_at >= %(cutoff)s)
FROM enrollments_enrollment
WHERE campaign_id = %(campaign)s AND (%(week)s::bigint IS NULL OR week_id = %(week)s) AND status = 'recorded'
GROUP BY agency_id, collector_id, product
"""


def added_by_commune_params(campaign, today) -> dict:
    from dashboard.progress.queries import window_of

    window = window_of(campaign, today)
    return {"first_day": window.first_day, "campaign": campaign.pk, "today": window.today}


def rankings_params(campaign, week) -> dict:
    """``week`` None: the final ranking (cut at the campaign's final cut-off)."""
    cutoff = week.cutoff if week is not None else campaign.final_cutoff
    return {"cutoff": cutoff, "campaign": campaign.pk, "week": week.pk if week is not None else None}
