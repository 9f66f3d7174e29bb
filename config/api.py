"""The JSON API under /api/v1/: one NinjaAPI, with a router per app."""

from ninja import NinjaAPI

api = NinjaAPI(title="BHXH campaign API", version="1", urls_namespace="api")
