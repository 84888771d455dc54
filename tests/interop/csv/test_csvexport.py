"""core.csvexport: cells a spreadsheet cannot run, numbers kept as numbers, a safe download."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.http import QueryDict
from django.utils import timezone

from lodestar.backlog.models import ItemStatus
from lodestar.core.csvexport import (
    ROWS_PER_CHUNK,
    cell,
    csv_response,
    csv_url,
    export_filename,
    neutralise,
)
from tests.interop.csv.conftest import read_csv


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
@pytest.mark.parametrize("spaces", ["", " ", "   "])
def test_a_cell_that_starts_a_formula_is_neutralised(start: str, spaces: str) -> None:
    text = f'{spaces}{start}HYPERLINK("http://evil.test","x")'
    assert neutralise(text) == "'" + text
    assert cell(text) == "'" + text


@pytest.mark.parametrize(
    "text", ["Plain title", "a=b", "total -3", "mail me@acme.test", "", "'quoted", "1+1"]
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert neutralise(text) == text


def test_numbers_stay_numbers_and_other_values_read_as_a_spreadsheet_expects() -> None:
    assert cell(-3) == -3
    assert cell(Decimal("-2.5")) == "-2.5"
    assert cell(Decimal("100.0")) == "100"
    assert cell(4.25) == 4.25
    assert cell(None) == ""
    assert (cell(True), cell(False)) == ("yes", "no")
    assert cell(dt.date(2026, 12, 2)) == "2026-12-02"
    assert cell(dt.datetime(2026, 12, 2, 9, 30, tzinfo=dt.UTC)) == "2026-12-02T09:30:00+00:00"
    assert cell(["api", "=cmd", "ux"]) == "api, =cmd, ux"
    # Joined values start with the first one: a formula there is caught too.
    assert cell(["=cmd", "ux"]) == "'=cmd, ux"
    assert cell(("a", "b")) == "a, b"
    assert cell(ItemStatus.READY) == "ready"
    assert cell(frozenset(["-x"])) == "'-x"

    class Odd:
        def __str__(self) -> str:
            return "@odd"

    assert cell(Odd()) == "'@odd"


def test_the_download_streams_utf8_with_a_bom_and_round_trips_quotes_and_newlines() -> None:
    title = 'Say "hello",\nthen =1+1'
    response = csv_response(
        "ACME-backlog-2026-12-02.csv", ["Key", "Title", "Estimate"], [["ACME-1", title, -3]]
    )
    assert response.streaming
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())
    assert b",-3\r\n" in raw  # a number, written as one: no quote, no apostrophe
    rows = list(csv.reader(io.StringIO(raw.decode().removeprefix("\ufeff"), newline="")))
    assert rows == [["Key", "Title", "Estimate"], ["ACME-1", title, "-3"]]
    assert response["Content-Disposition"] == 'attachment; filename="ACME-backlog-2026-12-02.csv"'


def test_an_empty_list_gives_the_header_only() -> None:
    rows = read_csv(csv_response("x.csv", ["Key", "Title"], iter([])))
    assert rows == [["Key", "Title"]]


def test_long_lists_come_in_chunks_and_lose_no_row() -> None:
    count = ROWS_PER_CHUNK * 2 + 7
    response = csv_response("x.csv", ["n"], ([n] for n in range(count)))
    chunks = list(response.streaming_content)
    assert len(chunks) == 3
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode().removeprefix("\ufeff"))))
    assert [int(row[0]) for row in rows[1:]] == list(range(count))


def test_a_file_name_keeps_only_safe_characters() -> None:
    today = timezone.localdate().isoformat()
    assert export_filename("ACME", "backlog") == f"ACME-backlog-{today}.csv"
    assert export_filename('a"b\r\nc/../d', "x") == f"a-b-c-..-d-x-{today}.csv"
    response = csv_response('evil"\r\nSet-Cookie: x.csv', ["a"], [])
    assert response["Content-Disposition"] == ('attachment; filename="evil-Set-Cookie-x.csv"')


def test_the_csv_address_keeps_filters_and_drops_the_page() -> None:
    query = QueryDict("status=ready&label=ui&cursor=abc&fragment=rows&label=api")
    assert csv_url("/w/acme/x", query) == ("/w/acme/x?status=ready&label=ui&label=api&format=csv")
