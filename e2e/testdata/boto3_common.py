"""What the boto3 scripts beside this file share: the client and the check
of an API error.

Imported by boto3_eventdatastores.py, boto3_imports.py and
boto3_queries.py (Python puts a script's own folder on its path).
"""

import os
import unittest

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

URL = os.environ.get("CTLAKE_URL", "")

# The server's messages for a NextToken it did not issue and for a
# malformed event data store reference.
BAD_TOKEN = "The NextToken is not valid: it was not issued by this server for this request. Start the listing again without NextToken."
BAD_REF = (
    "The value 'not-a-store' is not a valid event data store ARN or id. Give the ARN "
    "(arn:aws:cloudtrail:<region>:<account>:eventdatastore/<id>) or the id, a lower-case UUID."
)


def client(region):
    """A CloudTrail client of the server at CTLAKE_URL, without retries: a
    retried call would hide an error the check is about."""
    return boto3.client(
        "cloudtrail",
        endpoint_url=URL,
        region_name=region,
        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID"),
        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY"),
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


def short(kwargs):
    """kwargs for a failure message, cut to a readable length."""
    text = repr(kwargs)
    return text if len(text) <= 200 else text[:200] + "...}"


class ErrorChecks(unittest.TestCase):
    """A TestCase with assertError."""

    def assertError(self, code, message, fn, **kwargs):
        """Call fn(**kwargs), which must fail with the AWS error code and
        message (§1.7), as HTTP 400 with a request id. A message ending in
        "…" is compared as a prefix, for messages whose tail is not ctlake's
        (an S3 request id, a DuckDB diagnostic)."""
        call = "%s(%s)" % (fn.__name__, short(kwargs))
        with self.assertRaises(ClientError, msg="%s succeeded, want %s" % (call, code)) as cm:
            fn(**kwargs)
        err = cm.exception.response["Error"]
        got = err.get("Message")
        self.assertEqual(err.get("Code"), code, "%s: message %r" % (call, got))
        if message.endswith("…"):
            self.assertTrue((got or "").startswith(message[:-1]), "%s: %s message\n got %r\nwant %r" % (call, code, got, message))
        else:
            self.assertEqual(got, message, "%s: %s message" % (call, code))
        meta = cm.exception.response["ResponseMetadata"]
        self.assertEqual(meta["HTTPStatusCode"], 400, "%s: every modeled error is HTTP 400 (§1.7)" % code)
        self.assertTrue(meta.get("RequestId"), "%s: no x-amzn-RequestId (§1.6)" % code)
        return got

    def pages(self, fn, limit, **kwargs):
        """Yield the pages of fn(**kwargs), following NextToken by hand and
        checking each token (§1.9); fail past limit pages."""
        for _ in range(limit):
            page = fn(**kwargs)
            yield page
            token = page.get("NextToken")
            if not token:
                return
            self.assertGreaterEqual(len(token), 4, "§1.9: tokens are 4..1000 characters")
            self.assertNotEqual(token, kwargs.get("NextToken"), "§1.9: the same token twice")
            kwargs["NextToken"] = token
        self.fail("%s: paging does not end after %d pages" % (fn.__name__, limit))
