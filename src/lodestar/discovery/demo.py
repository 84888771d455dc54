"""The demo's customers and what they said: thirty companies in three segments, their contacts,
three hundred pieces of feedback over the past six months (interviews with notes, support
tickets, sales calls, survey answers), fifteen problems with the insights that are their
evidence, and the ACME backlog items linked to the problems they solve.

Most of the flagged orphans of the backlog's demo turn out to have customers behind them once
discovery is in (a problem links them); a few stay flagged on purpose: work nobody asked for.
Deterministic (one seeded random), and written through the services so history, evidence and
derived scores are real; only the dates are moved back afterwards, as the backlog's demo does.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from lodestar.backlog.models import BacklogItem, ItemStatus
from lodestar.backlog.prioritization import services as scoring
from lodestar.backlog.prioritization.models import Score
from lodestar.core.db import insert_rows
from lodestar.core.history import history_record_bulk
from lodestar.core.markdown import render_markdown
from lodestar.core.models import HistoryEntry
from lodestar.discovery import demo_risks, services
from lodestar.discovery.models import (
    Contact,
    Customer,
    Feedback,
    FeedbackSource,
    FeedbackState,
    Insight,
    InsightProblem,
    Problem,
    ProblemStatus,
)
from lodestar.strategy.models import Product

if TYPE_CHECKING:
    from lodestar.people.demo import DemoPeople

SEED = "acme-discovery"
PRODUCT_KEY = "ACME"
FEEDBACK_COUNT = 300
DAYS = 182  # six months

# (segment, plan, ARR range) and its customers.
SEGMENTS: dict[str, tuple[str, tuple[int, int], tuple[str, ...]]] = {
    "Startup": (
        "Starter",
        (1_200, 9_600),
        (
            "Brightloop",
            "Cobalt Kitchen",
            "Fieldnote",
            "Hatchway Labs",
            "Lumen Pet Care",
            "Mossgrove Studio",
            "Parcelwise",
            "Quillpad",
            "Tidewater Tutors",
            "Wrenly",
        ),
    ),
    "Mid-market": (
        "Growth",
        (18_000, 64_000),
        (
            "Alder & Finch",
            "Bluefield Logistics",
            "Cascadia Dental Group",
            "Driftwood Hotels",
            "Evergreen Payroll",
            "Harborview Clinics",
            "Kestrel Freight",
            "Northpeak Outdoor",
            "Orchard Lane Grocers",
            "Summit Ridge Insurance",
        ),
    ),
    "Enterprise": (
        "Enterprise",
        (95_000, 310_000),
        (
            "Atlas Maritime",
            "Crestline Bank",
            "Granite Health Systems",
            "Helios Energy",
            "Ironbridge Manufacturing",
            "Meridian Retail Group",
            "Oakhurst University",
            "Pioneer Telecom",
            "Sterling Airlines",
            "Vantage Media",
        ),
    ),
}
FIRST_NAMES = (
    "Ana", "Ben", "Chloe", "Dev", "Elif", "Femi", "Grace", "Hiro", "Ines", "Jonas", "Kofi",
    "Lena", "Marco", "Nadia", "Omar", "Paula", "Rafael", "Sofia", "Tariq", "Uma", "Wei", "Yara",
)  # fmt: skip
LAST_NAMES = (
    "Abbott", "Bauer", "Castillo", "Dubois", "Eriksen", "Fischer", "Gupta", "Haddad", "Ito",
    "Jensen", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov", "Quinn",
    "Rossi", "Silva", "Tanaka", "Varga", "Weber",
)  # fmt: skip
TITLES = {
    "Startup": ("Founder", "CEO", "Head of Growth", "Operations Lead"),
    "Mid-market": ("Head of Finance", "RevOps Manager", "Data Analyst", "COO", "VP Sales"),
    "Enterprise": (
        "Director of BI",
        "Finance Controller",
        "VP Customer Success",
        "Analytics Engineer",
        "CFO",
    ),
}


@dataclass(frozen=True)
class ProblemSpec:
    """A problem as customers put it, the words they used, where it is heard, and the ACME
    items that solve it. ``lean`` tilts when it is heard: > 0 more lately (a growing problem),
    < 0 mostly months ago (one being solved)."""

    title: str
    status: str
    phrases: tuple[str, ...]
    items: tuple[str, ...]
    segments: tuple[str, ...] = ("Startup", "Mid-market", "Enterprise")
    weight: int = 10
    lean: float = 0.0
    description: str = ""


PROBLEMS: tuple[ProblemSpec, ...] = (
    ProblemSpec(
        "Our board only ever sees our dashboards as screenshots",
        ProblemStatus.SOLVING,
        (
            "we still paste screenshots of the dashboard into the board deck every month",
            "our investors can't open a dashboard without an account",
            "I need to send a live dashboard to someone outside the company",
            "the board pack is a folder of screenshots that are out of date the day after",
            "I'd love a read-only link I can drop into an email to our advisors",
            "external stakeholders keep asking for a login just to look at one chart",
        ),
        (
            "Share dashboards outside the workspace",
            "Share a dashboard by link with read-only viewers",
            "Restrict a shared link to one email domain",
            "Embed a dashboard in Notion and Confluence pages",
        ),
        weight=16,
        lean=0.6,
    ),
    ProblemSpec(
        "Scheduled reports arrive late, or not at all",
        ProblemStatus.SOLVING,
        (
            "the Monday report didn't arrive again this week",
            "half the scheduled emails land at 3am our time",
            "our CFO stopped getting the weekly PDF and nobody noticed for a month",
            "the scheduled report goes out even when the data hasn't refreshed",
            "when one address bounces the whole schedule seems to stop",
        ),
        (
            "Email a dashboard as PDF every Monday morning",
            "Retry queue for report emails that bounce",
            "Pause a schedule when every recipient bounces",
            "Choose the send time and time zone of a schedule",
        ),
        segments=("Mid-market", "Enterprise"),
        weight=14,
    ),
    ProblemSpec(
        "Our team lives in Slack and Teams, not in another tool",
        ProblemStatus.VALIDATED,
        (
            "nobody on my team logs into another dashboard tool, they live in Slack",
            "can the numbers just show up in our Teams channel every morning?",
            "if it isn't in Slack, my sales team won't see it",
            "we'd use this far more if the weekly summary came to Teams",
        ),
        (
            "Weekly Slack digest of an account's key metrics",
            "Microsoft Teams delivery for scheduled reports",
        ),
        weight=9,
        lean=0.3,
    ),
    ProblemSpec(
        "Nobody trusts a number they cannot trace back to its source",
        ProblemStatus.SOLVING,
        (
            "finance asked where the churn number comes from and I couldn't tell them",
            "I need to see the query behind a tile before I put it in front of the CFO",
            "two dashboards show different MRR and nobody knows which one is right",
            "our auditors want to know exactly which rows a number is built from",
            "when a number looks off I have no way to see what it's made of",
        ),
        ("Every number traceable to its source", "Show the query behind every chart tile"),
        segments=("Mid-market", "Enterprise"),
        weight=12,
        lean=0.2,
    ),
    ProblemSpec(
        "We cannot tell when the data on a dashboard is stale",
        ProblemStatus.VALIDATED,
        (
            "I don't know if I'm looking at today's numbers or last week's",
            "the HubSpot sync failed for three days and the dashboard looked fine",
            "there's no way to see when a tile was last refreshed",
            "we made a decision on stale data because nothing told us the sync had stopped",
            "I wish the dashboard warned me when the data is more than a day old",
            "our ops lead checks the source system by hand before every meeting",
        ),
        (
            "Data freshness you can see",
            "Warn when a dashboard uses data older than 24 hours",
            "Freshness badge in the dashboard header",
            "'Last refreshed' time on every tile",
            "Alert the owner when a source sync fails",
        ),
        weight=15,
        lean=0.8,
    ),
    ProblemSpec(
        "Revenue numbers don't match what Stripe and HubSpot say",
        ProblemStatus.VALIDATED,
        (
            "net revenue is off because refunds seem to be counted twice",
            "after a HubSpot re-sync every deal showed up twice",
            "our MRR in Acme never matches the Stripe dashboard",
            "a month with zero refunds shows 'No data' instead of 0",
        ),
        (
            "Stripe refunds counted twice in net revenue",
            "Duplicate events after a HubSpot re-sync",
            "Tile shows 'No data' for a zero value",
        ),
        weight=11,
    ),
    ProblemSpec(
        "Our pipeline lives in Salesforce, so half the picture is missing",
        ProblemStatus.NEW,
        (
            "our pipeline is all in Salesforce and we can't see it next to revenue",
            "we'd move our whole team over if Salesforce opportunities were in here",
            "without Salesforce data the forecast is only half the story",
        ),
        ("Salesforce opportunities as a data source",),
        segments=("Mid-market", "Enterprise"),
        weight=7,
        lean=0.4,
    ),
    ProblemSpec(
        "Exports get cut off or time out",
        ProblemStatus.SOLVING,
        (
            "the CSV export stops at 10,000 rows and doesn't say so",
            "exporting the full customer list times out every time",
            "I need the chart as an image for my slides and end up taking a screenshot",
            "the export silently dropped half our customers",
        ),
        ("CSV export drops rows beyond 10,000", "Export a chart as PNG for slide decks"),
        weight=10,
        lean=-0.2,
    ),
    ProblemSpec(
        "Dashboards take forever to load",
        ProblemStatus.VALIDATED,
        (
            "the revenue dashboard takes almost a minute to load on Monday mornings",
            "some tiles just spin and never load",
            "it's so slow that people have stopped opening the dashboard",
            "loading our main dashboard freezes the browser tab",
        ),
        (
            "Slow query warning on tiles over five seconds",
            "Move dashboard rendering to a worker pool",
        ),
        segments=("Mid-market", "Enterprise"),
        weight=11,
        lean=0.7,
    ),
    ProblemSpec(
        "Charts are unreadable on a phone",
        ProblemStatus.NEW,
        (
            "on my phone the funnel chart legend covers the bars",
            "I check numbers on my phone between meetings and the charts are unreadable",
            "the labels overlap on mobile",
        ),
        ("Funnel chart legend overlaps on narrow screens",),
        segments=("Startup", "Mid-market"),
        weight=6,
    ),
    ProblemSpec(
        "Times show in the wrong time zone",
        ProblemStatus.SOLVING,
        (
            "the tooltip says UTC but we're in Sydney",
            "the daily chart cuts off at the wrong midnight for us",
            "our US team and our EU team see different days for the same data",
        ),
        (
            "Chart tooltip shows UTC instead of the account's time zone",
            "Shared dashboards follow the viewer's time zone",
        ),
        weight=7,
        lean=-0.6,
    ),
    ProblemSpec(
        "We can't see how we're doing against last year or our targets",
        ProblemStatus.NEW,
        (
            "I want to see this month next to the same month last year",
            "where are we against the target we set for the quarter?",
            "I'd like to mark when we launched a campaign so the spike makes sense",
            "can it tell me roughly where MRR will land next month?",
        ),
        (
            "Compare a metric with the same period last year",
            "Forecast next month's MRR from the trend",
            "Goal lines on KPI tiles",
            "Annotations on time-series charts",
        ),
        weight=9,
    ),
    ProblemSpec(
        "We can't see retention by cohort or segment",
        ProblemStatus.NEW,
        (
            "I need retention by signup month, not one churn number",
            "we can't split the dashboard by customer segment",
            "the board asked how our enterprise cohort retains and I had to build it in a sheet",
        ),
        (
            "Cohort retention chart by signup month",
            "Filter a whole dashboard by customer segment",
        ),
        segments=("Mid-market", "Enterprise"),
        weight=7,
        lean=0.3,
    ),
    ProblemSpec(
        "Discussions about a number get lost in email threads",
        ProblemStatus.VALIDATED,
        (
            "every question about a chart turns into a long email thread",
            "I want to ask my analyst about this spike right on the chart",
            "I can't tell whether anyone actually looked at the dashboard I shared",
            "I set up the perfect filters and can't share that view with my team",
        ),
        (
            "Dashboard comments with @mentions",
            "Share a saved filter view with teammates",
            "Viewer analytics: who looked at a shared dashboard",
        ),
        weight=8,
    ),
    ProblemSpec(
        "Building the same dashboard for every team takes hours",
        ProblemStatus.NEW,
        (
            "I rebuild the same dashboard for every region by hand",
            "there's no way to copy a dashboard with all its filters",
            "everyone keeps asking me where the main dashboard is",
            "building a dashboard takes a lot of clicking",
        ),
        (
            "Duplicate a dashboard with its filters",
            "Pin a dashboard to the workspace home",
            "Keyboard shortcuts in the dashboard editor",
        ),
        segments=("Startup", "Mid-market"),
        weight=7,
    ),
)

# The tag support gives a ticket about each problem, when it gives one.
TAGS = (
    "sharing", "reports", "slack", "trust", "freshness", "revenue", "salesforce", "export",
    "performance", "mobile", "timezone", "targets", "retention", "collaboration", "dashboards",
)  # fmt: skip
# Feedback that is about none of the problems: praise, questions, one-off wishes.
NOISE = (
    "Love the new onboarding checklist, we had our first dashboard live in ten minutes.",
    "Can we get invoices in EUR instead of USD?",
    "Great support from your team last week, thank you.",
    "Is there a discount for non-profits?",
    "The starter templates saved us a week of work.",
    "Could you add a way to change the colour palette to our brand colours?",
    "How do I remove a teammate who left the company?",
    "Connecting Stripe was really easy.",
    "We'd like SSO with Okta at some point, not urgent.",
    "Is there an on-premise version?",
)
OPENERS = {
    FeedbackSource.SUPPORT: (
        "Hi team, {phrase}.",
        "Hello! Quick one: {phrase}.",
        "Ticket from {contact}: {Phrase}.",
        "Not sure if this is a bug, but {phrase}.",
    ),
    FeedbackSource.SALES: (
        "Call with {contact} ({title}): {Phrase}.",
        "Renewal call with {customer}. {contact} said {phrase}.",
        "Demo follow-up: {Phrase}. It came up twice.",
    ),
    FeedbackSource.SURVEY: (
        "NPS {nps}: {Phrase}.",
        "Survey answer: {Phrase}.",
        "What would you improve? {Phrase}.",
    ),
    FeedbackSource.INTERVIEW: (
        "Q: How do you use the dashboards week to week?\nA: Honestly, {phrase}.",
        "Q: What was the last thing that frustrated you?\nA: {Phrase}.",
        "Q: Walk me through your Monday.\nA: First thing, I open the numbers. {Phrase}.",
    ),
}
CLOSERS = (
    "",
    " It's costing us time every week.",
    " Not a blocker, but it's annoying.",
    " This matters a lot to our leadership team.",
    " We're working around it with a spreadsheet for now.",
    " Would really appreciate a fix.",
)
NOTES = (
    "Strong pain, came up unprompted. Follow up when the fix ships.",
    "Mentioned a workaround in Google Sheets; ask for a copy.",
    "Decision maker was in the room. Renewal in Q3.",
    "Mild pain; more curious than blocked.",
    "Compare with what the other analysts said in the same segment.",
)
# Who hears customers, by source (members who may write; Victor, a viewer, reads only):
# Priya, the product manager (of the Insights team), the founder, and Lee of Insights, who
# answers support; nobody of Checkout talks to customers (the coverage page shows it).
CAPTURERS = {
    FeedbackSource.INTERVIEW: ("priya", "priya", "priya", "priya", "olivia"),
    FeedbackSource.SALES: ("olivia", "olivia", "priya"),
    FeedbackSource.SUPPORT: ("lee", "priya", "lee", "olivia"),
    FeedbackSource.SURVEY: ("priya",),
}
SOURCES = (
    (FeedbackSource.SUPPORT, 40),
    (FeedbackSource.SALES, 20),
    (FeedbackSource.SURVEY, 20),
    (FeedbackSource.INTERVIEW, 20),
)
# Customers nobody has heard from lately, so the cadence card has something to say.
QUIET_FOR_DAYS = {"Fieldnote": 40, "Wrenly": 75, "Kestrel Freight": 70, "Vantage Media": 120}
# Orphans that no customer asked for stay flagged: their items are linked to no problem.
NOBODY_ASKED = (
    "Gamified achievements for power users",
    "Refresh the marketing site footer",
    "Dark mode for the query editor",
    "Upgrade the charting library to its next major version",
    "Spike: ClickHouse or DuckDB for per-tenant queries",
    "Rate-limit dashboard API tokens per account",
)
# Items whose RICE reach the product owner takes from the evidence.
REACH_FROM_EVIDENCE = (
    "Share a dashboard by link with read-only viewers",
    "Warn when a dashboard uses data older than 24 hours",
    "Freshness badge in the dashboard header",
    "Show the query behind every chart tile",
    "Slow query warning on tiles over five seconds",
    "CSV export drops rows beyond 10,000",
)


@dataclass
class DemoDiscovery:
    customers: list[Customer]
    contacts: dict[int, list[Contact]]
    problems: list[Problem]
    feedback: list[Feedback]


def _customers(people: DemoPeople, rng: random.Random) -> tuple[list[Customer], dict[int, Any]]:
    actor = people.actor("priya")
    customers: list[Customer] = []
    contacts: dict[int, list[Contact]] = {}
    used: set[tuple[str, str]] = set()
    for segment, (plan, (low, high), names) in SEGMENTS.items():
        for index, name in enumerate(names):
            arr = round(rng.uniform(low, high), -2)
            customer = services.customer_create(
                actor=actor,
                name=name,
                segment=segment,
                plan=plan if index % 4 else ("Growth" if segment == "Startup" else plan),
                arr=arr,
                external_id=f"crm-{len(customers) + 1001}",
            )
            customers.append(customer)
            domain = "".join(ch for ch in name.lower() if ch.isalnum()) + ".example"
            contacts[customer.pk] = []
            for _ in range(rng.choice((1, 2, 2, 3))):
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                while (first, last) in used:
                    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                used.add((first, last))
                contacts[customer.pk].append(
                    services.contact_create(
                        actor=actor,
                        customer=customer,
                        name=f"{first} {last}",
                        email=f"{first}.{last}@{domain}".lower(),
                        title=rng.choice(TITLES[segment]),
                    )
                )
    return customers, contacts


def _problems(people: DemoPeople, product: Product | None) -> list[Problem]:
    actor = people.actor("priya")
    return [
        services.problem_create(
            actor=actor,
            title=spec.title,
            description=spec.description,
            status=spec.status,
            owner=people.members["priya"],
            product=product,
        )
        for spec in PROBLEMS
    ]


def _days_ago(rng: random.Random, lean: float) -> float:
    """How long ago something was heard: uniform over six months, tilted by ``lean``."""
    draw = rng.random()
    share = draw ** (1 + lean * 1.5) if lean >= 0 else 1 - draw ** (1 - lean)
    return max(0.2, float(share) * DAYS)


def _text(rng: random.Random, source: str, phrase: str, contact: Contact | None) -> str:
    template = rng.choice(OPENERS[FeedbackSource(source)])
    sentence = template.format(
        phrase=phrase,
        Phrase=phrase[:1].upper() + phrase[1:],
        contact=contact.name if contact else "a customer",
        title=contact.title if contact else "",
        customer=contact.customer.name if contact and contact.customer else "them",
        nps=rng.choice((3, 5, 6, 7, 8)),
    )
    # Capitalize the sentence the phrase starts (a phrase is written mid-sentence).
    sentence = sentence.replace("?.", "?")
    return sentence[0].upper() + sentence[1:] + rng.choice(CLOSERS)


def _pick_customer(
    rng: random.Random, customers: list[Customer], spec: ProblemSpec | None, days_ago: float
) -> Customer:
    candidates = [
        c
        for c in customers
        if (spec is None or c.segment in spec.segments) and QUIET_FOR_DAYS.get(c.name, 0) < days_ago
    ]
    return rng.choice(candidates or customers)


@dataclass
class _Heard:
    """One piece of feedback as planned: what was said, by whom, when, and its insight."""

    feedback: Feedback
    days_ago: float
    interview_member: str | None = None
    problem: int | None = None  # the index of its problem when an insight marks it
    span: tuple[int, int] = (0, 0)
    marked_by: str = "priya"
    marked_days_ago: float = 0.0


@transaction.atomic
def seed(world: dict[str, Any]) -> DemoDiscovery:
    """The discovery demo, after the people's and the backlog's (its ACME product)."""
    people: DemoPeople = world["people"]
    # The backlog's demo gives the ACME product; without it (a test that replaces it) the
    # feedback is about no product and no item is linked.
    product: Product | None = (
        world.get("backlog")
        or Product.objects.filter(workspace=people.workspace, key=PRODUCT_KEY).first()
    )
    rng = random.Random(SEED)  # noqa: S311 (demo data, not secrets)
    customers, contacts = _customers(people, rng)
    problems = _problems(people, product)
    now = timezone.now()
    heard = _plan(people, product, rng, customers, contacts, now)
    _write(people, heard, problems, now)
    if product is not None:
        _link_items(people, product, problems)
        _reach_from_evidence(people, product)
    _date_back(people, customers, problems, now)
    demo_risks.seed(people, product, problems)
    return DemoDiscovery(customers, contacts, problems, [h.feedback for h in heard])


def _plan(
    people: DemoPeople,
    product: Product | None,
    rng: random.Random,
    customers: list[Customer],
    contacts: dict[int, list[Contact]],
    now: dt.datetime,
) -> list[_Heard]:
    """Three hundred pieces of feedback, drawn from the problems' words (and some noise)."""
    weights = [spec.weight for spec in PROBLEMS]
    noise_every = 8  # about one piece in eight is about none of the problems
    planned: list[_Heard] = []
    for number in range(FEEDBACK_COUNT):
        source = rng.choices([s for s, _ in SOURCES], [w for _, w in SOURCES])[0]
        index = None if number % noise_every == 3 else rng.choices(range(15), weights)[0]
        spec = PROBLEMS[index] if index is not None else None
        days_ago = _days_ago(rng, spec.lean if spec else 0.0)
        customer = _pick_customer(rng, customers, spec, days_ago)
        contact = rng.choice(contacts[customer.pk]) if rng.random() < 0.85 else None
        capturer = rng.choice(CAPTURERS[source])
        if spec is None:
            text, phrase = rng.choice(NOISE), ""
        else:
            phrase = rng.choice(spec.phrases)
            text = _text(rng, source, phrase, contact)
        interview = source == FeedbackSource.INTERVIEW
        received = now - dt.timedelta(days=days_ago)
        captured = min(now, received + dt.timedelta(hours=2))
        feedback = Feedback(
            workspace_id=people.workspace.pk,
            product=product,
            text=text,
            text_html=render_markdown(text),
            source=source,
            received_at=received,
            customer=customer,
            contact=contact,
            tags=[TAGS[index]] if index is not None and rng.random() < 0.3 else [],
            captured_by=people.users[capturer],
            notes=rng.choice(NOTES) if interview else "",
            created_at=captured,
            updated_at=captured,
        )
        entry = _Heard(feedback, days_ago, capturer if interview else None)
        # Most of what is about a problem has been read and marked; the last weeks' some not.
        if index is not None and (days_ago > 14 or rng.random() < 0.5):
            start = text.lower().index(phrase.lower())
            entry.problem, entry.span = index, (start, start + len(phrase))
            entry.marked_by = "priya" if rng.random() < 0.7 else "lee"
            entry.marked_days_ago = max(0.1, days_ago - rng.uniform(0, min(days_ago, 6)))
            feedback.state = FeedbackState.TRIAGED
        elif index is None and days_ago > 60 and rng.random() < 0.5:
            feedback.state = FeedbackState.ARCHIVED
        planned.append(entry)
    return planned


