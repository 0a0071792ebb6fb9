"""Secrets in :class:`~reactops.testing.Harness`: secrets of other owners (a remote
application or unit, or the user), their grants, and the events Juju sends about them."""

from __future__ import annotations

from collections.abc import Mapping

from ..model._secrets import _validate_content
from ._harness_base import AppUnitOrName, CharmType, _HarnessBase
from ._harness_support import _name_of
from ._harness_world import _Secret


class _HarnessSecrets(_HarnessBase[CharmType]):
    """The Harness's secret methods (mixed into :class:`~reactops.testing.Harness`)."""

    def add_model_secret(self, owner: AppUnitOrName, content: Mapping[str, str]) -> str:
        """A secret owned by a remote application (or unit); return its id. The charm may
        read it once :meth:`grant_secret` grants it to this app or unit."""
        _validate_content(dict(content))
        return self._backend._add_secret(_name_of(owner), content)

    def add_user_secret(self, content: Mapping[str, str]) -> str:
        """A secret the operator added (``juju add-secret``; the model owns it); return
        its id. The charm may read it once :meth:`grant_secret` grants it to this app."""
        _validate_content(dict(content))
        return self._backend._add_secret(self._backend.model_uuid, content)

    def set_secret_content(self, secret_id: str, content: Mapping[str, str]) -> None:
        """Add a revision to a secret the charm does not own; emit secret-changed."""
        _validate_content(dict(content))
        secret = self._secret(secret_id)
        self._not_ours(secret, 'set_secret_content')
        secret.revisions.append((secret.revisions[-1][0] + 1, dict(content)))
        self._emit('secret_changed', secret_id, secret.label)

    def grant_secret(self, secret_id: str, observer: AppUnitOrName) -> None:
        """Let *observer* (an application or unit) read a secret the charm does not own: a
        user secret directly, a remote one over the relation with its owner."""
        secret = self._secret(secret_id)
        name = _name_of(observer)
        if secret.owner == self._backend.model_uuid:
            secret.user_grants.add(name)
            return
        self._not_ours(secret, 'grant_secret')
        secret.grants.setdefault(self._relation_to_owner(secret), set()).add(name)

    def revoke_secret(self, secret_id: str, observer: AppUnitOrName) -> None:
        """Withdraw a grant made with :meth:`grant_secret` (nothing if there is none)."""
        secret = self._secret(secret_id)
        name = _name_of(observer)
        if secret.owner == self._backend.model_uuid:
            secret.user_grants.discard(name)
            return
        self._not_ours(secret, 'revoke_secret')
        secret.grants.get(self._relation_to_owner(secret), set()).discard(name)

    def get_secret_grants(self, secret_id: str, relation_id: int) -> set[str]:
        """The applications and units a secret is granted to over a relation."""
        return set(self._secret(secret_id).grants.get(relation_id, set()))

    def get_secret_revisions(self, secret_id: str) -> list[int]:
        """The revision numbers of a secret, oldest first."""
        return [number for number, _ in self._secret(secret_id).revisions]

    def trigger_secret_rotation(self, secret_id: str, *, label: str | None = None) -> None:
        """Emit secret-rotate (Juju sends it when the rotation time comes)."""
        secret = self._secret(secret_id)
        if secret.owner == self._backend.model_uuid:
            raise RuntimeError('cannot trigger the secret-rotate event for a user secret')
        self._emit('secret_rotate', secret_id, secret.label if label is None else label)

    def trigger_secret_removal(self, secret_id: str, revision: int, *,
                               label: str | None = None) -> None:
        """Emit secret-remove for *revision* (Juju sends it once no observer tracks it)."""
        secret = self._secret(secret_id)
        self._emit('secret_remove', secret_id, secret.label if label is None else label,
                   revision)

    def trigger_secret_expiration(self, secret_id: str, revision: int, *,
                                  label: str | None = None) -> None:
        """Emit secret-expired for *revision* (Juju sends it when the expiry comes)."""
        secret = self._secret(secret_id)
        if secret.owner == self._backend.model_uuid:
            raise RuntimeError('cannot trigger the secret-expired event for a user secret')
        self._emit('secret_expired', secret_id, secret.label if label is None else label,
                   revision)

    def _secret(self, secret_id: str) -> _Secret:
        secret = self._backend._find_secret(secret_id)
        if secret is None:
            raise RuntimeError(f'secret {secret_id!r} not found')
        return secret

    def _not_ours(self, secret: _Secret, what: str) -> None:
        if secret.owner in (self._app_name, self._unit_name):
            raise RuntimeError(f"secret {secret.id!r} is owned by the charm under test, "
                               f"can't call {what}")

    def _relation_to_owner(self, secret: _Secret) -> int:
        owner_app = secret.owner.split('/')[0]
        for relation in self._backend.relations.values():
            if relation.remote_app == owner_app:
                return relation.id
        raise RuntimeError(f'no relation between this charm ({self._app_name}) and the '
                           f'secret owner ({owner_app}): Juju grants a secret over one')
