"""With the shared cache (Redis) unreachable, the live standings are computed without it (issue 10, fault 4)."""

from datetime import date

from django.test import override_settings
from django.urls import reverse

from awards.tests.factories import AwardRuleFactory
from campaign.models import Product
from collectors.roles import Role
from collectors.tests.factories import UserFactory
from collectors.tokens import issue_api_token

# Nothing listens on port 1: every cache call fails with a connection error at once.
UNREACHABLE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


def test_the_live_page_and_the_provisional_api_answer_with_redis_down(client, world, settings):
    AwardRuleFactory(campaign=world.campaign)
    world.record("CB-A1", Product.BHXH_TN, on=date(2025, 11, 20))
    settings.APP_TODAY = date(2025, 11, 21)
    admin = UserFactory(role=Role.ADMIN)
    _token, raw = issue_api_token(user=admin, name="t")
    with override_settings(CACHES=UNREACHABLE):
        client.force_login(admin)
        page = client.get(reverse("awards:live"))
        assert page.status_code == 200 and "AG-A" in page.content.decode()
        api = client.get(
            f"/api/v1/campaigns/{world.campaign.code}/rankings",
            {"week": 2, "provisional": 1},
            headers={"Authorization": f"Bearer {raw}"},
        )
        assert api.status_code == 200
        assert api.json()["rankings"][0]["entries"][0]["code"] == "AG-A"
