"""The request/response interface pattern of charms.reactive, on reactops' Endpoint.

A requiring side publishes *requests* (one relation key ``request_<id>`` per request, a
JSON object of its fields); the providing side answers each with a *response* (key
``response_<id>`` on the same relation). Subclasses declare their fields with
:class:`Field`::

    class CertResponse(BaseResponse):
        cert = Field('the signed certificate')

    class CertRequest(BaseRequest):
        RESPONSE_CLASS = CertResponse
        common_name = Field('CN of the certificate')

    class CertRequires(RequesterEndpoint):
        REQUEST_CLASS = CertRequest

Flags kept every hook: ``endpoint.<n>.has_responses`` / ``.all_responses`` on the
requesting side, ``.has_requests`` / ``.new_requests`` on the responding side.
"""

from __future__ import annotations

import uuid
import weakref
from typing import Any, ClassVar

from ....reactive.endpoint import Endpoint
from ....reactive.flags import toggle_flag

__all__ = ['BaseRequest', 'BaseResponse', 'Field', 'FieldFinders', 'FieldHolderDictProxy',
           'RequesterEndpoint', 'ResponderEndpoint', 'SetNameBackport']


class SetNameBackport(type):
    """The metaclass of requests and responses (charms.reactive's name; Python itself
    calls ``__set_name__`` on their fields, so it adds nothing)."""


class Field(property):
    """A field of a request or response, stored in the relation as JSON."""

    def __init__(self, description: str):
        super().__init__()
        self.__doc__ = description
        self.name = ''
        self.owner = ''

    def __set_name__(self, owner: type, name: str) -> None:
        self.name, self.owner = name, owner.__name__

    def __repr__(self) -> str:
        return f'<Field {self.owner}.{self.name}>'

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self  # on the class: the Field itself, so classes can be inspected
        return instance._get_field(self.name)

    def __set__(self, instance: Any, value: Any) -> None:
        instance._update_field(self.name, value)


def _field_names(cls: type) -> list[str]:
    return [name for name in dir(cls) if isinstance(getattr(cls, name, None), Field)]


class FieldHolderDictProxy(dict[str, Any]):
    """A request or response, also a dict of its fields (for easy serialisation)."""

    def _init_fields(self) -> None:
        self.update({name: getattr(self, name) for name in _field_names(type(self))})

    def _get_field(self, name: str) -> Any:
        raise NotImplementedError

    def _update_field(self, name: str, value: Any) -> None:
        self[name] = value


