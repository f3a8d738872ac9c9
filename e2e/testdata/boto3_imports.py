#!/usr/bin/env python3
"""End-to-end checks of ctlake's import operations with boto3.

Run by e2e/boto3_import_test.go, which generates trail trees into a
versitygw bucket, starts the server with that S3 endpoint and writes the
generator's ground truth to the JSON file named by CTLAKE_IMPORT_TRUTH:

    {"whole":  {"uri", "prefixes", "files", "events", "failures": [{"location", "errorType"}]},
     "window": {... as whole, plus "start" and "end" in epoch seconds},
     "day":    {... a region-day folder without broken files},
     "bulk":   {... a large tree without broken files},
     "role":   "arn:aws:iam::...:role/..."}

Every expected figure comes from that truth or from the behaviour spec
(shared/spec/cloudtrail-api.md); the section is named next to each check.

The checks are one import cycle, so they run in order (unittest sorts the
methods by name: test_01 ... test_09) and share the ids of the imports they
start. The server allows one running import per account (spec §4.1), and
each step waits for its imports to end.
"""

import datetime
import json
import math
import os
import time
import unittest
import uuid

from botocore.exceptions import ClientError

from boto3_common import BAD_REF, BAD_TOKEN, URL, ErrorChecks, client

ACCOUNT = os.environ.get("CTLAKE_ACCOUNT_ID", "123456789012")
REGION = "us-east-1"
RUN = uuid.uuid4().hex[:8]

UUID_RE = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
ENDED = ("COMPLETED", "FAILED", "STOPPED")

# §3.3: the members of a ListImports item.
ITEM_MEMBERS = {"ImportId", "ImportStatus", "Destinations", "CreatedTimestamp", "UpdatedTimestamp"}

ct = None
truth = None
state = {}  # what the steps pass on: store ARNs and import ids


def source(uri):
    return {"S3": {"S3LocationUri": uri, "S3BucketRegion": "us-east-1", "S3BucketAccessRoleArn": truth["role"]}}


def epoch(seconds):
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)


def setUpModule():
    global ct, truth
    if not URL:
        raise RuntimeError("CTLAKE_URL is not set")
    with open(os.environ["CTLAKE_IMPORT_TRUTH"]) as f:
        truth = json.load(f)
    ct = client(REGION)
    # The events are from 2025: retention must reach back to them (§4.5).
    for label in ("a", "b"):
        r = ct.create_event_data_store(Name="b3-import-%s-%s" % (label, RUN), RetentionPeriod=3653)
        state["store_" + label] = r["EventDataStoreArn"]


