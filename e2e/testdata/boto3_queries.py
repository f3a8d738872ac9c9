#!/usr/bin/env python3
"""End-to-end checks of ctlake's query operations with boto3.

Run by e2e/boto3_query_test.go, which imports the shared real dataset
(shared/testdata/invictus-aws) into a store with the Go SDK and passes the
store id in CTLAKE_QUERY_STORE. Every expected figure comes from the
dataset's README (2,900 events; Decrypt 178, DescribeRouteTables 163,
GetUser 130; first and last eventTime 2023-07-10 11:42:18 and 12:37:50; 260
event names) or from the behaviour spec (shared/spec/cloudtrail-api.md),
whose sections are named next to the checks.

The checks share the ids of the queries they start, so they run in order
(unittest sorts the methods by name: test_01 ... test_08).
"""

import datetime
import os
import time
import unittest
import uuid

from boto3_common import BAD_TOKEN, URL, ErrorChecks, client

STORE = os.environ.get("CTLAKE_QUERY_STORE", "")
REGION = "us-east-1"

UUID_RE = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
UNKNOWN_QUERY = "00000000-0000-4000-8000-000000000000"
NO_QUERY = "No query with id %s exists in account 123456789012, region us-east-1 (queries are kept seven days)." % UNKNOWN_QUERY

ct = None
state = {}  # query ids by name, with the status each must end in


def setUpModule():
    global ct
    if not URL or not STORE:
        raise RuntimeError("CTLAKE_URL and CTLAKE_QUERY_STORE must be set")
    ct = client(REGION)


def rows_text(rows):
    """Rows as lists of (label, value) pairs; each cell is a one-key map (§6.4)."""
    out = []
    for r in rows:
        cells = []
        for cell in r:
            assert len(cell) == 1, "a cell with %d keys: %r" % (len(cell), cell)
            cells.extend(cell.items())
        out.append(cells)
    return out