class BaseRequest(FieldHolderDictProxy, metaclass=SetNameBackport):
    """A request; subclasses set ``RESPONSE_CLASS`` and declare :class:`Field` s."""

    RESPONSE_CLASS: ClassVar[type[BaseResponse] | None] = None
    request_id = Field("the request's id (a UUID, made by create())")
    #: The answer to this request, once there is one.
    response: BaseResponse | None = None
    _cache: ClassVar[dict[str, BaseRequest]] = {}

    @classmethod
    def _load(cls, sources: Any) -> None:
        """Load the requests (and their responses) from relations (the requesting side)
        or remote units (the responding side)."""
        cls._cache = {}  # one cache per subclass, refreshed for each endpoint
        for source in sources:
            data = source.to_publish if hasattr(source, 'to_publish') else source.received
            for key in list(data.keys()):
                if not key.startswith('request_'):
                    continue
                fields = data[key] or {}
                request = cls(source, str(fields.get('request_id') or key[len('request_'):]))
                assert cls.RESPONSE_CLASS is not None
                request.response = cls.RESPONSE_CLASS._load(request)
                cls._cache[request.request_id] = request

    @classmethod
    def create(cls, relation: Any, **fields: Any) -> BaseRequest:
        """A new request on *relation*, with *fields* filled in."""
        request_id = str(fields.setdefault('request_id', str(uuid.uuid4())))
        relation.to_publish[f'request_{request_id}'] = fields
        cls._cache[request_id] = cls(relation, request_id)
        return cls._cache[request_id]

    @classmethod
    def get(cls, request_id: str) -> BaseRequest | None:  # type: ignore[override]
        """The request with this id."""
        return cls._cache.get(request_id)

    @classmethod
    def get_all(cls) -> list[BaseRequest]:
        """Every request, ordered by id."""
        return sorted(cls._cache.values(), key=lambda r: r._id)

    @classmethod
    def find_all(cls, **fields: Any) -> list[BaseRequest]:
        """The requests whose fields have these values."""
        return [r for r in cls._cache.values()
                if all(getattr(r, name) == value for name, value in fields.items())]

    @classmethod
    def find(cls, relation: Any = None, **fields: Any) -> BaseRequest | None:
        """The first request whose fields have these values (on *relation*, if given)."""
        for request in cls.find_all(**fields):
            if relation is None or request._source is relation:
                return request
        return None

    @classmethod
    def create_or_update(cls, match_fields: list[str], relation: Any,
                         **fields: Any) -> BaseRequest:
        """Update the request matching *fields* on *match_fields*, or create one."""
        request = cls.find(relation, **{name: fields[name] for name in match_fields})
        if request is None:
            return cls.create(relation, **fields)
        for name, value in fields.items():
            request._update_field(name, value)
        return request

    def __init__(self, source: Any, request_id: str):
        super().__init__()
        if self.RESPONSE_CLASS is None:
            raise TypeError(f'{type(self).__name__} must set RESPONSE_CLASS to a '
                            'BaseResponse subclass')
        self._id = request_id
        self._source = source
        self.response = None
        self._data = source.received if self.is_received else source.to_publish
        self._init_fields()

    def __repr__(self) -> str:
        return f'<{type(self).__name__} {self._id}>'

    @property
    def _key(self) -> str:
        return f'request_{self._id}'

    @property
    def is_created(self) -> bool:
        """Whether this side made the request."""
        return hasattr(self._source, 'to_publish')

    @property
    def is_received(self) -> bool:
        """Whether the other side made the request."""
        return not self.is_created

    def create_response(self, **fields: Any) -> BaseResponse:
        """Answer the request (the responding side); also ``request.response``."""
        assert self.RESPONSE_CLASS is not None
        self.response = self.RESPONSE_CLASS.create(self, **fields)
        return self.response

    respond = create_response

    def _get_field(self, name: str) -> Any:
        if name == 'request_id' and self._key not in self._data:
            return self._id
        return (self._data[self._key] or {}).get(name)

    def _update_field(self, name: str, value: Any) -> None:
        if self.is_received:
            raise AttributeError(f'cannot change field {name!r} of a received request')
        if name == 'request_id':
            raise AttributeError('request_id cannot be changed')
        data = dict(self._data[self._key] or {})
        data[name] = value
        self._data[self._key] = data  # the view returns copies: write the whole object
        super()._update_field(name, value)

    @property
    def ingress_address(self) -> Any:
        """Where the requester is reached."""
        return self._data['ingress-address']

    @property
    def egress_subnets(self) -> Any:
        """Where the requester's traffic comes from."""
        return self._data['egress-subnets']


class BaseResponse(FieldHolderDictProxy, metaclass=SetNameBackport):
    """A response to a request; subclasses declare :class:`Field` s."""

    #: The request answered (a weak reference: the request owns its response).
    request: Any = None

    @classmethod
    def _load(cls, request: BaseRequest) -> BaseResponse | None:
        response = cls(request)
        return response if response._key in response._data.keys() else None

    @classmethod
    def create(cls, request: BaseRequest, **fields: Any) -> BaseResponse:
        """Answer *request* with *fields*."""
        if request.is_created:
            raise ValueError('cannot respond to a request this side made')
        request._source.relation.to_publish[f'response_{request.request_id}'] = fields
        response = cls(request)
        request.response = response
        return response

    def __init__(self, request: BaseRequest):
        super().__init__()
        self.request = weakref.proxy(request)
        self._key = f'response_{request.request_id}'
        self._data: Any = {}
        if request.is_received:
            self._data = request._source.relation.to_publish
        else:
            for unit in request._source.joined_units:
                if self._key in unit.received.keys():
                    self._data = unit.received
                    break
        self._init_fields()

    def __repr__(self) -> str:
        return f'<{type(self).__name__} {self._key}>'

    @property
    def is_received(self) -> bool:
        """Whether the other side made this response."""
        return bool(self.request.is_created)

    def _get_field(self, name: str) -> Any:
        value = self._data[self._key] if self._key in self._data.keys() else None
        return (value or {}).get(name)

    def _update_field(self, name: str, value: Any) -> None:
        if self.is_received:
            raise AttributeError(f'cannot change field {name!r} of a received response')
        data = dict(self._data[self._key] or {})
        data[name] = value
        self._data[self._key] = data
        super()._update_field(name, value)


