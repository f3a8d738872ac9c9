package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestMemberRules sends requests that break one member rule each through
// the real dispatcher and service, and compares the AWS error code and
// the whole message: these are the messages the e2e tests see from the
// AWS clients, checked here without a server.
func TestMemberRules(t *testing.T) {
	fx := newFuzzFixture(t)
	const (
		invalid    = "InvalidParameterException"
		maxResults = "InvalidMaxResultsException"
		nextToken  = "InvalidNextTokenException"
		notNull    = "' failed to satisfy constraint: Member must not be null"
	)
	for _, c := range []struct {
		op, body, code, message string
	}{
		{"GetEventDataStore", `{}`, invalid, "1 validation error detected: Value null at 'eventDataStore" + notNull},
		{"DeleteEventDataStore", `{"EventDataStore":"ab"}`, invalid,
			"1 validation error detected: Value 'ab' at 'eventDataStore' failed to satisfy constraint: Member must have length greater than or equal to 3"},
		{"ListQueries", `{"EventDataStore":"no spaces here"}`, invalid,
			"1 validation error detected: Value 'no spaces here' at 'eventDataStore' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9._/\\-:]+$"},
		{"StartImport", `{"Destinations":["x"]}`, invalid,
			"1 validation error detected: Value 'x' at 'destinations.member' failed to satisfy constraint: Member must have length greater than or equal to 3"},
		{"ListImports", `{"Destination":"a?b"}`, invalid,
			"1 validation error detected: Value 'a?b' at 'destination' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9._/\\-:]+$"},
		{"ListEventDataStores", `{"MaxResults":0}`, maxResults, "MaxResults 0 is out of range: give a value from 1 to 1000."},
		{"GetQueryResults", `{"QueryId":"{query-id}","MaxQueryResults":1001}`, maxResults, "MaxResults 1001 is out of range: give a value from 1 to 1000."},
		{"ListQueries", `{"EventDataStore":"{store-id}","MaxResults":2000}`, maxResults, "MaxResults 2000 is out of range: give a value from 1 to 1000."},
		{"LookupEvents", `{"MaxResults":51}`, maxResults, "MaxResults 51 is out of range: give a value from 1 to 50."},
		// ListImports and ListImportFailures do not declare InvalidMaxResultsException.
		{"ListImports", `{"MaxResults":0}`, invalid, "MaxResults 0 is out of range: give a value from 1 to 1000."},
		{"ListImportFailures", `{"ImportId":"{import-id}","MaxResults":1001}`, invalid, "MaxResults 1001 is out of range: give a value from 1 to 1000."},
		{"ListEventDataStores", `{"NextToken":"abc"}`, nextToken,
			"1 validation error detected: Value 'abc' at 'nextToken' failed to satisfy constraint: Member must have length greater than or equal to 4"},
		{"GetQueryResults", `{"QueryId":"{query-id}","NextToken":"abc"}`, nextToken,
			"1 validation error detected: Value 'abc' at 'nextToken' failed to satisfy constraint: Member must have length greater than or equal to 4"},
		// LookupEvents' token has no length in the model: what this server
		// did not issue is refused by the one decoder.
		{"LookupEvents", `{"NextToken":"ab"}`, nextToken,
			"The NextToken is not valid: it was not issued by this server for this request. Start the listing again without NextToken."},
		{"DescribeQuery", `{"QueryId":"not-an-id"}`, invalid,
			"1 validation error detected: Value 'not-an-id' at 'queryId' failed to satisfy constraint: Member must have length greater than or equal to 36"},
		{"GetImport", `{"ImportId":"` + strings.Repeat("Z", 36) + `"}`, invalid,
			"1 validation error detected: Value '" + strings.Repeat("Z", 36) + "' at 'importId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-f0-9\\-]+$"},
		{"CreateEventDataStore", `{"Name":"ab","BillingMode":"FREE","RetentionPeriod":1}`, invalid,
			"3 validation errors detected: Value 'ab' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 3; " +
				"Value 'FREE' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [EXTENDABLE_RETENTION_PRICING, FIXED_RETENTION_PRICING]; " +
				"Value '1' at 'retentionPeriod' failed to satisfy constraint: Member must have value greater than or equal to 7"},
		{"CreateEventDataStore", `{"Name":"fixed","BillingMode":"FIXED_RETENTION_PRICING","RetentionPeriod":3000}`, invalid,
			"The retention period 3000 is not valid for billing mode FIXED_RETENTION_PRICING: it must be between 7 and 2557 days."},
		{"CreateEventDataStore", `{"Name":"no-selectors","AdvancedEventSelectors":[]}`, "InvalidEventSelectorsException",
			"The advanced event selectors are not valid: give at least one selector, or leave AdvancedEventSelectors out for the default (all management events)."},
		{"CreateEventDataStore", `{"Name":"reserved-tag","TagsList":[{"Key":"aws:x"}]}`, "InvalidTagParameterException",
			"The tag key 'aws:x' starts with 'aws:', a prefix reserved for AWS."},
		{"UpdateEventDataStore", `{"EventDataStore":"{store-id}"}`, invalid,
			"Nothing to update: give at least one of Name, AdvancedEventSelectors, MultiRegionEnabled, OrganizationEnabled, RetentionPeriod, TerminationProtectionEnabled, KmsKeyId or BillingMode."},
		{"StartImport", `{"Destinations":["{store-id}"],"ImportSource":{"S3":{}}}`, invalid,
			"3 validation errors detected: Value null at 'importSource.s3.s3LocationUri" + notNull +
				"; Value null at 'importSource.s3.s3BucketRegion" + notNull + "; Value null at 'importSource.s3.s3BucketAccessRoleArn" + notNull},
	} {
		w := fx.call(c.op, []byte(c.body))
		var out struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s %s: HTTP %d %q: %v", c.op, c.body, w.Code, w.Body, err)
		}
		if w.Code != http.StatusBadRequest || out.Type != c.code || out.Message != c.message {
			t.Errorf("%s %s:\n got HTTP %d %s: %s\nwant HTTP 400 %s: %s", c.op, c.body, w.Code, out.Type, out.Message, c.code, c.message)
		}
	}
}