class Queries(ErrorChecks):
    maxDiff = None

    def start(self, sql):
        before = datetime.datetime.now(datetime.timezone.utc)
        r = ct.start_query(QueryStatement=sql)
        self.assertRegex(r["QueryId"], UUID_RE, "§3.13: a new lower-case UUID")
        state.setdefault("started", []).append(r["QueryId"])
        state.setdefault("before", before)
        return r["QueryId"]

    def wait(self, query_id):
        """Poll describe_query until the query ends (§6.3): it only passes through QUEUED and RUNNING."""
        deadline = time.monotonic() + 60
        while True:
            d = ct.describe_query(QueryId=query_id)
            if d["QueryStatus"] not in ("QUEUED", "RUNNING"):
                return d
            self.assertLess(time.monotonic(), deadline, "query %s still %s after 60s" % (query_id, d["QueryStatus"]))
            time.sleep(0.02)

    def results(self, query_id, page_size=None):
        """Every row, paging by hand with NextToken (§1.9: botocore has no paginator for it)."""
        kwargs = {"QueryId": query_id}
        if page_size:
            kwargs["MaxQueryResults"] = page_size
        rows, pages = [], []
        while True:
            p = ct.get_query_results(**kwargs)
            pages.append(p)
            rows += p["QueryResultRows"]
            token = p.get("NextToken")
            if not token:
                return rows, pages
            self.assertGreaterEqual(len(token), 4, "§1.9: tokens are 4..1000 characters")
            self.assertNotEqual(token, kwargs.get("NextToken"), "§1.9: the same token twice")
            kwargs["NextToken"] = token
            self.assertLess(len(pages), 100, "paging does not end")

    def run_query(self, sql):
        qid = self.start(sql)
        d = self.wait(qid)
        self.assertEqual(d["QueryStatus"], "FINISHED", "%s: %s" % (sql, d.get("ErrorMessage")))
        rows, _ = self.results(qid)
        return qid, d, rows

    def test_01_top_event_names(self):
        """The README's three most frequent event names, with describe_query's statistics (§3.14, §6.4)."""
        sql = (
            "SELECT eventName, COUNT(*) AS apiCount FROM %s WHERE eventTime > '2023-07-01 00:00:00' "
            "GROUP BY eventName ORDER BY apiCount DESC LIMIT 3" % STORE
        )
        qid, d, rows = self.run_query(sql)
        state["top"] = qid
        self.assertEqual(d["QueryId"], qid)
        self.assertEqual(d["QueryString"], sql, "§3.14: the statement as sent")
        self.assertNotIn("ErrorMessage", d)
        st = d["QueryStatistics"]
        self.assertEqual(st["EventsScanned"], 2900, "every event of the store is read")
        self.assertGreater(st["BytesScanned"], 0)
        self.assertIsInstance(st["CreationTime"], datetime.datetime)
        self.assertLess(abs((st["CreationTime"] - state["before"]).total_seconds()), 60)
        self.assertGreaterEqual(st["ExecutionTimeInMillis"], 0)
        self.assertEqual(
            rows_text(rows),
            [
                [("eventName", "Decrypt"), ("apiCount", "178")],
                [("eventName", "DescribeRouteTables"), ("apiCount", "163")],
                [("eventName", "GetUser"), ("apiCount", "130")],
            ],
        )

    def test_02_counts_and_labels(self):
        """Unnamed columns are _col0, _col1 ...; timestamps YYYY-MM-DD HH:MM:SS.mmm; counts as text (§6.4)."""
        _, _, rows = self.run_query(
            "SELECT count(*), count(DISTINCT eventName), min(eventTime) AS firstEvent, max(eventTime) AS lastEvent FROM %s" % STORE
        )
        self.assertEqual(
            rows_text(rows),
            [[("_col0", "2900"), ("_col1", "260"), ("firstEvent", "2023-07-10 11:42:18.000"), ("lastEvent", "2023-07-10 12:37:50.000")]],
        )

    def test_03_nulls(self):
        """SQL NULL arrives as None (§6.4): console sign-ins carry no errorCode."""
        _, _, rows = self.run_query(
            "SELECT eventName, errorCode, userIdentity.userName FROM %s WHERE eventName = 'ConsoleLogin' ORDER BY eventTime" % STORE
        )
        self.assertEqual(len(rows), 2)
        for r in rows_text(rows):
            self.assertEqual(r[:2], [("eventName", "ConsoleLogin"), ("errorCode", None)])
            self.assertEqual(r[2][0], "userName", "§6.4: a struct path is labelled by its last component")
            self.assertIsInstance(r[2][1], str)

    def test_04_paging(self):
        """All 2,900 events, 1,000 a page by hand (§1.9, §3.15): 3 pages, each event once, in order."""
        qid = self.start("SELECT eventID, eventTime FROM %s ORDER BY eventTime, eventID" % STORE)
        state["all"] = qid
        d = self.wait(qid)
        self.assertEqual(d["QueryStatus"], "FINISHED", d.get("ErrorMessage"))
        self.assertEqual(d["QueryStatistics"]["EventsMatched"], 2900)
        if ct.can_paginate("get_query_results"):
            print("botocore now has a paginator for get_query_results; paging by hand anyway")
        rows, pages = self.results(qid, page_size=1000)
        self.assertEqual([len(p["QueryResultRows"]) for p in pages], [1000, 1000, 900])
        for p in pages:
            self.assertEqual(p["QueryStatus"], "FINISHED")
            self.assertEqual(p["QueryStatistics"]["ResultsCount"], len(p["QueryResultRows"]))
            self.assertEqual(p["QueryStatistics"]["TotalResultsCount"], 2900)
        cells = rows_text(rows)
        self.assertEqual(len({r[0][1] for r in cells}), 2900, "every event once")
        times = [r[1][1] for r in cells]
        self.assertEqual(times, sorted(times))
        self.assertEqual((times[0], times[-1]), ("2023-07-10 11:42:18.000", "2023-07-10 12:37:50.000"))
        # §3.15, §1.8: botocore checks the minimum of MaxQueryResults, the server the maximum.
        self.assertError("InvalidMaxResultsException", "MaxResults 1001 is out of range: give a value from 1 to 1000.", ct.get_query_results, QueryId=qid, MaxQueryResults=1001)
        self.assertError("InvalidNextTokenException", BAD_TOKEN, ct.get_query_results, QueryId=qid, NextToken="forged-token")
        self.assertError("QueryIdNotFoundException", NO_QUERY, ct.get_query_results, QueryId=UNKNOWN_QUERY)
        self.assertError("QueryIdNotFoundException", NO_QUERY, ct.describe_query, QueryId=UNKNOWN_QUERY)

    def test_05_failed_query(self):
        """A statement that runs and fails ends FAILED with an ErrorMessage (§3.14, §3.15, §6.3)."""
        qid = self.start("SELECT CAST(eventName AS integer) FROM %s" % STORE)
        state["failed"] = qid
        d = self.wait(qid)
        self.assertEqual(d["QueryStatus"], "FAILED")
        self.assertGreaterEqual(len(d.get("ErrorMessage", "")), 4)
        r = ct.get_query_results(QueryId=qid)
        self.assertEqual(r["QueryStatus"], "FAILED")
        self.assertTrue(r.get("ErrorMessage"), "§3.15: GetQueryResults carries the ErrorMessage")
        self.assertEqual(r.get("QueryResultRows", []), [])

    def test_06_list_queries(self):
        """list_queries names this store's queries with their status; filters and pages (§3.16)."""
        r = ct.list_queries(EventDataStore=STORE)
        self.assertNotIn("NextToken", r)
        listed = {q["QueryId"]: q for q in r["Queries"]}
        self.assertEqual(sorted(listed), sorted(state["started"]))
        for q in listed.values():
            self.assertEqual(set(q), {"QueryId", "QueryStatus", "CreationTime"})
            self.assertIsInstance(q["CreationTime"], datetime.datetime)
        self.assertEqual(listed[state["failed"]]["QueryStatus"], "FAILED")
        self.assertEqual(listed[state["top"]]["QueryStatus"], "FINISHED")
        failed = ct.list_queries(EventDataStore=STORE, QueryStatus="FAILED")["Queries"]
        self.assertEqual([q["QueryId"] for q in failed], [state["failed"]])
        # No paginator for list_queries either (§1.9): one a page, by hand.
        seen, kwargs = [], {"EventDataStore": STORE, "QueryStatus": "FINISHED", "MaxResults": 1}
        while True:
            page = ct.list_queries(**kwargs)
            self.assertLessEqual(len(page["Queries"]), 1)
            seen += [q["QueryId"] for q in page["Queries"]]
            token = page.get("NextToken")
            if not token:
                break
            self.assertGreaterEqual(len(token), 4)
            kwargs["NextToken"] = token
            self.assertLess(len(seen), 100, "paging does not end")
        self.assertEqual(sorted(seen), sorted(q for q in state["started"] if q != state["failed"]))
        # A window of creation times that ends before the queries began lists none.
        early = state["before"] - datetime.timedelta(hours=2)
        r = ct.list_queries(EventDataStore=STORE, StartTime=early, EndTime=early + datetime.timedelta(hours=1))
        self.assertEqual(r["Queries"], [])
        self.assertError("InvalidQueryStatusException", "QueryStatus 'DONE' is not one of QUEUED, RUNNING, FINISHED, FAILED, CANCELLED, TIMED_OUT.", ct.list_queries, EventDataStore=STORE, QueryStatus="DONE")
        self.assertError("InvalidMaxResultsException", "MaxResults 1001 is out of range: give a value from 1 to 1000.", ct.list_queries, EventDataStore=STORE, MaxResults=1001)
        self.assertError(
            "InvalidDateRangeException", "StartTime is after EndTime.", ct.list_queries, EventDataStore=STORE, StartTime=state["before"], EndTime=early
        )

    def test_07_cancel(self):
        """Finished, failed and unknown queries cannot be cancelled (§3.17)."""
        self.assertError("InactiveQueryException", "The query %s already ended (FINISHED); only a queued or running query can be cancelled." % state["top"],
            ct.cancel_query, QueryId=state["top"])
        self.assertError("InactiveQueryException", "The query %s already ended (FAILED); only a queued or running query can be cancelled." % state["failed"],
            ct.cancel_query, QueryId=state["failed"])
        self.assertError("QueryIdNotFoundException", NO_QUERY, ct.cancel_query, QueryId=UNKNOWN_QUERY)
        self.assertEqual(ct.describe_query(QueryId=state["top"])["QueryStatus"], "FINISHED", "a refused cancel changes nothing")

    def test_08_refused_statements(self):
        """Statements that are not one valid SELECT over the caller's stores (§3.13, §6.1)."""
        only_select = "only SELECT statements are supported; the statement starts with %s at line 1, column 1"
        for sql, message in (
            ("SELEC eventName FROM %s" % STORE, only_select % "SELEC"),
            ("DELETE FROM %s" % STORE, only_select % "DELETE"),
            ("SELECT eventName FROM %s; SELECT 1" % STORE, "only one statement is allowed at line 1, column %d" % (len("SELECT eventName FROM ") + len(STORE) + 1)),
            ("COPY (SELECT * FROM %s) TO '/tmp/out.csv'" % STORE, only_select % "COPY"),
        ):
            self.assertError("InvalidQueryStatementException", message, ct.start_query, QueryStatement=sql)
        missing = str(uuid.uuid4())
        self.assertError(
            "EventDataStoreNotFoundException",
            "The event data store %s was not found in account 123456789012, region us-east-1." % missing,
            ct.start_query,
            QueryStatement="SELECT count(*) FROM %s" % missing,
        )


if __name__ == "__main__":
    unittest.main(verbosity=2)
