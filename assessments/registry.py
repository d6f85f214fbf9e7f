"""One registry for every extension point: templates, measures, rule sets, intervention
kinds, record sections, patient markers, demo seeders, backed-up apps.

    class KindRegistry(Registry[InterventionKind]):
        what = "intervention kind"

    kinds = KindRegistry()
    kinds.register(DRY_NEEDLING)          # AlreadyRegistered if its key is taken
    with kinds.temporarily(SOME_KIND):    # tests: registered for the block only
        ...
    kinds.unregister("dry_needling")      # NotRegistered if it is not there

Entries are kept by `key_of(entry)` (the entry's `key`, else its `code`), in registration
order unless a subclass's `sort_key` orders them. Registries are filled by an app's
`AppConfig.ready()`, never as a side effect of importing a module, so a test that
imports a module first finds the same registry as a running clinic.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")


class AlreadyRegistered(ImproperlyConfigured, ValueError):
    """A second entry under a key already taken: two apps disagree, so it fails loudly."""


class NotRegistered(ImproperlyConfigured, LookupError):
    """No entry under that key."""


class Registry(Generic[T]):
    what = "entry"  # in messages: "A record section named 'progress' is registered."

    def __init__(self, initial: Iterable[T] = (), *, what: str | None = None) -> None:
        self._entries: dict[str, T] = {}
        if what is not None:
            self.what = what
        for entry in initial:
            self.register(entry)

    def key_of(self, entry: T) -> str:
        key = getattr(entry, "key", None)
        return key if key is not None else entry.code  # type: ignore[attr-defined]

    def sort_key(self, entry: T) -> Any:
        """How entries are listed; registration order unless a subclass says otherwise."""
        return 0

    def check(self, entry: T) -> None:
        """Refuse an entry that cannot work (raise); a subclass's own rules."""

    def register(self, entry: T) -> T:
        key = self.key_of(entry)
        if key in self._entries:
            raise AlreadyRegistered(f"A {self.what} named {key!r} is registered.")
        self.check(entry)
        self._entries[key] = entry
        return entry

    def unregister(self, key: str) -> None:
        if key not in self._entries:
            raise NotRegistered(f"No {self.what} named {key!r} is registered.")
        del self._entries[key]

    def get(self, key: str) -> T:
        try:
            return self._entries[key]
        except (KeyError, TypeError):
            raise NotRegistered(f"No {self.what} named {key!r} is registered.") from None

    def __contains__(self, key: object) -> bool:
        try:
            return key in self._entries
        except TypeError:  # an unhashable key is in no registry
            return False

    def __iter__(self) -> Iterator[T]:
        return iter(sorted(self._entries.values(), key=self.sort_key))

    def __len__(self) -> int:
        return len(self._entries)

    def keys(self) -> list[str]:
        return [self.key_of(entry) for entry in self]

    def all(self) -> list[T]:
        return list(self)

    @contextmanager
    def temporarily(self, entry: T) -> Iterator[T]:
        """Register an entry for the length of a block (tests): nothing leaks."""
        self.register(entry)
        try:
            yield entry
        finally:
            self.unregister(self.key_of(entry))
