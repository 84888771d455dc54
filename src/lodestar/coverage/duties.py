"""The ten duties of product management and the recorded activity that counts for each, as
data: plain Python, no Django (the engine in ``coverage/activity.py`` turns the matches into
aggregate queries). docs/COVERAGE.md states the same table in words.

An activity is either a kind of history entry (``Match``: the object's type as history records
it, the action, and conditions on the recorded ``changes``) or one of the rows a context keeps
where history says too little (``Rows``: named, and read by the engine). A created entry
records bare values (``{"source": "interview"}``), an updated one ``[before, after]`` pairs, so a
condition says which it reads: ``value`` (a bare value, created entries) or ``after`` (the value
after an update). An entry counts for an activity when it matches every condition given; the
activities of one duty never match the same entry twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CREATED, UPDATED, MOVED = "created", "updated", "moved"


@dataclass(frozen=True)
class Match:
    """History entries of ``object_type`` with one of ``actions``, by a person, whose changes
    hold every key of ``has``, none of ``lacks``, each ``value`` field with one of its values,
    each ``after`` field ending at one of its values, and no ``not_prefix`` field's value
    starting with its prefix."""

    object_type: str
    actions: tuple[str, ...]
    has: tuple[str, ...] = ()
    lacks: tuple[str, ...] = ()
    value: dict[str, tuple[str, ...]] = field(default_factory=dict)
    after: dict[str, tuple[str, ...]] = field(default_factory=dict)
    not_prefix: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Rows:
    """Activity read from a context's own rows (``name`` says which; the engine knows it)."""

    name: str


@dataclass(frozen=True)
class Activity:
    key: str
    label: str
    source: Match | Rows


@dataclass(frozen=True)
class Duty:
    key: str
    label: str
    activities: tuple[Activity, ...]
    # What people do for it that Lodestar does not record yet (said on the page and in docs).
    unrecorded: tuple[str, ...] = ()


CUSTOMER_SOURCES = ("interview", "sales", "support")
# Experiment methods that are data work rather than conversations or prototypes.
DATA_METHODS = ("ab_test", "data_analysis")

FEEDBACK = "discovery.feedback"
INSIGHT = "discovery.insight"
PROBLEM = "discovery.problem"
EXPERIMENT = "discovery.experiment"
ITEM = "backlog.backlogitem"
GOAL = "strategy.productgoal"
DECISION = "decisions.decision"
RELEASE = "releases.release"
ROADMAP_ENTRY = "releases.roadmapentry"
ROADMAP_SHARE = "releases.roadmapshare"
METRIC = "outcomes.metric"
CRITERION = "outcomes.successcriterion"
REVIEW = "outcomes.outcomereview"

INTERVIEW_PARTICIPANTS = Rows("interview_participants")