def _entry(people: DemoPeople, who: str, obj: Any, changes: dict[str, Any], at: dt.datetime) -> Any:
    return HistoryEntry(
        workspace_id=people.workspace.pk,
        actor=people.users[who],
        object_type=obj._meta.label_lower,
        object_id=obj.pk,
        object_label=str(obj)[:255],
        action=HistoryEntry.Action.CREATED,
        changes=changes,
        created_at=at,
    )


def _write(
    people: DemoPeople, heard: list[_Heard], problems: list[Problem], now: dt.datetime
) -> None:
    """The feedback, the interviews' participants and the insights, with the bulk helpers
    (three hundred services' worth of rows in a few statements), each recorded in history
    as its service would, dated when it happened."""
    rows = insert_rows(Feedback, [h.feedback for h in heard])
    by_user = {user.pk: key for key, user in people.users.items()}
    members = Feedback.member_participants.through
    contacts = Feedback.contact_participants.through
    insert_rows(
        members,
        [
            members(feedback_id=h.feedback.pk, membership=people.members[h.interview_member])
            for h in heard
            if h.interview_member
        ],
    )
    insert_rows(
        contacts,
        [
            contacts(feedback_id=h.feedback.pk, contact_id=h.feedback.contact_id)
            for h in heard
            if h.interview_member and h.feedback.contact_id
        ],
    )
    marked = [h for h in heard if h.problem is not None]
    insights = insert_rows(
        Insight,
        [
            Insight(
                workspace_id=people.workspace.pk,
                feedback=h.feedback,
                quote=h.feedback.text[h.span[0] : h.span[1]],
                start=h.span[0],
                end=h.span[1],
                created_by=people.users[h.marked_by],
                created_at=now - dt.timedelta(days=h.marked_days_ago),
                updated_at=now - dt.timedelta(days=h.marked_days_ago),
            )
            for h in marked
        ],
    )
    insert_rows(
        InsightProblem,
        [
            InsightProblem(insight=insight, problem=problems[h.problem or 0])
            for insight, h in zip(insights, marked, strict=True)
        ],
    )
    history = [
        _entry(
            people,
            by_user[feedback.captured_by_id or 0],
            feedback,
            {"source": feedback.source, "customer": feedback.customer_id},
            feedback.created_at,
        )
        for feedback in rows
    ]
    history += [
        _entry(
            people,
            h.marked_by,
            insight,
            {"feedback": h.feedback.pk, "problems": [problems[h.problem or 0].pk]},
            insight.created_at,
        )
        for insight, h in zip(insights, marked, strict=True)
    ]
    history_record_bulk(history)