class ImportCycle(ErrorChecks):
    maxDiff = None

    # Helpers.

    def assertRecord(self, r, store, uri, import_id=None, window=None):
        """The members every import description carries (§3.1, A.1)."""
        self.assertRegex(r["ImportId"], UUID_RE, "§2: import ids are lower-case UUIDs")
        if import_id:
            self.assertEqual(r["ImportId"], import_id)
        self.assertEqual(r["Destinations"], [store])
        self.assertEqual(r["ImportSource"], source(uri), "the source as given")
        self.assertIsInstance(r["CreatedTimestamp"], datetime.datetime)
        self.assertGreaterEqual(r["UpdatedTimestamp"], r["CreatedTimestamp"])
        if window:
            # botocore parses the epoch numbers (§1.5) into aware datetimes.
            self.assertEqual(r.get("StartEventTime"), epoch(window["start"]))
            self.assertEqual(r.get("EndEventTime"), epoch(window["end"]))
        else:
            # §3.1: the window is echoed only when given.
            self.assertNotIn("StartEventTime", r)
            self.assertNotIn("EndEventTime", r)

    def start(self, store, want, window=False):
        """Start an import and check the answer (§3.1): INITIALIZING and the request echoed."""
        kwargs = {"Destinations": [store], "ImportSource": source(want["uri"])}
        if window:
            kwargs["StartEventTime"], kwargs["EndEventTime"] = epoch(want["start"]), epoch(want["end"])
        before = datetime.datetime.now(datetime.timezone.utc)
        r = ct.start_import(**kwargs)
        self.assertRecord(r, store, want["uri"], window=want if window else None)
        self.assertEqual(r["ImportStatus"], "INITIALIZING", "§4.1")
        self.assertLess(abs((r["CreatedTimestamp"] - before).total_seconds()), 5, "CreatedTimestamp is the time of the call")
        return r["ImportId"]

    def wait(self, import_id, want):
        """Poll GetImport until the import ends. On the way it passes only through
        the running statuses, and its counters (§4.8) only grow, never past the
        final figures."""
        deadline = time.monotonic() + 90
        last = None
        limit = (want["prefixes"], want["prefixes"], want["files"], want["events"])
        while True:
            r = ct.get_import(ImportId=import_id)
            st = r.get("ImportStatistics", {})
            names = ("PrefixesFound", "PrefixesCompleted", "FilesCompleted", "EventsCompleted", "FailedEntries")
            self.assertEqual(set(st), set(names), "§4.8: GetImport returns all five statistics, zeros early")
            cur = tuple(st[n] for n in names)
            for n, c, l in zip(names, cur, limit):
                self.assertLessEqual(c, l, "%s passed the truth while %s" % (n, r["ImportStatus"]))
            if last:
                self.assertTrue(all(c >= p for c, p in zip(cur[:4], last[:4])), "statistics went back: %s -> %s" % (last, cur))
            last = cur
            if r["ImportStatus"] in ENDED:
                return r
            self.assertIn(r["ImportStatus"], ("INITIALIZING", "IN_PROGRESS"), "§4.1")
            self.assertLess(time.monotonic(), deadline, "import %s still %s after 90s: %s" % (import_id, r["ImportStatus"], st))
            time.sleep(0.05)

    def assertEnd(self, r, want):
        """Final status and statistics against the truth (§4.1, §4.8)."""
        failed = len(want["failures"])
        self.assertEqual(r["ImportStatus"], "FAILED" if failed else "COMPLETED", "§4.1: FAILED if and only if there were failures")
        n = want["prefixes"]
        self.assertEqual(
            r["ImportStatistics"],
            {"PrefixesFound": n, "PrefixesCompleted": n, "FilesCompleted": want["files"], "EventsCompleted": want["events"], "FailedEntries": failed},
        )

    def failures(self, import_id, page_size=2):
        """Every failure entry, through the botocore paginator (§1.9), checking the page sizes."""
        pages = list(ct.get_paginator("list_import_failures").paginate(ImportId=import_id, PaginationConfig={"PageSize": page_size}))
        items = []
        for p in pages:
            self.assertLessEqual(len(p["Failures"]), page_size)
            items += p["Failures"]
        # §1.9: NextToken only while more entries follow: full pages, then the rest.
        self.assertEqual(len(pages), max(1, math.ceil(len(items) / page_size)), "pages of %d entries" % len(items))
        return items

    def assertFailures(self, items, want, status="FAILED", since=None):
        """One entry per broken file, at s3://bucket/key with the failure type of its kind (§4.9)."""
        got = sorted((f["Location"], f["ErrorType"], f["Status"]) for f in items)
        self.assertEqual(got, sorted((f["location"], f["errorType"], status) for f in want["failures"]))
        for f in items:
            self.assertGreater(len(f.get("ErrorMessage", "")), 10, "§4.9: a human explanation")
            self.assertIsInstance(f["LastUpdatedTime"], datetime.datetime)
            if since:
                self.assertGreaterEqual(f["LastUpdatedTime"], since - datetime.timedelta(seconds=1), "%s was not updated by the retry" % f["Location"])

    def list_imports(self, **kwargs):
        """Every import matching the filters, one a page through the paginator, as {id: item}."""
        items = {}
        for p in ct.get_paginator("list_imports").paginate(PaginationConfig={"PageSize": 1}, **kwargs):
            self.assertLessEqual(len(p["Imports"]), 1)
            for it in p["Imports"]:
                self.assertLessEqual(set(it), ITEM_MEMBERS, "§3.3: items carry no statistics and no source")
                self.assertNotIn(it["ImportId"], items, "listed twice")
                items[it["ImportId"]] = it
        return items

    def assertListed(self, items, *ids):
        self.assertEqual(sorted(items), sorted(ids))
        for i, it in items.items():
            self.assertEqual(it["ImportStatus"], state["status"][i])
            self.assertEqual(it["Destinations"], [state["store"][i]])
            self.assertIsInstance(it["CreatedTimestamp"], datetime.datetime)

    # The cycle.

    def test_01_import(self):
        """Import the whole bucket into store A: the broken files fail it, every good file is imported."""
        whole, a = truth["whole"], state["store_a"]
        first = self.start(a, whole)
        state["first"] = first
        r = self.wait(first, whole)
        self.assertRecord(r, a, whole["uri"], import_id=first)
        self.assertEnd(r, whole)
        state["first_end"] = r["UpdatedTimestamp"]
        state["status"] = {first: r["ImportStatus"]}
        state["store"] = {first: a}

    def test_02_failures(self):
        """The failures, two a page, through the paginator; and page by page by hand (§1.9, §4.9)."""
        first, whole = state["first"], truth["whole"]
        self.assertGreater(len(whole["failures"]), 4, "the tree has too few broken files for several pages")
        self.assertFailures(self.failures(first), whole)
        # MaxItems stops the paginator early with a token of its own; StartingToken resumes.
        head = ct.get_paginator("list_import_failures").paginate(ImportId=first, PaginationConfig={"PageSize": 2, "MaxItems": 3}).build_full_result()
        self.assertEqual(len(head["Failures"]), 3)
        self.assertIn("NextToken", head)
        rest = ct.get_paginator("list_import_failures").paginate(
            ImportId=first, PaginationConfig={"PageSize": 2, "StartingToken": head["NextToken"]}
        ).build_full_result()
        self.assertFailures(head["Failures"] + rest["Failures"], whole)
        # By hand: tokens of at least 4 characters, none on the last page.
        seen = []
        for page in self.pages(ct.list_import_failures, 250, ImportId=first, MaxResults=4):
            seen += page["Failures"]
        self.assertFailures(seen, whole)
        self.assertError("InvalidNextTokenException", BAD_TOKEN, ct.list_import_failures, ImportId=first, NextToken="abcdefgh")
        # §1.8: botocore does not check maximums; A.5: MaxResults 1..1000.
        self.assertError("InvalidParameterException", "MaxResults 1001 is out of range: give a value from 1 to 1000.", ct.list_import_failures, ImportId=first, MaxResults=1001)

    def test_03_stop_finished(self):
        """A finished import cannot be stopped (§3.4)."""
        self.assertError("OperationNotPermittedException", "The import %s already ended (FAILED); only a running import can be stopped." % state["first"], ct.stop_import, ImportId=state["first"])

    def test_04_retry(self):
        """Retry with ImportId alone (§4.2): the broken files fail again, so their entries pass
        through RETRY and end FAILED, updated by the retry; good files are not imported twice."""
        first, whole, a = state["first"], truth["whole"], state["store_a"]
        retried = datetime.datetime.now(datetime.timezone.utc)
        r = ct.start_import(ImportId=first)
        self.assertRecord(r, a, whole["uri"], import_id=first)
        self.assertEqual(r["ImportStatus"], "INITIALIZING", "§4.1")
        # While the retry runs, no entry is SUCCEEDED: they are RETRY, or FAILED again.
        for f in ct.list_import_failures(ImportId=first)["Failures"]:
            self.assertIn(f["Status"], ("RETRY", "FAILED"), f["Location"])
        r = self.wait(first, whole)
        # §4.2: the statistics are cumulative; a retry resumes, it does not import again.
        self.assertEnd(r, whole)
        self.assertGreater(r["UpdatedTimestamp"], state["first_end"], "§4.1: UpdatedTimestamp moves")
        self.assertFailures(self.failures(first), whole, since=retried)

    def test_05_window(self):
        """A second import of the bucket, into store B, limited to the last two days (§4.6)."""
        window, b = truth["window"], state["store_b"]
        second = self.start(b, window, window=True)
        r = self.wait(second, window)
        self.assertRecord(r, b, window["uri"], import_id=second, window=window)
        self.assertEnd(r, window)
        self.assertFailures(self.failures(second), window)
        state["second"] = second
        state["status"][second], state["store"][second] = r["ImportStatus"], b

    def test_06_completed(self):
        """A region-day folder without broken files: COMPLETED, with no failures; then
        neither retried nor stopped (§3.1, §3.4, §4.4)."""
        day, b = truth["day"], state["store_b"]
        third = self.start(b, day)
        r = self.wait(third, day)
        self.assertEnd(r, day)
        self.assertEqual(self.failures(third), [])
        self.assertError("OperationNotPermittedException", "The import %s completed without failures; there is nothing to retry." % third, ct.start_import, ImportId=third)
        self.assertError("OperationNotPermittedException", "The import %s already ended (COMPLETED); only a running import can be stopped." % third, ct.stop_import, ImportId=third)
        state["third"] = third
        state["status"][third], state["store"][third] = "COMPLETED", b

    def test_07_list_imports(self):
        """ListImports through its paginator, one a page, with and without filters (§3.3)."""
        a, b = state["store_a"], state["store_b"]
        ids = [state["first"], state["second"], state["third"]]
        self.assertListed(self.list_imports(), *ids)
        self.assertListed(self.list_imports(Destination=b), state["second"], state["third"])
        for status in ("COMPLETED", "FAILED"):
            self.assertListed(self.list_imports(ImportStatus=status), *[i for i in ids if state["status"][i] == status])
        self.assertListed(self.list_imports(Destination=a, ImportStatus="FAILED"), state["first"])
        self.assertListed(self.list_imports(ImportStatus="IN_PROGRESS"))
        self.assertError("EventDataStoreARNInvalidException", BAD_REF, ct.list_imports, Destination="not-a-store")
        self.assertError("InvalidParameterException", "1 validation error detected: Value 'DONE' at 'importStatus' failed to satisfy constraint: Member must satisfy enum value set: [INITIALIZING, IN_PROGRESS, FAILED, STOPPED, COMPLETED]", ct.list_imports, ImportStatus="DONE")  # §1.8: enums are the server's
        self.assertError("InvalidNextTokenException", BAD_TOKEN, ct.list_imports, NextToken="abcdefgh")

    def test_08_errors(self):
        """Errors of each operation (§3.1-§3.5)."""
        unknown = str(uuid.uuid4())
        no_import = "No import with id %s exists in account %s, region %s." % (unknown, ACCOUNT, REGION)
        self.assertError("ImportNotFoundException", no_import, ct.start_import, ImportId=unknown)
        self.assertError("ImportNotFoundException", no_import, ct.get_import, ImportId=unknown)
        self.assertError("ImportNotFoundException", no_import, ct.stop_import, ImportId=unknown)
        # §3.5: ListImportFailures declares no ImportNotFoundException.
        self.assertError("InvalidParameterException", no_import, ct.list_import_failures, ImportId=unknown)
        # §2: import ids are lower-case; botocore checks only the length (§1.8).
        self.assertError("InvalidParameterException", "1 validation error detected: Value '%s' at 'importId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-f0-9\\-]+$" % state["first"].upper(),
            ct.get_import, ImportId=state["first"].upper())
        whole, a = truth["whole"], state["store_a"]
        missing = "arn:aws:cloudtrail:%s:%s:eventdatastore/%s" % (REGION, ACCOUNT, uuid.uuid4())
        self.assertError("EventDataStoreNotFoundException", "The event data store %s was not found in account %s, region %s." % (missing, ACCOUNT, REGION),
            ct.start_import, Destinations=[missing], ImportSource=source(whole["uri"]))
        self.assertError("EventDataStoreARNInvalidException", BAD_REF, ct.start_import, Destinations=["not-a-store"], ImportSource=source(whole["uri"]))
        self.assertError(
            "InvalidParameterException",
            "StartEventTime 2025-04-02T00:00:00Z is after EndEventTime 2025-04-01T00:00:00Z.",
            ct.start_import,
            Destinations=[a],
            ImportSource=source(whole["uri"]),
            StartEventTime=epoch(1743552000),
            EndEventTime=epoch(1743465600),
        )
        self.assertError("InvalidImportSourceException", "The import source s3://no-such-bucket-%s cannot be read: NoSuchBucket: bucket no-such-bucket-%s does not exist…" % (RUN, RUN),
            ct.start_import, Destinations=[a], ImportSource=source("s3://no-such-bucket-%s" % RUN))
        self.assertError("InvalidImportSourceException", "S3LocationUri 'https://example.com/x' is not usable: the scheme must be s3 (or file). Give s3://bucket[/prefix] or file:///absolute/folder/.", ct.start_import, Destinations=[a], ImportSource=source("https://example.com/x"))

    def test_09_one_at_a_time(self):
        """One import at a time per account (§3.1, §4.1): while the bulk tree is being imported,
        neither a new import nor a retry may start. Then stop it (§3.4, §4.3)."""
        bulk, a, b = truth["bulk"], state["store_a"], state["store_b"]
        busy = self.start(a, bulk)
        errors = {}
        for what, kwargs in (
            ("a new import", {"Destinations": [b], "ImportSource": source(truth["whole"]["uri"])}),
            ("a retry", {"ImportId": state["first"]}),
        ):
            try:
                ct.start_import(**kwargs)
                errors[what] = None
            except ClientError as e:
                errors[what] = e.response["Error"]["Code"]
        called = datetime.datetime.now(datetime.timezone.utc)
        try:
            stopped = ct.stop_import(ImportId=busy)
        except ClientError as e:
            # The bulk import ended on its own. If it ran past the calls,
            # their answers still count; either way the stop is untested.
            ended = ct.get_import(ImportId=busy)
            if ended["UpdatedTimestamp"] >= called:
                for what, code in errors.items():
                    self.assertEqual(code, "AccountHasOngoingImportException", "%s while an import runs" % what)
            self.fail("the bulk import of %d files ended (%s) before StopImport (%s); the check needs a larger bulk tree" % (bulk["files"], ended["ImportStatus"], e))
        for what, code in errors.items():
            self.assertEqual(code, "AccountHasOngoingImportException", "%s while an import runs" % what)
        # §3.4: STOPPED, with the statistics so far.
        self.assertRecord(stopped, a, bulk["uri"], import_id=busy)
        self.assertEqual(stopped["ImportStatus"], "STOPPED")
        st = stopped["ImportStatistics"]
        self.assertLess(st["FilesCompleted"], bulk["files"])
        print("the bulk import was stopped after %d of %d files" % (st["FilesCompleted"], bulk["files"]))
        # Stopping it again changes nothing; it stays STOPPED with the same figures (§3.4, §4.3).
        again = ct.stop_import(ImportId=busy)
        self.assertEqual((again["ImportStatus"], again["ImportStatistics"]), ("STOPPED", st))
        got = ct.get_import(ImportId=busy)
        self.assertEqual((got["ImportStatus"], got["ImportStatistics"]), ("STOPPED", st))
        state["status"][busy], state["store"][busy] = "STOPPED", a
        self.assertListed(self.list_imports(ImportStatus="STOPPED"), busy)


if __name__ == "__main__":
    unittest.main(verbosity=2)
