"""Every operation of the JSON API declares who may call it, as every page does (dashboard/tests/test_access.py)."""

from collectors.api_auth import BearerTokenAuth, SessionAuth
from collectors.roles import ALL_ROLES, PUBLIC, Role
from config.api import api

# (method, path) → the roles allowed, or PUBLIC. A new operation must be added here on purpose.
EXPECTED_RULES = {
    ("GET", "/health"): PUBLIC,
    ("GET", "/quote"): ALL_ROLES,
    ("GET", "/participants/{cccd}/status"): ALL_ROLES,
    ("GET", "/enrollments"): ALL_ROLES,
    ("GET", "/renewals"): ALL_ROLES,
    ("POST", "/enrollments"): frozenset({Role.OFFICER}),
    ("POST", "/households"): frozenset({Role.OFFICER}),
    ("GET", "/campaigns/{code}/rankings"): ALL_ROLES,
    ("GET", "/campaigns/{code}/progress"): ALL_ROLES,
}


def _operations():
    for router in api._get_bound_routers():
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    yield method, "/" + (router.prefix.strip("/") + path).strip("/"), operation


def _rule(operation):
    """The operation's own rule: PUBLIC for ``auth=None`` on a ``@public`` view, else its roles; None if implicit."""
    if operation.auth_param is None:
        return PUBLIC if getattr(operation.view_func, "allowed_roles", None) == PUBLIC else None
    if not isinstance(operation.auth_param, list | tuple) or not operation.auth_param:
        return None  # inherited from the API's default, not declared
    roles = {getattr(callback, "allowed_roles", None) for callback in operation.auth_param}
    return roles.pop() if len(roles) == 1 else None


def test_every_api_operation_declares_its_auth_rule():
    found = {(method, path): _rule(operation) for method, path, operation in _operations()}
    undeclared = sorted(key for key, rule in found.items() if rule is None)
    assert undeclared == []
    assert found == EXPECTED_RULES


def test_every_protected_operation_takes_a_token_or_a_session():
    for _method, _path, operation in _operations():
        if operation.auth_param is None:
            continue
        kinds = {type(callback) for callback in operation.auth_param}
        assert kinds == {BearerTokenAuth, SessionAuth}


def test_the_api_default_still_requires_a_role():
    """Defence in depth: an operation that forgot its rule would still need a signed-in role."""
    assert {getattr(callback, "allowed_roles", None) for callback in api.auth} == {ALL_ROLES}