DUTIES: tuple[Duty, ...] = (
    Duty(
        "talk_to_customers",
        "Talks to customers",
        (
            Activity(
                "feedback_captured",
                "Feedback captured from an interview, a sales call or support",
                Match(FEEDBACK, (CREATED,), value={"source": CUSTOMER_SOURCES}),
            ),
            Activity(
                "interview_held",
                "Took part in an interview (not its capturer)",
                INTERVIEW_PARTICIPANTS,
            ),
        ),
    ),
    Duty(
        "analyse_data",
        "Analyses data",
        (
            Activity("metric_defined", "Metric defined", Match(METRIC, (CREATED,))),
            Activity(
                "data_experiment_planned",
                "A/B test or data analysis planned (or recorded) as an experiment",
                Match(EXPERIMENT, (CREATED,), value={"method": DATA_METHODS}),
            ),
            Activity(
                "outcome_evaluated",
                "Outcome evaluated on demand",
                Match(
                    REVIEW,
                    (CREATED, UPDATED),
                    lacks=("learnings", "follow_ups", "problem_status"),
                ),
            ),
        ),
        unrecorded=("metric samples pushed", "outcome reviews read"),
    ),
    Duty(
        "pull_research_together",
        "Pulls research together",
        (
            Activity("insight_made", "Insight made", Match(INSIGHT, (CREATED,))),
            Activity(
                "problem_validated",
                "Problem validated",
                Match(PROBLEM, (UPDATED,), after={"status": ("validated",)}),
            ),
            Activity(
                "experiment_concluded",
                "Experiment concluded (its result recorded)",
                Match(EXPERIMENT, (UPDATED,), after={"status": ("concluded",)}),
            ),
            Activity(
                "experiment_recorded_concluded",
                "Experiment recorded already concluded",
                Match(EXPERIMENT, (CREATED,), value={"status": ("concluded",)}),
            ),
        ),
        unrecorded=("problems merged (problems cannot be merged yet)",),
    ),
    Duty(
        "break_work_down",
        "Helps break work down",
        (
            Activity("item_split", "Item split", Match(ITEM, (UPDATED,), has=("split_into",))),
            Activity(
                "criteria_written",
                "Acceptance criteria written",
                Match(ITEM, (UPDATED,), has=("acceptance_criteria",)),
            ),
            Activity(
                "item_made_ready",
                "Item made ready",
                Match(ITEM, (UPDATED,), after={"status": ("ready",)}),
            ),
            Activity(
                "item_created_ready",
                "Item created ready",
                Match(ITEM, (CREATED,), value={"status": ("ready",)}),
            ),
        ),
        unrecorded=("acceptance criteria written when an item is created",),
    ),
    Duty(
        "make_product_decisions",
        "Makes product decisions",
        (Activity("decision_logged", "Decision logged", Match(DECISION, (CREATED,))),),
    ),
    Duty(
        "keep_goal_clear",
        "Keeps the Product Goal clear",
        (
            Activity("goal_set", "Product Goal set", Match(GOAL, (CREATED,))),
            Activity(
                "goal_reworded",
                "Product Goal reworded",
                Match(GOAL, (UPDATED,), has=("statement",)),
            ),
            Activity(
                "goal_closed",
                "Product Goal closed",
                Match(GOAL, (UPDATED,), after={"status": ("achieved", "abandoned")}),
            ),
            Activity(
                "goal_linked",
                "Item linked to a Product Goal",
                Match(ITEM, (UPDATED,), has=("goal",)),
            ),
        ),
    ),
    Duty(
        "order_backlog",
        "Orders the backlog",
        (
            Activity(
                "item_moved",
                "Item moved in the backlog (by hand or by applying a suggested order)",
                Match(ITEM, (MOVED,), not_prefix={"placement": "with "}),
            ),
        ),
    ),
    Duty(
        "decide_go_live",
        "Decides when it goes live",
        (
            Activity(
                "release_live",
                "Release taken live",
                Match(RELEASE, (UPDATED,), after={"state": ("live",)}, lacks=("forced",)),
            ),
            Activity(
                "go_live_override",
                "Release taken live past unmet checks (override)",
                Match(RELEASE, (UPDATED,), after={"state": ("live",)}, has=("forced",)),
            ),
        ),
    ),
    Duty(
        "measure_success",
        "Measures success and changes course",
        (
            Activity("criterion_set", "Success criterion set", Match(CRITERION, (CREATED,))),
            Activity(
                "learnings_written",
                "Outcome review concluded with learnings",
                Match(REVIEW, (UPDATED,), has=("learnings",)),
            ),
            Activity(
                "follow_ups_created",
                "Follow-up items created from an outcome review (without learnings)",
                Match(REVIEW, (UPDATED,), has=("follow_ups",), lacks=("learnings",)),
            ),
        ),
    ),
    Duty(
        "work_with_stakeholders",
        "Works with stakeholders",
        (
            Activity(
                "share_link_created",
                "Roadmap share link made",
                Match(ROADMAP_SHARE, (CREATED,)),
            ),
            Activity(
                "roadmap_updated",
                "Roadmap updated (an entry added or moved)",
                Match(ROADMAP_ENTRY, (CREATED, UPDATED)),
            ),
        ),
        unrecorded=("stakeholder reports sent", "roadmap entries removed"),
    ),
)

DUTY_KEYS: tuple[str, ...] = tuple(duty.key for duty in DUTIES)


def duty(key: str) -> Duty:
    """The duty ``key`` (``KeyError`` for an unknown one)."""
    for candidate in DUTIES:
        if candidate.key == key:
            return candidate
    raise KeyError(key)


def activities() -> list[tuple[Duty, Activity]]:
    """Every activity with its duty, in the table's order."""
    return [(d, a) for d in DUTIES for a in d.activities]
