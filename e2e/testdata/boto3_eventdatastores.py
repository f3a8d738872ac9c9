#!/usr/bin/env python3
"""End-to-end checks of ctlake's event data store and tag operations with boto3.

Run by e2e/boto3_test.go; also runnable by hand against a server:

    CTLAKE_URL=http://127.0.0.1:8080 AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... \
        python3 e2e/testdata/boto3_eventdatastores.py [-v] [TestCase.test_name ...]

Every expected value comes from the behaviour spec
(shared/spec/cloudtrail-api.md); the section is named next to each check.

Region budget: the server allows 10 stores per region, and stores pending
deletion count (spec §5.5), so deleting does not free a slot. The checks
in eu-west-1 create at most 9 stores in all; the quota check has
ap-south-1 to itself. Names are unique per run, so the checks do not depend
on each other or on their order.
"""

import datetime
import os
import re
import sys
import unittest
import uuid

from boto3_common import BAD_REF, BAD_TOKEN, URL, ErrorChecks, client

ACCOUNT = os.environ.get("CTLAKE_ACCOUNT_ID", "123456789012")
REGION = "eu-west-1"
QUOTA_REGION = "ap-south-1"
RUN = uuid.uuid4().hex[:8]

# An id no store has, and the message of the error that names it.
MISSING = str(uuid.uuid4())


def not_found(ref, region=REGION):
    return "The event data store %s was not found in account %s, region %s." % (ref, ACCOUNT, region)


UUID_RE = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

# §5.2: the selector a store gets when created without one.
DEFAULT_SELECTORS = [
    {
        "Name": "Default management events",
        "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}],
    }
]


def unique(label):
    """A store name of this run: 3..128 of [a-zA-Z0-9._-] (spec §2)."""
    return "b3-%s-%s" % (RUN, label)


def tags_of(tags_list):
    """Tags as {key: value}; a tag without a value maps to None (§3.18)."""
    return {t["Key"]: t.get("Value") for t in tags_list or []}


ct = None
fixture = None  # the create response of a store with every default


def setUpModule():
    global ct, fixture
    if not URL:
        raise RuntimeError("CTLAKE_URL is not set")
    ct = client(REGION)
    fixture = ct.create_event_data_store(Name=unique("fixture"))


class Check(ErrorChecks):
    def assertStoreARN(self, arn, region=REGION):
        """§2: arn:aws:cloudtrail:<region>:<account>:eventdatastore/<lower-case uuid>."""
        self.assertRegex(arn, r"^arn:aws:cloudtrail:%s:%s:eventdatastore/%s$" % (re.escape(region), ACCOUNT, UUID_RE))
        return arn.rsplit("/", 1)[1]

    def assertRecent(self, ts, what):
        """botocore parses the epoch-number timestamps (§1.5) into aware datetimes."""
        self.assertIsInstance(ts, datetime.datetime, what)
        self.assertIsNotNone(ts.tzinfo, what)
        now = datetime.datetime.now(datetime.timezone.utc)
        self.assertLess(abs((now - ts).total_seconds()), 120, "%s = %s is not the time of this run" % (what, ts))

    def create(self, label, **kwargs):
        return ct.create_event_data_store(Name=unique(label), **kwargs)


