"""Secrets in :class:`~reactops.testing.Harness`: other owners' secrets, granted to the
charm or not, and the events Juju sends about secrets."""

from __future__ import annotations

from collections.abc import Mapping

from ..model import Application, Unit
from ..model._secrets import _validate_content
from ._backend import _unique
from ._harness_base import CharmType, _HarnessBase
from ._harness_support import _ForeignSecret, _name_of
from ._state import Secret


class _HarnessSecrets(_HarnessBase[CharmType]):
    """The Harness's secret methods (mixed into :class:`~reactops.testing.Harness`)."""

    def add_model_secret(self, owner: str | Application | Unit,
                         content: Mapping[str, str]) -> str:
        """A secret owned by a remote application (or unit); return its id. The charm
        sees it once :meth:`grant_secret` grants it to this app or unit."""
        name = _name_of(owner)
        if name in (self._app_name, self._unit_name):
            raise ValueError('the charm under test creates its own secrets '
                             '(self.app.add_secret); add_model_secret is for other owners')
        return self._add_foreign(name, content)

    def add_user_secret(self, content: Mapping[str, str]) -> str:
        """A secret the operator added (``juju add-secret``); return its id."""
        return self._add_foreign(self._state.model.uuid, content)

    def set_secret_content(self, secret_id: str, content: Mapping[str, str]) -> None:
        """Add a revision to a secret the charm does not own; emit secret-changed if the
        charm can see it."""
        foreign = self._foreign_secret(secret_id, 'set_secret_content')
        foreign.revisions.append(_validate_content(dict(content)))
        secret = self._visible(foreign.id)
        if secret is not None:
            self._put_secret(secret.replace(latest_content=foreign.revisions[-1],
                                            revision=len(foreign.revisions)))
            self._emit('secret_changed', secret.id, secret.label)

    def grant_secret(self, secret_id: str, observer: str | Application | Unit) -> None:
        """Let *observer* (an app or unit) read a secret the charm does not own; granted
        to this app or unit, the charm sees it."""
        foreign = self._foreign_secret(secret_id, 'grant_secret')
        foreign.grants.setdefault(self._grant_key(foreign), set()).add(_name_of(observer))
        self._show(foreign)

    def revoke_secret(self, secret_id: str, observer: str | Application | Unit) -> None:
        """Withdraw a grant made with :meth:`grant_secret`."""
        foreign = self._foreign_secret(secret_id, 'revoke_secret')
        foreign.grants.get(self._grant_key(foreign), set()).discard(_name_of(observer))
        self._show(foreign)

    def get_secret_grants(self, secret_id: str, relation_id: int) -> set[str]:
        """The apps and units a secret is granted to through a relation."""
        foreign = self._foreign.get(secret_id)
        if foreign is not None:
            return set(foreign.grants.get(relation_id, ()))
        return set(self._owned(secret_id, 'get_secret_grants').remote_grants.get(relation_id,
                                                                                 ()))

    def get_secret_revisions(self, secret_id: str) -> list[int]:
        """The revisions of a secret, oldest first."""
        foreign = self._foreign.get(secret_id)
        count = len(foreign.revisions) if foreign is not None else \
            self._owned(secret_id, 'get_secret_revisions').revision
        return list(range(1, count + 1))

    def trigger_secret_rotation(self, secret_id: str, *, label: str | None = None) -> None:
        """Emit secret-rotate for a secret the charm owns."""
        secret = self._owned(secret_id, 'trigger_secret_rotation')
        self._emit('secret_rotate', secret.id, label or secret.label)

    def trigger_secret_removal(self, secret_id: str, revision: int, *,
                               label: str | None = None) -> None:
        """Emit secret-remove for a revision of a secret the charm owns."""
        secret = self._owned(secret_id, 'trigger_secret_removal')
        self._emit('secret_remove', secret.id, label or secret.label, revision)

    def trigger_secret_expiration(self, secret_id: str, revision: int, *,
                                  label: str | None = None) -> None:
        """Emit secret-expired for a revision of a secret the charm owns."""
        secret = self._owned(secret_id, 'trigger_secret_expiration')
        self._emit('secret_expired', secret.id, label or secret.label, revision)

    def _add_foreign(self, owner: str, content: Mapping[str, str]) -> str:
        secret_id = Secret(tracked_content={}).id
        self._foreign[secret_id] = _ForeignSecret(secret_id, owner,
                                                  [_validate_content(dict(content))])
        return secret_id

    def _foreign_secret(self, secret_id: str, what: str) -> _ForeignSecret:
        foreign = self._foreign.get(secret_id)
        if foreign is None:
            raise RuntimeError(f'{what}: secret {secret_id!r} is not one added with '
                               f'add_model_secret or add_user_secret (a secret the charm '
                               f'owns is changed by the charm)')
        return foreign

    def _grant_key(self, foreign: _ForeignSecret) -> int | None:
        if foreign.owner == self._state.model.uuid:
            return None  # a user secret is granted without a relation
        owner_app = foreign.owner.split('/')[0]
        for relation in sorted(self._sync().relations, key=lambda r: r.id):
            if self._remote_app(relation) == owner_app:
                return relation.id
        raise RuntimeError(f'no relation between {self._app_name} and the secret owner '
                           f'{owner_app}: Juju grants a secret over a relation; add one')

    def _visible(self, secret_id: str) -> Secret | None:
        wanted = _unique(secret_id)
        return next((s for s in self._sync().secrets if _unique(s.id) == wanted), None)

    def _owned(self, secret_id: str, what: str) -> Secret:
        secret = self._visible(secret_id)
        if secret is None or secret.owner is None:
            raise RuntimeError(f'{what}: {secret_id!r} is not a secret the charm owns (Juju '
                               f'sends rotate, expired and remove events to the owner only)')
        return secret

    def _put_secret(self, secret: Secret) -> None:
        state = self._sync()
        self._set_world(state.replace(secrets=[
            *(s for s in state.secrets if s.id != secret.id), secret]))

    def _show(self, foreign: _ForeignSecret) -> None:
        """Put the secret in the charm's view while it is granted to this app or unit."""
        granted = any({self._app_name, self._unit_name} & names
                      for names in foreign.grants.values())
        secret = self._visible(foreign.id)
        state = self._sync()
        if granted and secret is None:
            self._put_secret(Secret(tracked_content=foreign.revisions[-1], id=foreign.id,
                                    revision=len(foreign.revisions)))
        elif not granted and secret is not None:
            self._set_world(state.replace(secrets=[s for s in state.secrets
                                                   if s.id != secret.id]))
