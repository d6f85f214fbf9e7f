"""The reasoning engine: rule sets, one per template, and what they suggest.

A rule set names its template, the pain sources its rules point to (with the
interventions each suggests), its red-flag groups and its rules. Each rule adds a weight
to one or more sources; a source's score is the sum, and the sources with a positive
score are listed, highest first, ties in the rule set's order. A red flag (any
red-flag item of a group answered yes) overrides every suggestion: sources are still
listed, for their reasons, but no intervention is suggested. The red-flag items come
from the template, where each carries its group.

Rule sets are registered in ``rulesets`` by an app's ``AppConfig.ready()``:

    rulesets.register(RuleSet(template_code="low_back_pain", sources=..., ...))
    rulesets.get("buttock_pain").suggest(findings)

A source or red-flag group code means one thing whichever rule set names it: a second
rule set may share a code only with the same label (and group, the same urgency and
action), so a working diagnosis, a report row or a FHIR Condition reads its label
from the code alone.

Decision support only: the clinician confirms the working diagnosis.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from assessments.definitions import ItemType, Template, templates, validate_answers
from assessments.registry import Registry

Findings = Mapping[str, object]

DISCLAIMER = "Decision support only: the clinician confirms the working diagnosis."
CLINIC_GUIDANCE = "clinic guidance"


@dataclass(frozen=True)
class Effect:
    source: str
    weight: int


@dataclass(frozen=True)
class Rule:
    code: str
    origin: str
    effects: tuple[Effect, ...]
    applies: Callable[[Findings], bool]
    reason: Callable[[Findings], str]


@dataclass(frozen=True)
class RedFlagGroup:
    """What a yes to any red-flag item of the group means: the referral to make."""

    code: str
    label: str
    urgency: str  # "urgent" or "emergency"
    action: str


@dataclass(frozen=True)
class Suggestion:
    code: str
    score: int
    reasons: list[str]
    rules: list[str]
    interventions: list[str]
    # Findings that made this source less likely, for the clinician to weigh.
    against: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return rulesets.source_label(self.code)


@dataclass(frozen=True)
class Result:
    urgency: str
    red_flags: list[str]
    red_flag_items: list[str]
    action: str
    sources: list[Suggestion]
    disclaimer: str = DISCLAIMER


def measures_left_out(template: Template, answers: Mapping[str, object]) -> dict[str, object]:
    """The findings among a template's answers: the measures are scored, not reasoned on."""
    return {
        code: value
        for code, value in answers.items()
        if code in template.index and template.item(code).type != ItemType.MEASURE
    }


@dataclass(frozen=True)
class RuleSet:
    """The reasoning for one template. Its rules read the findings of
    ``findings_version`` of the template; ``read_findings`` turns the answers of any
    version into those (the measures left out by default). ``red_flag_groups`` are in
    order of precedence: the first flagged gives the urgency and the action."""

    template_code: str
    sources: Mapping[str, str]
    source_interventions: Mapping[str, tuple[str, ...]]
    red_flag_groups: tuple[RedFlagGroup, ...]
    rules: tuple[Rule, ...]
    # The labels of the interventions its sources suggest ("dry_needling": "Dry needling").
    interventions: Mapping[str, str] = field(default_factory=dict)
    # The interventions an uncleared red flag blocks, as the panel names them.
    red_flag_blocks: tuple[str, ...] = ()
    findings_version: int = 1
    read_findings: Callable[[Template, Findings], dict[str, object]] = measures_left_out
    version: str = "1"
    _source_order: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_source_order", {code: i for i, code in enumerate(self.sources)})

    @property
    def key(self) -> str:
        return self.template_code

    @property
    def template(self) -> Template:
        """The template version whose item codes the rules read."""
        return templates.get(self.template_code, self.findings_version)

    @property
    def rule_origins(self) -> dict[str, str]:
        return {rule.code: rule.origin for rule in self.rules}

    def red_flag_group(self, code: str) -> RedFlagGroup | None:
        return next((group for group in self.red_flag_groups if group.code == code), None)

    def red_flag_items(self, group: str) -> tuple[str, ...]:
        return self.template.red_flag_groups.get(group, ())

    def red_flag_blocks_in_words(self) -> str:
        """ "Spinal mobilization, spinal manipulation and dry needling", as the pages say it."""
        return _in_words([self.interventions.get(code, code) for code in self.red_flag_blocks])

    def findings_from_answers(
        self, template: Template, answers: Mapping[str, object]
    ) -> dict[str, object]:
        """The findings the rules read, from an assessment of any version of the template."""
        return self.read_findings(template, answers)

    def suggest(self, findings: Findings) -> Result:
        """Red flags and candidate sources for the findings.

        Raises definitions.AnswerError (a ValueError naming the item) for an unknown item
        or a value outside the allowed ones.
        """
        template = self.template
        f = validate_answers(template, findings)

        red_flags: list[str] = []
        red_flag_items: list[str] = []
        for group in self.red_flag_groups:
            flagged = [
                code
                for code in template.red_flag_groups.get(group.code, ())
                if f.get(code) == "yes"
            ]
            if flagged:
                red_flags.append(group.code)
                red_flag_items += flagged
        first = self.red_flag_group(red_flags[0]) if red_flags else None

        scores = dict.fromkeys(self.sources, 0)
        reasons: dict[str, list[str]] = {code: [] for code in self.sources}
        fired: dict[str, list[str]] = {code: [] for code in self.sources}
        against: dict[str, list[str]] = {code: [] for code in self.sources}
        for rule in self.rules:
            if not rule.applies(f):
                continue
            text = rule.reason(f)
            for effect in rule.effects:
                scores[effect.source] += effect.weight
                if effect.weight > 0:
                    reasons[effect.source].append(text)
                    fired[effect.source].append(rule.code)
                else:
                    against[effect.source].append(text)

        listed = sorted(
            (code for code, score in scores.items() if score > 0),
            key=lambda code: (-scores[code], self._source_order[code]),
        )
        return Result(
            urgency=first.urgency if first else "none",
            red_flags=red_flags,
            red_flag_items=red_flag_items,
            action=first.action if first else "",
            sources=[
                Suggestion(
                    code=code,
                    score=scores[code],
                    reasons=reasons[code],
                    rules=fired[code],
                    interventions=[] if red_flags else list(self.source_interventions[code]),
                    against=against[code],
                )
                for code in listed
            ],
        )


