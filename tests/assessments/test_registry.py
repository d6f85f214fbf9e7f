"""The one registry base every extension point uses."""

from dataclasses import dataclass

import pytest

from assessments.registry import AlreadyRegistered, NotRegistered, Registry


@dataclass(frozen=True)
class Entry:
    key: str
    order: int = 0


class Ordered(Registry[Entry]):
    what = "widget"

    def sort_key(self, entry):
        return (entry.order, entry.key)


def test_register_lists_in_order_and_refuses_a_taken_key():
    registry = Ordered([Entry("b", 2), Entry("a", 1)])
    assert registry.keys() == ["a", "b"]
    assert "a" in registry and len(registry) == 2
    with pytest.raises(AlreadyRegistered, match="A widget named 'a' is registered"):
        registry.register(Entry("a", 9))
    # Callers written against the older registries still catch what they caught.
    with pytest.raises(ValueError):
        registry.register(Entry("a"))


def test_get_and_unregister_name_what_is_missing():
    registry = Registry[Entry](what="record section")
    with pytest.raises(NotRegistered, match="No record section named 'x'"):
        registry.get("x")
    with pytest.raises(LookupError):
        registry.unregister("x")
    assert [] not in registry  # an unhashable key is simply absent


def test_temporarily_leaves_nothing_behind_even_on_error():
    registry = Registry[Entry]()
    with pytest.raises(RuntimeError), registry.temporarily(Entry("t")):
        assert registry.get("t") == Entry("t")
        raise RuntimeError
    assert "t" not in registry


def test_code_is_the_key_when_there_is_no_key():
    @dataclass(frozen=True)
    class Coded:
        code: str

    registry = Registry[Coded]([Coded("nprs")])
    assert registry.get("nprs") == Coded("nprs")
