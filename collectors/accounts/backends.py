from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class AccountBackend(ModelBackend):
    """Django's model backend, loading the user's session epoch and posting in the same query.

    Every signed-in request compares its session's epoch with the user's
    (collectors.accounts.sessions), and staff pages keep to the province of the posting
    (collectors.scoping.province_of); joining both here keeps them free of an extra query.
    """

    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("session_epoch", "posting__province")
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