class CreateAndGet(Check):
    def test_create_defaults(self):
        r = fixture
        self.assertStoreARN(r["EventDataStoreArn"])
        self.assertEqual(r["Name"], unique("fixture"))
        # §5.1, §5.2
        self.assertEqual(r["Status"], "CREATED")
        self.assertEqual(r["RetentionPeriod"], 366)
        self.assertIs(r["TerminationProtectionEnabled"], True)
        self.assertIs(r["MultiRegionEnabled"], True)
        self.assertIs(r["OrganizationEnabled"], False)
        self.assertEqual(r["BillingMode"], "EXTENDABLE_RETENTION_PRICING")
        self.assertEqual(r["AdvancedEventSelectors"], DEFAULT_SELECTORS)
        self.assertNotIn("KmsKeyId", r)
        self.assertTrue(r["ResponseMetadata"].get("RequestId"), "§1.6: responses carry x-amzn-RequestId")
        self.assertRecent(r["CreatedTimestamp"], "CreatedTimestamp")
        self.assertRecent(r["UpdatedTimestamp"], "UpdatedTimestamp")

    def test_get_by_arn_and_by_id(self):
        arn = fixture["EventDataStoreArn"]
        store_id = self.assertStoreARN(arn)
        by_arn = ct.get_event_data_store(EventDataStore=arn)
        by_id = ct.get_event_data_store(EventDataStore=store_id)
        for g in (by_arn, by_id):
            g.pop("ResponseMetadata")
            self.assertEqual(g["EventDataStoreArn"], arn)
            self.assertIn(":%s:" % REGION, g["EventDataStoreArn"])
            self.assertEqual(g["Name"], unique("fixture"))
            self.assertEqual(g["Status"], "ENABLED")  # §5.1: CREATED → ENABLED
            self.assertEqual(g["RetentionPeriod"], 366)
            self.assertIs(g["TerminationProtectionEnabled"], True)
            self.assertIs(g["MultiRegionEnabled"], True)
            self.assertIs(g["OrganizationEnabled"], False)
            self.assertEqual(g["BillingMode"], "EXTENDABLE_RETENTION_PRICING")
            self.assertEqual(g["AdvancedEventSelectors"], DEFAULT_SELECTORS)
            self.assertIsInstance(g["CreatedTimestamp"], datetime.datetime)
            self.assertEqual(g["CreatedTimestamp"], fixture["CreatedTimestamp"])
        self.assertEqual(by_arn, by_id)

    def test_create_explicit_members(self):
        key = str(uuid.uuid4())
        selectors = [
            {
                "Name": "S3 object data events",
                "FieldSelectors": [
                    {"Field": "eventCategory", "Equals": ["Data"]},
                    {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
                    {"Field": "readOnly", "Equals": ["false"]},
                ],
            }
        ]
        r = self.create(
            "explicit",
            RetentionPeriod=90,
            MultiRegionEnabled=False,
            TerminationProtectionEnabled=False,
            TagsList=[{"Key": "team", "Value": "security"}, {"Key": "flag"}],
            AdvancedEventSelectors=selectors,
            KmsKeyId=key,
            BillingMode="EXTENDABLE_RETENTION_PRICING",
        )
        self.assertEqual(r["Status"], "CREATED")
        self.assertEqual(r["RetentionPeriod"], 90)
        self.assertIs(r["MultiRegionEnabled"], False)
        self.assertIs(r["TerminationProtectionEnabled"], False)
        self.assertEqual(r["AdvancedEventSelectors"], selectors)
        # §2: a key id is accepted; responses carry the key ARN.
        key_arn = "arn:aws:kms:%s:%s:key/%s" % (REGION, ACCOUNT, key)
        self.assertEqual(r["KmsKeyId"], key_arn)
        # §5.2: the response includes TagsList when tags were given.
        self.assertEqual(tags_of(r["TagsList"]), {"team": "security", "flag": None})
        g = ct.get_event_data_store(EventDataStore=r["EventDataStoreArn"])
        self.assertEqual(g["KmsKeyId"], key_arn)
        self.assertEqual(g["AdvancedEventSelectors"], selectors)
        self.assertEqual(g["RetentionPeriod"], 90)
        self.assertIs(g["MultiRegionEnabled"], False)

    def test_create_errors(self):
        name = fixture["Name"]
        self.assertError("EventDataStoreAlreadyExistsException", "An event data store named %s already exists." % unique("fixture"), ct.create_event_data_store, Name=name)  # §3.6
        self.assertError("InvalidParameterException", "1 validation error detected: Value 'a b' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9._\\-]+$", ct.create_event_data_store, Name="a b")  # §2 name pattern
        self.assertError("InvalidParameterException", "1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must have length less than or equal to 128" % unique("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"), ct.create_event_data_store, Name=unique("x" * 130))  # §2 3..128
        # §3.6: retention 7..3653, at most 2557 with fixed pricing.
        self.assertError("InvalidParameterException", "1 validation error detected: Value '3654' at 'retentionPeriod' failed to satisfy constraint: Member must have value less than or equal to 3653", ct.create_event_data_store, Name=unique("r3654"), RetentionPeriod=3654)
        self.assertError(
            "InvalidParameterException",
            "The retention period 2558 is not valid for billing mode FIXED_RETENTION_PRICING: it must be between 7 and 2557 days.",
            ct.create_event_data_store,
            Name=unique("fixed2558"),
            BillingMode="FIXED_RETENTION_PRICING",
            RetentionPeriod=2558,
        )
        # §1.8: enums are the server's to check.
        self.assertError("InvalidParameterException", "1 validation error detected: Value 'FREE' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [EXTENDABLE_RETENTION_PRICING, FIXED_RETENTION_PRICING]", ct.create_event_data_store, Name=unique("mode"), BillingMode="FREE")
        # §5.3: data-event selectors must test resources.type.
        self.assertError(
            "InvalidEventSelectorsException",
            "The advanced event selectors are not valid: selector 1: selectors of Data events must test resources.type.",
            ct.create_event_data_store,
            Name=unique("badsel"),
            AdvancedEventSelectors=[{"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]}]}],
        )
        # §3.6, §3.18: bad tags are InvalidTagParameterException on create
        # (duplicate keys; more than the 50 tags a resource may have, §2).
        self.assertError(
            "InvalidTagParameterException",
            "The tag key 'k' appears more than once in the request.",
            ct.create_event_data_store,
            Name=unique("dupkeys"),
            TagsList=[{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}],
        )
        self.assertError(
            "InvalidTagParameterException",
            "51 tags given; a resource has at most 50.",
            ct.create_event_data_store,
            Name=unique("51tags"),
            TagsList=[{"Key": "k%02d" % i} for i in range(51)],
        )

    def test_get_errors(self):
        self.assertError("EventDataStoreNotFoundException", not_found(MISSING), ct.get_event_data_store, EventDataStore=MISSING)
        self.assertError("EventDataStoreARNInvalidException", BAD_REF, ct.get_event_data_store, EventDataStore="not-a-store")
        # §2: an ARN of another region names a store the caller cannot see.
        other = fixture["EventDataStoreArn"].replace(":%s:" % REGION, ":us-west-2:")
        self.assertError("EventDataStoreNotFoundException", "The event data store %s was not found: it belongs to account %s in region us-west-2, and this request is for account %s in region %s." % (other, ACCOUNT, ACCOUNT, REGION),
            ct.get_event_data_store, EventDataStore=other)


class ListStores(Check):
    def test_manual_paging(self):
        own = self.create("paging")
        mine = {fixture["Name"]: fixture["EventDataStoreArn"], own["Name"]: own["EventDataStoreArn"]}
        seen, pages = [], 0
        for page in self.pages(ct.list_event_data_stores, 20, MaxResults=1):
            pages += 1
            items = page["EventDataStores"]
            self.assertLessEqual(len(items), 1, "MaxResults=1")
            for item in items:
                # §3.8: only the ARN and the name are current item members.
                self.assertEqual(set(item), {"EventDataStoreArn", "Name"})
                self.assertStoreARN(item["EventDataStoreArn"])
                seen.append(item["Name"])
                if item["Name"] in mine:
                    self.assertEqual(item["EventDataStoreArn"], mine[item["Name"]])
        self.assertGreaterEqual(pages, 2)
        self.assertEqual(len(seen), len(set(seen)), "a store listed twice: %s" % seen)
        self.assertLessEqual(set(mine), set(seen))
        unpaged = ct.list_event_data_stores()
        self.assertNotIn("NextToken", unpaged)
        self.assertEqual(sorted(s["Name"] for s in unpaged["EventDataStores"]), sorted(seen))

    def test_list_errors(self):
        self.assertError("InvalidNextTokenException", BAD_TOKEN, ct.list_event_data_stores, NextToken="abcdefgh")
        self.assertError("InvalidMaxResultsException", "MaxResults 1001 is out of range: give a value from 1 to 1000.", ct.list_event_data_stores, MaxResults=1001)


class Update(Check):
    def test_update(self):
        r = self.create("upd")
        arn = r["EventDataStoreArn"]
        new_name = unique("upd-renamed")
        # §3.9: rename; retention down to the minimum of 7 days (§5.2).
        u = ct.update_event_data_store(EventDataStore=arn, Name=new_name, RetentionPeriod=7)
        self.assertEqual(u["Name"], new_name)
        self.assertEqual(u["RetentionPeriod"], 7)
        self.assertEqual(u["EventDataStoreArn"], arn)
        self.assertEqual(u["Status"], "ENABLED")  # §3.9: status unchanged
        self.assertEqual(u["CreatedTimestamp"], r["CreatedTimestamp"])
        self.assertGreaterEqual(u["UpdatedTimestamp"], r["UpdatedTimestamp"])
        g = ct.get_event_data_store(EventDataStore=arn.rsplit("/", 1)[1])
        self.assertEqual((g["Name"], g["RetentionPeriod"]), (new_name, 7))
        # §3.9: at least one member besides the store.
        self.assertError("InvalidParameterException", "Nothing to update: give at least one of Name, AdvancedEventSelectors, MultiRegionEnabled, OrganizationEnabled, RetentionPeriod, TerminationProtectionEnabled, KmsKeyId or BillingMode.", ct.update_event_data_store, EventDataStore=arn)
        # §3.9: renaming onto a taken name.
        self.assertError(
            "EventDataStoreAlreadyExistsException", "An event data store named %s already exists." % unique("fixture"), ct.update_event_data_store, EventDataStore=arn, Name=fixture["Name"]
        )
        # §3.9: retention limits as for create.
        self.assertError("InvalidParameterException", "1 validation error detected: Value '3654' at 'retentionPeriod' failed to satisfy constraint: Member must have value less than or equal to 3653", ct.update_event_data_store, EventDataStore=arn, RetentionPeriod=3654)
        # §3.9: extendable → fixed is refused.
        self.assertError(
            "InvalidParameterException", "The billing mode can change from FIXED_RETENTION_PRICING to EXTENDABLE_RETENTION_PRICING, not back.", ct.update_event_data_store, EventDataStore=arn, BillingMode="FIXED_RETENTION_PRICING"
        )
        # Failed updates changed nothing.
        g = ct.get_event_data_store(EventDataStore=arn)
        self.assertEqual(
            (g["Name"], g["RetentionPeriod"], g["BillingMode"]), (new_name, 7, "EXTENDABLE_RETENTION_PRICING")
        )
        self.assertError("EventDataStoreNotFoundException", not_found(MISSING), ct.update_event_data_store, EventDataStore=MISSING, RetentionPeriod=30)

    def test_billing_modes(self):
        r = self.create("fixed", BillingMode="FIXED_RETENTION_PRICING")
        arn = r["EventDataStoreArn"]
        self.assertEqual(r["BillingMode"], "FIXED_RETENTION_PRICING")
        self.assertEqual(r["RetentionPeriod"], 2557)  # §5.2
        # §3.9: retention is checked against the resulting billing mode.
        self.assertError("InvalidParameterException", "The retention period 3000 is not valid for billing mode FIXED_RETENTION_PRICING: it must be between 7 and 2557 days.", ct.update_event_data_store, EventDataStore=arn, RetentionPeriod=3000)
        u = ct.update_event_data_store(EventDataStore=arn, BillingMode="EXTENDABLE_RETENTION_PRICING", RetentionPeriod=3000)
        self.assertEqual((u["BillingMode"], u["RetentionPeriod"]), ("EXTENDABLE_RETENTION_PRICING", 3000))
        self.assertError(
            "InvalidParameterException", "The billing mode can change from FIXED_RETENTION_PRICING to EXTENDABLE_RETENTION_PRICING, not back.", ct.update_event_data_store, EventDataStore=arn, BillingMode="FIXED_RETENTION_PRICING"
        )
        # §5.2: 3653 days is the most extendable pricing allows.
        u = ct.update_event_data_store(EventDataStore=arn, RetentionPeriod=3653)
        self.assertEqual(u["RetentionPeriod"], 3653)
        g = ct.get_event_data_store(EventDataStore=arn)
        self.assertEqual((g["BillingMode"], g["RetentionPeriod"]), ("EXTENDABLE_RETENTION_PRICING", 3653))


class DeleteRestore(Check):
    def test_delete_and_restore(self):
        r = self.create("del")
        arn = r["EventDataStoreArn"]
        # §3.10, §5.2: protected by default.
        self.assertError("EventDataStoreTerminationProtectedException", "The event data store %s has termination protection enabled. Turn it off with UpdateEventDataStore (--no-termination-protection-enabled) before deleting it." % unique("del"), ct.delete_event_data_store, EventDataStore=arn)
        ct.update_event_data_store(EventDataStore=arn, TerminationProtectionEnabled=False)
        # §3.11: only a store pending deletion can be restored.
        self.assertError("InvalidEventDataStoreStatusException", "The event data store %s is ENABLED; only a store pending deletion can be restored." % unique("del"), ct.restore_event_data_store, EventDataStore=arn)
        d = ct.delete_event_data_store(EventDataStore=arn.rsplit("/", 1)[1])
        d.pop("ResponseMetadata")
        self.assertEqual(d, {})  # §1.6
        # §3.7: Get works during PENDING_DELETION.
        g = ct.get_event_data_store(EventDataStore=arn)
        self.assertEqual(g["Status"], "PENDING_DELETION")
        self.assertEqual(g["Name"], r["Name"])
        # §3.9, §3.10, §3.18: a store pending deletion is inactive.
        self.assertError("InactiveEventDataStoreException", "The event data store %s is pending deletion; restore it with RestoreEventDataStore first." % unique("del"), ct.update_event_data_store, EventDataStore=arn, RetentionPeriod=30)
        self.assertError("InactiveEventDataStoreException", "The event data store %s is pending deletion; restore it with RestoreEventDataStore first." % unique("del"), ct.delete_event_data_store, EventDataStore=arn)
        self.assertError("InactiveEventDataStoreException", "The event data store %s is pending deletion; restore it with RestoreEventDataStore first." % unique("del"), ct.add_tags, ResourceId=arn, TagsList=[{"Key": "k"}])
        # §5.4: the name stays taken while the store is pending deletion.
        self.assertError("EventDataStoreAlreadyExistsException", "An event data store named %s already exists (pending deletion; restore it or wait until it is purged)." % unique("del"), ct.create_event_data_store, Name=r["Name"])
        # §3.11, §5.1: restored to ENABLED, configuration intact.
        rs = ct.restore_event_data_store(EventDataStore=arn)
        self.assertEqual(rs["Status"], "ENABLED")
        self.assertEqual(rs["EventDataStoreArn"], arn)
        self.assertEqual(rs["Name"], r["Name"])
        self.assertEqual(rs["RetentionPeriod"], 366)
        self.assertIs(rs["TerminationProtectionEnabled"], False)
        self.assertEqual(ct.get_event_data_store(EventDataStore=arn)["Status"], "ENABLED")
        self.assertError("InvalidEventDataStoreStatusException", "The event data store %s is ENABLED; only a store pending deletion can be restored." % unique("del"), ct.restore_event_data_store, EventDataStore=arn)
        self.assertError("EventDataStoreNotFoundException", not_found(MISSING), ct.delete_event_data_store, EventDataStore=MISSING)
        self.assertError("EventDataStoreARNInvalidException", BAD_REF, ct.restore_event_data_store, EventDataStore="not-a-store")


class Ingestion(Check):
    def test_start_stop(self):
        r = self.create("ingest", StartIngestion=False)
        arn = r["EventDataStoreArn"]
        self.assertEqual(r["Status"], "CREATED")  # §5.1: the create response shows CREATED
        get_status = lambda: ct.get_event_data_store(EventDataStore=arn)["Status"]
        self.assertEqual(get_status(), "STOPPED_INGESTION")  # §5.1
        # §3.12: Start needs STOPPED_INGESTION, Stop needs ENABLED.
        self.assertError("InvalidEventDataStoreStatusException", "The event data store %s is STOPPED_INGESTION; this operation needs it ENABLED." % unique("ingest"), ct.stop_event_data_store_ingestion, EventDataStore=arn)
        out = ct.start_event_data_store_ingestion(EventDataStore=arn)
        out.pop("ResponseMetadata")
        self.assertEqual(out, {})
        self.assertEqual(get_status(), "ENABLED")
        self.assertError("InvalidEventDataStoreStatusException", "The event data store %s is ENABLED; this operation needs it STOPPED_INGESTION." % unique("ingest"), ct.start_event_data_store_ingestion, EventDataStore=arn)
        out = ct.stop_event_data_store_ingestion(EventDataStore=arn.rsplit("/", 1)[1])
        out.pop("ResponseMetadata")
        self.assertEqual(out, {})
        self.assertEqual(get_status(), "STOPPED_INGESTION")
        self.assertError("InvalidEventDataStoreStatusException", "The event data store %s is STOPPED_INGESTION; this operation needs it ENABLED." % unique("ingest"), ct.stop_event_data_store_ingestion, EventDataStore=arn)
        self.assertError("EventDataStoreNotFoundException", not_found(MISSING), ct.start_event_data_store_ingestion, EventDataStore=MISSING)
        self.assertError("EventDataStoreARNInvalidException", BAD_REF, ct.stop_event_data_store_ingestion, EventDataStore="not-a-store")


class Tags(Check):
    def list_tags(self, arn):
        out = ct.list_tags(ResourceIdList=[arn])["ResourceTagList"]
        self.assertEqual([rt["ResourceId"] for rt in out], [arn])
        return tags_of(out[0].get("TagsList"))

    def test_tags(self):
        r = self.create("tags", TagsList=[{"Key": "env", "Value": "dev"}])
        arn = r["EventDataStoreArn"]
        self.assertEqual(self.list_tags(arn), {"env": "dev"})
        # §3.18: AddTags overwrites the value of an existing key; a key
        # without a value is kept with no value.
        ct.add_tags(ResourceId=arn, TagsList=[{"Key": "env", "Value": "prod"}, {"Key": "owner", "Value": "alice"}, {"Key": "bare"}])
        self.assertEqual(self.list_tags(arn), {"env": "prod", "owner": "alice", "bare": None})
        # RemoveTags removes by key.
        ct.remove_tags(ResourceId=arn, TagsList=[{"Key": "owner"}, {"Key": "bare"}])
        self.assertEqual(self.list_tags(arn), {"env": "prod"})
        # ListTags answers for every resource asked, in one call.
        both = ct.list_tags(ResourceIdList=[arn, fixture["EventDataStoreArn"]])["ResourceTagList"]
        self.assertEqual(
            {rt["ResourceId"]: tags_of(rt.get("TagsList")) for rt in both},
            {arn: {"env": "prod"}, fixture["EventDataStoreArn"]: {}},
        )

    def test_tag_limits(self):
        r = self.create("taglimit", TagsList=[{"Key": "k00", "Value": "v"}])
        arn = r["EventDataStoreArn"]
        # §3.18: more than 50 tags on the resource.
        self.assertError(
            "TagsLimitExceededException",
            "The event data store %s would have 51 tags; a resource has at most 50." % unique("taglimit"),
            ct.add_tags,
            ResourceId=arn,
            TagsList=[{"Key": "n%02d" % i, "Value": "v"} for i in range(50)],
        )
        self.assertEqual(self.list_tags(arn), {"k00": "v"}, "a refused AddTags changed the tags")
        ct.add_tags(ResourceId=arn, TagsList=[{"Key": "k%02d" % i, "Value": "v"} for i in range(1, 50)])
        self.assertEqual(len(self.list_tags(arn)), 50)
        # Overwriting an existing key does not add a tag.
        ct.add_tags(ResourceId=arn, TagsList=[{"Key": "k49", "Value": "w"}])
        self.assertEqual(self.list_tags(arn)["k49"], "w")
        self.assertError("TagsLimitExceededException", "The event data store %s would have 51 tags; a resource has at most 50." % unique("taglimit"), ct.add_tags, ResourceId=arn, TagsList=[{"Key": "k50", "Value": "v"}])
        # §3.18: duplicate keys in one request.
        self.assertError(
            "InvalidTagParameterException",
            "The tag key 'dup' appears more than once in the request.",
            ct.add_tags,
            ResourceId=arn,
            TagsList=[{"Key": "dup", "Value": "1"}, {"Key": "dup", "Value": "2"}],
        )

    def test_tag_errors(self):
        arn = fixture["EventDataStoreArn"]
        trail = "arn:aws:cloudtrail:%s:%s:trail/my-trail" % (REGION, ACCOUNT)
        unknown = "arn:aws:cloudtrail:%s:%s:eventdatastore/%s" % (REGION, ACCOUNT, uuid.uuid4())
        tags = [{"Key": "k", "Value": "v"}]
        for fn in (ct.add_tags, ct.remove_tags):
            self.assertError("ResourceTypeNotSupportedException", "ctlake serves event data stores only; a trail cannot be tagged here.", fn, ResourceId=trail, TagsList=tags)
            self.assertError("CloudTrailARNInvalidException", "'not-an-arn' is not a CloudTrail ARN; tag an event data store by its ARN, arn:aws:cloudtrail:<region>:<account>:eventdatastore/<id>.", fn, ResourceId="not-an-arn", TagsList=tags)
            self.assertError("EventDataStoreNotFoundException", not_found(unknown), fn, ResourceId=unknown, TagsList=tags)
        self.assertError("ResourceTypeNotSupportedException", "ctlake serves event data stores only; a trail cannot be tagged here.", ct.list_tags, ResourceIdList=[trail])
        self.assertError("CloudTrailARNInvalidException", "'not-an-arn' is not a CloudTrail ARN; tag an event data store by its ARN, arn:aws:cloudtrail:<region>:<account>:eventdatastore/<id>.", ct.list_tags, ResourceIdList=["not-an-arn"])
        self.assertError("EventDataStoreNotFoundException", not_found(unknown), ct.list_tags, ResourceIdList=[unknown])
        self.assertError(
            "InvalidTagParameterException",
            "The tag key 'dup' appears more than once in the request.",
            ct.remove_tags,
            ResourceId=arn,
            TagsList=[{"Key": "dup"}, {"Key": "dup"}],
        )
        self.assertEqual(self.list_tags(arn), {}, "refused tag calls changed the fixture's tags")


class Quota(Check):
    def test_eleventh_store_in_a_region(self):
        # §3.6, §5.5: 10 stores per region, stores pending deletion included.
        # ap-south-1 belongs to this check alone.
        q = client(QUOTA_REGION)
        arns = []
        for i in range(10):
            r = q.create_event_data_store(Name=unique("quota-%02d" % i), TerminationProtectionEnabled=False)
            self.assertStoreARN(r["EventDataStoreArn"], QUOTA_REGION)
            arns.append(r["EventDataStoreArn"])
        self.assertError("EventDataStoreMaxLimitExceededException", "Region ap-south-1 already has 10 event data stores, the most allowed (stores pending deletion count until they are purged). Delete one or wait for a deleted one to be purged.", q.create_event_data_store, Name=unique("quota-10"))
        q.delete_event_data_store(EventDataStore=arns[0])
        self.assertEqual(q.get_event_data_store(EventDataStore=arns[0])["Status"], "PENDING_DELETION")
        self.assertError("EventDataStoreMaxLimitExceededException", "Region ap-south-1 already has 10 event data stores, the most allowed (stores pending deletion count until they are purged). Delete one or wait for a deleted one to be purged.", q.create_event_data_store, Name=unique("quota-11"))
        # The quota is per region: eu-west-1 was not affected (§5.5). The
        # other region's stores are not visible here.
        names = [s["Name"] for s in ct.list_event_data_stores()["EventDataStores"]]
        self.assertFalse([n for n in names if n.startswith(unique("quota-"))], names)


if __name__ == "__main__":
    unittest.main(verbosity=2)