class FieldFinders(type):
    """Adds ``response_by_<field>(value, relation=None)`` for each request field."""

    def __init__(cls, name: str, bases: tuple[type, ...], namespace: dict[str, Any]):
        super().__init__(name, bases, namespace)
        request_class = namespace.get('REQUEST_CLASS') or getattr(cls, 'REQUEST_CLASS', None)
        for field in _field_names(request_class) if request_class else []:
            setattr(cls, f'response_by_{field}', _finder(field))


def _finder(field: str) -> Any:
    def find(self: RequesterEndpoint, value: Any, relation: Any = None) -> Any:
        return self.response_by_field(relation=relation, **{field: value})
    find.__name__ = f'response_by_{field}'
    find.__doc__ = f'The response to the request whose {field} is *value*.'
    return find


class RequesterEndpoint(Endpoint, metaclass=FieldFinders):
    """An Endpoint that makes requests; subclasses set ``REQUEST_CLASS``."""

    REQUEST_CLASS: ClassVar[type[BaseRequest] | None] = None

    def __init__(self, *args: Any, **kwargs: Any):
        if self.REQUEST_CLASS is None:
            raise TypeError(f'{type(self).__name__} must set REQUEST_CLASS')
        super().__init__(*args, **kwargs)
        self.REQUEST_CLASS._load(self.relations)

    def _manage_flags(self, own_hook: str, relation_id: int | None) -> None:
        super()._manage_flags(own_hook, relation_id)
        toggle_flag(self.expand_name('has_responses'), bool(self.responses))
        toggle_flag(self.expand_name('all_responses'),
                    len(self.responses) == len(self.requests))

    @property
    def requests(self) -> list[BaseRequest]:
        """Every request made."""
        assert self.REQUEST_CLASS is not None
        return self.REQUEST_CLASS.get_all()

    @property
    def responses(self) -> list[BaseResponse]:
        """Every response received."""
        return [r.response for r in self.requests if r.response is not None]

    def response_by_field(self, relation: Any = None, **fields: Any) -> BaseResponse | None:
        """The response to the request with these field values."""
        assert self.REQUEST_CLASS is not None
        request = self.REQUEST_CLASS.find(relation=relation, **fields)
        return request.response if request is not None else None


class ResponderEndpoint(Endpoint):
    """An Endpoint that answers requests; subclasses set ``REQUEST_CLASS``."""

    REQUEST_CLASS: ClassVar[type[BaseRequest] | None] = None

    def __init__(self, *args: Any, **kwargs: Any):
        if self.REQUEST_CLASS is None:
            raise TypeError(f'{type(self).__name__} must set REQUEST_CLASS')
        super().__init__(*args, **kwargs)
        self.REQUEST_CLASS._load(self.all_joined_units)

    def _manage_flags(self, own_hook: str, relation_id: int | None) -> None:
        super()._manage_flags(own_hook, relation_id)
        toggle_flag(self.expand_name('has_requests'), bool(self.all_requests))
        toggle_flag(self.expand_name('new_requests'), bool(self.new_requests))

    @property
    def all_requests(self) -> list[BaseRequest]:
        """Every request received, answered or not."""
        assert self.REQUEST_CLASS is not None
        return self.REQUEST_CLASS.get_all()

    @property
    def new_requests(self) -> list[BaseRequest]:
        """The requests not answered yet."""
        return [r for r in self.all_requests if r.response is None]