def _in_words(labels: list[str]) -> str:
    labels = labels[:1] + [label[0].lower() + label[1:] for label in labels[1:]]
    return ", ".join(labels[:-1]) + " and " + labels[-1] if len(labels) > 1 else "".join(labels)


class RuleSetRegistry(Registry[RuleSet]):
    """Rule sets by template code."""

    what = "rule set"

    def key_of(self, entry: RuleSet) -> str:
        return entry.template_code

    def check(self, entry: RuleSet) -> None:
        template = entry.template  # NotRegistered: register the template first
        name = f"The {entry.template_code} rule set"
        ungrouped = [
            item.code
            for item in template.items()
            if item.type == ItemType.RED_FLAG and not item.group
        ]
        if ungrouped:
            raise ValueError(f"{template}: red-flag items without a group: {', '.join(ungrouped)}")
        declared = {group.code for group in entry.red_flag_groups}
        undeclared = [group for group in template.red_flag_groups if group not in declared]
        if undeclared:
            raise ValueError(f"{name} says nothing of the red-flag group {undeclared[0]!r}")
        for rule in entry.rules:
            for effect in rule.effects:
                if effect.source not in entry.sources:
                    raise ValueError(
                        f"{name}: rule {rule.code} points to unknown source {effect.source!r}"
                    )
        for source in entry.sources:
            if source not in entry.source_interventions:
                raise ValueError(f"{name}: no interventions listed for source {source!r}")
        named = [code for codes in entry.source_interventions.values() for code in codes]
        for code in (*named, *entry.red_flag_blocks):
            if code not in entry.interventions:
                raise ValueError(f"{name}: intervention {code!r} has no label")
        for other in self:
            for source, label in entry.sources.items():
                if other.sources.get(source, label) != label:
                    raise ValueError(
                        f"{name} calls source {source!r} {label!r}; the "
                        f"{other.template_code} rule set calls it {other.sources[source]!r}"
                    )
            for group in entry.red_flag_groups:
                known = other.red_flag_group(group.code)
                if known is not None and known != group:
                    raise ValueError(
                        f"{name} means something else by red-flag group {group.code!r} "
                        f"than the {other.template_code} rule set"
                    )

    def for_template(self, template_code: str) -> RuleSet | None:
        return self.get(template_code) if template_code in self else None

    def sources(self) -> dict[str, str]:
        """Every registered rule set's sources with their labels, in registration order."""
        return {code: label for ruleset in self for code, label in ruleset.sources.items()}

    def source_label(self, code: str) -> str:
        """A source's label, whichever rule set names it (the code itself when none does)."""
        for ruleset in self:
            if code in ruleset.sources:
                return ruleset.sources[code]
        return code

    def source_interventions(self, code: str) -> tuple[str, ...]:
        """What the first rule set naming the source suggests for it (() when none does)."""
        for ruleset in self:
            if code in ruleset.sources:
                return ruleset.source_interventions[code]
        return ()

    def red_flag_blocks_in_words(self) -> str:
        """What an uncleared red flag blocks, whichever rule set raised it."""
        labels = {
            code: ruleset.interventions.get(code, code)
            for ruleset in self
            for code in ruleset.red_flag_blocks
        }
        return _in_words(list(labels.values()))

    def red_flag_group(self, code: str) -> RedFlagGroup | None:
        for ruleset in self:
            group = ruleset.red_flag_group(code)
            if group is not None:
                return group
        return None


# Filled by ``AssessmentsConfig.ready()`` (the buttock-pain rule set), and by any app's.
rulesets = RuleSetRegistry()


def findings_from_answers(template: Template, answers: Mapping[str, object]) -> dict[str, object]:
    """The findings the template's rule set reads from an assessment of it."""
    return rulesets.get(template.code).findings_from_answers(template, answers)
