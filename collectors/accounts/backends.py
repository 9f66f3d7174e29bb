from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class AccountBackend(ModelBackend):
    """Django's model backend, loading the user's session epoch in the same query.

    Every signed-in request compares its session's epoch with the user's
    (collectors.accounts.sessions); joining it here keeps that check free of an extra query.
    """

    def get_user(self, user_id):
        user = get_user_model()._default_manager.filter(pk=user_id).select_related("session_epoch").first()
        return user if user is not None and self.user_can_authenticate(user) else None