def _link_items(people: DemoPeople, product: Product, problems: list[Problem]) -> None:
    actor = people.actor("priya")
    items = {item.title: item for item in BacklogItem.objects.filter(product=product)}
    for spec, problem in zip(PROBLEMS, problems, strict=True):
        linked = [items[title] for title in spec.items if title in items]
        if linked:
            services.problem_items_link(actor=actor, problem=problem, items=linked)


def _reach_from_evidence(people: DemoPeople, product: Product) -> None:
    """Quinn, the product owner, takes a few items' RICE reach from their problems."""
    actor = people.actor("quinn")
    first = (HistoryEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    for score in Score.objects.filter(
        item__product=product, item__title__in=REACH_FROM_EVIDENCE, framework="rice"
    ).select_related("item__product"):
        if score.item.status in (ItemStatus.DONE, ItemStatus.WONT_DO):
            continue
        inputs = {k: v for k, v in score.inputs.items() if k != "reach"}
        scoring.score_set(
            actor=actor, item=score.item, framework="rice", inputs=inputs, derived=["reach"]
        )
    # Quinn did it the day after the problems were linked.
    HistoryEntry.objects.filter(workspace=people.workspace, pk__gte=first).update(
        created_at=timezone.now() - dt.timedelta(days=2, hours=3)
    )


def _date_back(
    people: DemoPeople, customers: list[Customer], problems: list[Problem], now: dt.datetime
) -> None:
    """Customers, contacts and problems were known before anything was heard from them; the
    problems' links to the backlog are this week's work."""
    oldest = now - dt.timedelta(days=DAYS + 10)
    recent = now - dt.timedelta(days=3)
    Customer.objects.filter(pk__in=[c.pk for c in customers]).update(
        created_at=oldest, updated_at=oldest
    )
    Contact.objects.filter(workspace=people.workspace).update(created_at=oldest, updated_at=oldest)
    Problem.objects.filter(pk__in=[p.pk for p in problems]).update(
        created_at=oldest, updated_at=recent
    )
    for model, action, at in (
        (Customer, HistoryEntry.Action.CREATED, oldest),
        (Contact, HistoryEntry.Action.CREATED, oldest),
        (Problem, HistoryEntry.Action.CREATED, oldest),
        (Problem, HistoryEntry.Action.UPDATED, recent),
    ):
        HistoryEntry.objects.filter(
            workspace=people.workspace, object_type=model._meta.label_lower, action=action
        ).update(created_at=at)
