"""The Jira Cloud CSV of ``tests/interop/data`` as a team would import it (its epic link to an
issue outside the file pointed at the epic that is in it), and the same export a week later:
one title changed, one status moved, one issue taken into the running sprint, one new issue
in that sprint."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data" / "jira_cloud.csv"
WALLETS = (
    "Research wallets,ACME-8,10008,Spike,To Do,ACME,Acme Checkout,software,Medium,,,,Bo Chen,"
    "712020:5d9c1b7a-1111-4222-8333-000000000002,Bo Chen,712020:5d9c1b7a-1111-4222-8333-"
    "000000000002,08/Feb/26 1:00 PM,08/Feb/26 1:00 PM,08/Feb/26 1:00 PM,,,,,,,,,,,,,,,ACME-99,"
    "0|i0000k:,,3,,,,,,,To Do,08/Feb/26 1:00 PM"
)


def first_export() -> bytes:
    text = DATA.read_text(encoding="utf-8-sig")
    assert WALLETS in text
    return text.replace(WALLETS, WALLETS.replace(",ACME-99,", ",ACME-1,")).encode()


def week_later_export() -> bytes:
    text = first_export().decode()
    wallets = WALLETS.replace(",ACME-99,", ",ACME-1,")
    moved = wallets.replace(",Spike,To Do,", ",Spike,Done,").replace(
        ",To Do,08/Feb/26 1:00 PM", ",Done,15/Mar/26 1:00 PM"
    )
    new = wallets.replace("Research wallets,ACME-8,10008,", "Apple Pay,ACME-11,10011,").replace(
        "0|i0000k:,,3,,", "0|i0000z:,,3,ACME Sprint 2,"
    )
    text = text.replace(wallets, moved)
    search = "0|i0000p:,,,,,,,,Checkout revamp"
    assert search in text
    text = text.replace(search, "0|i0000p:,,,ACME Sprint 2,,,,,Checkout revamp")
    text = text.replace("Set up the payment provider sandbox", "Set up the payment sandbox", 1)
    return (text.rstrip("\r\n") + "\r\n" + new + "\r\n").encode()
