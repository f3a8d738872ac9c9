package trail

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/ctlake/ctlake"
)

// everyField is a record with every mapped field, pretty-printed so that
// nested values must be compacted, with the edges of each kind of field.
const everyField = `{
  "eventVersion": "1.09",
  "userIdentity": {
    "type": "AssumedRole",
    "principalId": "AROAEXAMPLEID:alice",
    "arn": "arn:aws:sts::111122223333:assumed-role/Admin/alice",
    "accountId": "111122223333",
    "accessKeyId": "ASIAEXAMPLEKEY",
    "userName": "alice",
    "sessionContext": {
      "sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLEID", "arn": "arn:aws:iam::111122223333:role/Admin", "accountId": "111122223333", "userName": "Admin"},
      "webIdFederationData": {
        "federatedProvider": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com",
        "attributes": {"token.actions.githubusercontent.com:sub": "repo:o/r:ref:refs/heads/main", "n": 1}
      },
      "attributes": {"creationDate": "2024-05-01T09:59:30Z", "mfaAuthenticated": false},
      "sourceIdentity": "alice@example.com",
      "ec2RoleDelivery": "2.0",
      "ec2IssuedInVPC": "vpc-0abc"
    },
    "invokedBy": "cloudformation.amazonaws.com",
    "identityProvider": "https://idp.example.com",
    "onBehalfOf": {"userId": "9067f0f4-e011-70d5-4a41-6bd5f7b1b8f2", "identityStoreArn": "arn:aws:identitystore::111122223333:identitystore/d-1234567890"},
    "inScopeOf": {"sourceArn": "arn:aws:lambda:us-east-1:111122223333:function:fn", "sourceAccount": "111122223333", "issuerType": "AWS::Lambda::Function", "credentialsIssuedTo": "arn:aws:iam::111122223333:role/fn"},
    "credentialId": "not a column"
  },
  "eventTime": "2024-05-01T10:00:00.123456Z",
  "eventSource": "s3.amazonaws.com",
  "eventName": "PutBucketPolicy",
  "awsRegion": "us-east-1",
  "sourceIPAddress": "203.0.113.7",
  "userAgent": "aws-cli/2.15.0",
  "errorCode": "AccessDenied",
  "errorMessage": "User is not authorized to \"s3:PutBucketPolicy\"\nsee \u00e9 \ud83d\ude00",
  "requestParameters": {
    "bucketName": "b",
    "maxKeys": 1000,
    "ratio": 1.50e3,
    "versioned": true,
    "filter": {"a": [1, 2], "s": "x y"},
    "tags": [ "x", "y" ],
    "gone": null,
    "empty": "",
    "quote": "a\"b\\c"
  },
  "responseElements": null,
  "additionalEventData": {"bytesTransferredIn": 0.5, "x-amz-id-2": "Drb7+mFH/+//k1h="},
  "requestID": "NDWP49KNRWATFTVX",
  "eventID": "d1a9ba8a-b5d9-4887-be72-1a35c376998d",
  "readOnly": "false",
  "resources": [
    {"ARN": "arn:aws:s3:::b", "accountId": "111122223333", "type": "AWS::S3::Bucket"},
    {"ARNPrefix": "arn:aws:s3:::b/logs/", "type": "AWS::S3::Object"}
  ],
  "eventType": "AwsApiCall",
  "apiVersion": "2006-03-01",
  "managementEvent": true,
  "recipientAccountId": "111122223333",
  "sharedEventID": "b81f7fe5-36b5-49ea-bbc9-6a9007e733c0",
  "annotation": "note",
  "vpcEndpointId": "vpce-f40dc59d",
  "vpcEndpointAccountId": "444455556666",
  "serviceEventDetails": {"snapshotId": "snap-0e83092ae538da583"},
  "addendum": {"reason": "DELIVERY_DELAY", "updatedFields": null, "originalEventID": "e1"},
  "edgeDeviceDetails": {"type": "snowball", "deviceID": "JID-1"},
  "insightDetails": {"state": "Start", "insightContext": {"statistics": {"baseline": {"average": 0.01}}}},
  "eventCategory": "Management",
  "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": "b.s3.us-east-1.amazonaws.com"},
  "sessionCredentialFromConsole": true
}`

func TestDecodeEveryField(t *testing.T) {
	got := decodeOne(t, everyField)
	want := &ctlake.Event{
		EventVersion: ptr("1.09"),
		UserIdentity: &ctlake.UserIdentity{
			Type:        ptr("AssumedRole"),
			PrincipalID: ptr("AROAEXAMPLEID:alice"),
			ARN:         ptr("arn:aws:sts::111122223333:assumed-role/Admin/alice"),
			AccountID:   ptr("111122223333"),
			AccessKeyID: ptr("ASIAEXAMPLEKEY"),
			UserName:    ptr("alice"),
			SessionContext: &ctlake.SessionContext{
				Attributes: &ctlake.SessionAttributes{
					CreationDate:     ptr(time.Date(2024, 5, 1, 9, 59, 30, 0, time.UTC)),
					MFAAuthenticated: ptr("false"), // a JSON false keeps its text
				},
				SessionIssuer: &ctlake.SessionIssuer{
					Type: ptr("Role"), PrincipalID: ptr("AROAEXAMPLEID"), ARN: ptr("arn:aws:iam::111122223333:role/Admin"),
					AccountID: ptr("111122223333"), UserName: ptr("Admin"),
				},
				WebIDFederationData: &ctlake.WebIDFederationData{
					FederatedProvider: ptr("arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"),
					Attributes:        map[string]string{"token.actions.githubusercontent.com:sub": "repo:o/r:ref:refs/heads/main", "n": "1"},
				},
				SourceIdentity:  ptr("alice@example.com"),
				EC2RoleDelivery: ptr("2.0"),
				EC2IssuedInVPC:  ptr("vpc-0abc"),
			},
			InvokedBy:        ptr("cloudformation.amazonaws.com"),
			IdentityProvider: ptr("https://idp.example.com"),
			OnBehalfOf:       &ctlake.OnBehalfOf{UserID: ptr("9067f0f4-e011-70d5-4a41-6bd5f7b1b8f2"), IdentityStoreARN: ptr("arn:aws:identitystore::111122223333:identitystore/d-1234567890")},
			InScopeOf: &ctlake.InScopeOf{
				SourceARN: ptr("arn:aws:lambda:us-east-1:111122223333:function:fn"), SourceAccount: ptr("111122223333"),
				IssuerType: ptr("AWS::Lambda::Function"), CredentialsIssuedTo: ptr("arn:aws:iam::111122223333:role/fn"),
			},
		},
		EventTime:       time.Date(2024, 5, 1, 10, 0, 0, 123000000, time.UTC), // truncated to the millisecond
		EventSource:     ptr("s3.amazonaws.com"),
		EventName:       ptr("PutBucketPolicy"),
		AWSRegion:       ptr("us-east-1"),
		SourceIPAddress: ptr("203.0.113.7"),
		UserAgent:       ptr("aws-cli/2.15.0"),
		ErrorCode:       ptr("AccessDenied"),
		ErrorMessage:    ptr("User is not authorized to \"s3:PutBucketPolicy\"\nsee é 😀"),
		RequestParameters: map[string]string{
			"bucketName": "b",
			"maxKeys":    "1000",
			"ratio":      "1.50e3", // numbers keep their spelling
			"versioned":  "true",
			"filter":     `{"a":[1,2],"s":"x y"}`, // compacted, not re-encoded
			"tags":       `["x","y"]`,
			"empty":      "",
			"quote":      `a"b\c`, // "gone": null is left out
		},
		AdditionalEventData:          map[string]string{"bytesTransferredIn": "0.5", "x-amz-id-2": "Drb7+mFH/+//k1h="},
		RequestID:                    ptr("NDWP49KNRWATFTVX"),
		EventID:                      ptr("d1a9ba8a-b5d9-4887-be72-1a35c376998d"),
		ReadOnly:                     ptr(false), // from the string "false"
		Resources:                    []ctlake.Resource{{ARN: ptr("arn:aws:s3:::b"), AccountID: ptr("111122223333"), Type: ptr("AWS::S3::Bucket")}, {ARNPrefix: ptr("arn:aws:s3:::b/logs/"), Type: ptr("AWS::S3::Object")}},
		EventType:                    ptr("AwsApiCall"),
		APIVersion:                   ptr("2006-03-01"),
		ManagementEvent:              ptr(true),
		RecipientAccountID:           ptr("111122223333"),
		SharedEventID:                ptr("b81f7fe5-36b5-49ea-bbc9-6a9007e733c0"),
		Annotation:                   ptr("note"),
		VPCEndpointID:                ptr("vpce-f40dc59d"),
		VPCEndpointAccountID:         ptr("444455556666"),
		ServiceEventDetails:          map[string]string{"snapshotId": "snap-0e83092ae538da583"},
		Addendum:                     map[string]string{"reason": "DELIVERY_DELAY", "originalEventID": "e1"},
		EdgeDeviceDetails:            map[string]string{"type": "snowball", "deviceID": "JID-1"},
		InsightDetails:               map[string]string{"state": "Start", "insightContext": `{"statistics":{"baseline":{"average":0.01}}}`},
		EventCategory:                ptr("Management"),
		TLSDetails:                   &ctlake.TLSDetails{TLSVersion: ptr("TLSv1.3"), CipherSuite: ptr("TLS_AES_128_GCM_SHA256"), ClientProvidedHostHeader: ptr("b.s3.us-east-1.amazonaws.com")},
		SessionCredentialFromConsole: ptr("true"), // a JSON true keeps its text
		EventJSON:                    everyField,
	}
	if g, w := render(t, got), render(t, want); g != w {
		t.Errorf("event differs\n got %s\nwant %s", g, w)
	}
}

// TestDecodeEdges covers one rule of the mapping per case, on minimal
// records.
func TestDecodeEdges(t *testing.T) {
	const et = `"eventTime":"2023-07-10T11:47:39Z"`
	tests := []struct {
		name   string
		record string
		check  func(t *testing.T, ev *ctlake.Event)
	}{
		{"only eventTime: everything else nil", `{` + et + `}`, func(t *testing.T, ev *ctlake.Event) {
			if want := (&ctlake.Event{EventTime: time.Date(2023, 7, 10, 11, 47, 39, 0, time.UTC), EventJSON: `{` + et + `}`}); render(t, ev) != render(t, want) {
				t.Errorf("got %s", render(t, ev))
			}
		}},
		{"nulls are nil", `{` + et + `,"eventName":null,"errorCode":null,"userIdentity":null,"requestParameters":null,"resources":null,"readOnly":null,"tlsDetails":null,"addendum":null}`, func(t *testing.T, ev *ctlake.Event) {
			if ev.EventName != nil || ev.ErrorCode != nil || ev.UserIdentity != nil || ev.RequestParameters != nil || ev.Resources != nil || ev.ReadOnly != nil || ev.TLSDetails != nil || ev.Addendum != nil {
				t.Errorf("null became a value: %s", render(t, ev))
			}
		}},
		{"empty object and array stay empty, not nil", `{` + et + `,"requestParameters":{},"resources":[],"userIdentity":{},"tlsDetails":{}}`, func(t *testing.T, ev *ctlake.Event) {
			if ev.RequestParameters == nil || len(ev.RequestParameters) != 0 || ev.Resources == nil || len(ev.Resources) != 0 {
				t.Errorf("requestParameters %#v, resources %#v", ev.RequestParameters, ev.Resources)
			}
			if ev.UserIdentity == nil || *ev.UserIdentity != (ctlake.UserIdentity{}) || ev.TLSDetails == nil || *ev.TLSDetails != (ctlake.TLSDetails{}) {
				t.Errorf("userIdentity %+v, tlsDetails %+v", ev.UserIdentity, ev.TLSDetails)
			}
		}},
		{"free-form value that is not an object is a nil map", `{` + et + `,"requestParameters":"abc","responseElements":[1],"additionalEventData":7,"serviceEventDetails":true}`, func(t *testing.T, ev *ctlake.Event) {
			if ev.RequestParameters != nil || ev.ResponseElements != nil || ev.AdditionalEventData != nil || ev.ServiceEventDetails != nil {
				t.Errorf("got %s", render(t, ev))
			}
		}},
		{"null inside a free-form object leaves the key out", `{` + et + `,"requestParameters":{"a":null,"b":"null","c":[null]}}`, func(t *testing.T, ev *ctlake.Event) {
			if want := map[string]string{"b": "null", "c": "[null]"}; fmt.Sprint(ev.RequestParameters) != fmt.Sprint(want) {
				t.Errorf("requestParameters = %v, want %v", ev.RequestParameters, want)
			}
		}},
		{"duplicate keys: the last wins", `{` + et + `,"eventName":"A","eventName":"B","requestParameters":{"k":"1","k":null},"userIdentity":{"type":"X","arn":"a"},"userIdentity":{"type":"Y"}}`, func(t *testing.T, ev *ctlake.Event) {
			if *ev.EventName != "B" || len(ev.RequestParameters) != 0 || *ev.UserIdentity.Type != "Y" || ev.UserIdentity.ARN != nil {
				t.Errorf("got %s", render(t, ev))
			}
		}},
		{"field names match case-sensitively", `{` + et + `,"eventId":"wrong","EventName":"wrong","eventID":"right","userIdentity":{"Type":"wrong","accountID":"wrong"}}`, func(t *testing.T, ev *ctlake.Event) {
			if ev.EventID == nil || *ev.EventID != "right" || ev.EventName != nil || ev.UserIdentity.Type != nil || ev.UserIdentity.AccountID != nil {
				t.Errorf("got %s", render(t, ev))
			}
		}},
		{"escaped key names are unescaped before matching", `{` + et + `,"event\u004eame":"Escaped"}`, func(t *testing.T, ev *ctlake.Event) {
			if ev.EventName == nil || *ev.EventName != "Escaped" {
				t.Errorf("eventName = %v", ev.EventName)
			}
		}},
		{"booleans: JSON, strings, and anything else nil", `{` + et + `,"readOnly":"true","managementEvent":1}`, func(t *testing.T, ev *ctlake.Event) {
			if ev.ReadOnly == nil || !*ev.ReadOnly || ev.ManagementEvent != nil {
				t.Errorf("readOnly %v, managementEvent %v", ev.ReadOnly, ev.ManagementEvent)
			}
		}},
		{"a boolean string that is not true or false is nil", `{` + et + `,"readOnly":"yes","managementEvent":false}`, func(t *testing.T, ev *ctlake.Event) {
			if ev.ReadOnly != nil || ev.ManagementEvent == nil || *ev.ManagementEvent {
				t.Errorf("readOnly %v, managementEvent %v", ev.ReadOnly, ev.ManagementEvent)
			}
		}},
		{"non-string values of string fields keep their JSON text", `{` + et + `,"eventVersion":1.08,"annotation":{"a": [true]},"sessionCredentialFromConsole":false}`, func(t *testing.T, ev *ctlake.Event) {
			if *ev.EventVersion != "1.08" || *ev.Annotation != `{"a":[true]}` || *ev.SessionCredentialFromConsole != "false" {
				t.Errorf("got %s", render(t, ev))
			}
		}},
		{"missing userIdentity is nil", `{` + et + `,"eventName":"x"}`, func(t *testing.T, ev *ctlake.Event) {
			if ev.UserIdentity != nil {
				t.Errorf("userIdentity = %+v", ev.UserIdentity)
			}
		}},
		{"userIdentity that is not an object is nil", `{` + et + `,"userIdentity":"root"}`, func(t *testing.T, ev *ctlake.Event) {
			if ev.UserIdentity != nil {
				t.Errorf("userIdentity = %+v", ev.UserIdentity)
			}
		}},
		{"unparsable creationDate is nil, the rest stays", `{` + et + `,"userIdentity":{"sessionContext":{"attributes":{"creationDate":"Jul 10, 2023","mfaAuthenticated":"true"}}}}`, func(t *testing.T, ev *ctlake.Event) {
			a := ev.UserIdentity.SessionContext.Attributes
			if a.CreationDate != nil || *a.MFAAuthenticated != "true" {
				t.Errorf("attributes = %+v", a)
			}
		}},
		{"resources: ARNPrefix, and elements that are not objects are dropped", `{` + et + `,"resources":[null,{"ARNPrefix":"arn:aws:s3:::b/p/"},"x",{"accountId":null,"extra":1}]}`, func(t *testing.T, ev *ctlake.Event) {
			want := []ctlake.Resource{{ARNPrefix: ptr("arn:aws:s3:::b/p/")}, {}}
			if fmt.Sprint(render(t, &ctlake.Event{Resources: ev.Resources})) != render(t, &ctlake.Event{Resources: want}) {
				t.Errorf("resources = %s", render(t, ev))
			}
		}},
		{"resources that is not an array is nil", `{` + et + `,"resources":{"ARN":"a"}}`, func(t *testing.T, ev *ctlake.Event) {
			if ev.Resources != nil {
				t.Errorf("resources = %+v", ev.Resources)
			}
		}},
		{"eventTime with nanoseconds is truncated to milliseconds", `{"eventTime":"2023-07-10T11:47:39.999999999Z"}`, func(t *testing.T, ev *ctlake.Event) {
			if want := time.Date(2023, 7, 10, 11, 47, 39, 999000000, time.UTC); !ev.EventTime.Equal(want) || ev.EventTime.Location() != time.UTC {
				t.Errorf("eventTime = %v, want %v", ev.EventTime, want)
			}
		}},
		{"eventTime with an offset becomes UTC", `{"eventTime":"2023-07-10T13:47:39.5+02:00"}`, func(t *testing.T, ev *ctlake.Event) {
			if want := time.Date(2023, 7, 10, 11, 47, 39, 500000000, time.UTC); !ev.EventTime.Equal(want) || ev.EventTime.Location() != time.UTC {
				t.Errorf("eventTime = %v, want %v", ev.EventTime, want)
			}
		}},
		{"escapes: surrogate pairs decode, a lone surrogate becomes U+FFFD", `{` + et + `,"eventName":"\ud83d\ude00\ud800x\u0041\/"}`, func(t *testing.T, ev *ctlake.Event) {
			if want := "😀\ufffdxA/"; *ev.EventName != want {
				t.Errorf("eventName = %q, want %q", *ev.EventName, want)
			}
		}},
		{"unknown fields are skipped and kept in eventJson", `{"future":{"deep":[[[{"x":"}]"}]]]},` + et + `,"eventName":"x"}`, func(t *testing.T, ev *ctlake.Event) {
			if *ev.EventName != "x" || !strings.Contains(ev.EventJSON, `"future"`) {
				t.Errorf("got %s", render(t, ev))
			}
		}},
		{"webIdFederationData attributes map", `{` + et + `,"userIdentity":{"sessionContext":{"webIdFederationData":{"attributes":{"cognito-identity.amazonaws.com:amr":["authenticated"],"null":null}}}}}`, func(t *testing.T, ev *ctlake.Event) {
			w := ev.UserIdentity.SessionContext.WebIDFederationData
			if w.FederatedProvider != nil || fmt.Sprint(w.Attributes) != `map[cognito-identity.amazonaws.com:amr:["authenticated"]]` {
				t.Errorf("webIdFederationData = %+v", w)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := decodeOne(t, tc.record)
			if ev.EventJSON != tc.record {
				t.Errorf("EventJSON = %q, want the record as written", ev.EventJSON)
			}
			tc.check(t, ev)
		})
	}
}

// TestDecodeBadFiles has one case per kind of file that cannot be
// imported.
func TestDecodeBadFiles(t *testing.T) {
	const ok = `{"eventTime":"2023-07-10T11:47:39Z"}`
	valid := gz(t, `{"Records":[`+ok+`]}`)
	badCRC := bytes.Clone(valid)
	badCRC[len(badCRC)-8] ^= 0xff // the CRC-32 of the gzip trailer
	digest := `{"awsAccountId":"111122223333","digestStartTime":"2023-07-10T11:00:00Z","digestEndTime":"2023-07-10T12:00:00Z",` +
		`"digestS3Bucket":"b","digestS3Object":"AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2023/07/10/x.json.gz",` +
		`"digestPublicKeyFingerprint":"9b1f","digestSignatureAlgorithm":"SHA256withRSA","newestEventTime":null,"oldestEventTime":null,` +
		`"previousDigestS3Bucket":null,"previousDigestS3Object":null,"previousDigestHashValue":null,"previousDigestHashAlgorithm":null,` +
		`"previousDigestSignature":null,"logFiles":[]}`
	tests := []struct {
		name     string
		data     []byte
		wantType string
		wantMsg  string // a part of the message
		events   int    // events the sink sees before the error
	}{
		{"not gzip (uncompressed JSON)", []byte(`{"Records":[]}`), ctlake.FailureInvalidFileFormat, "uncompressed JSON", 0},
		{"not gzip (text)", []byte("hello, world"), ctlake.FailureInvalidFileFormat, "not gzip-compressed", 0},
		{"empty file", nil, ctlake.FailureInvalidFileFormat, "empty", 0},
		{"truncated gzip", valid[:len(valid)-10], ctlake.FailureInvalidFileFormat, "truncated", 1},
		{"truncated gzip header", valid[:5], ctlake.FailureInvalidFileFormat, "truncated", 0},
		{"bad gzip checksum", badCRC, ctlake.FailureInvalidFileFormat, "checksum", 1},
		{"garbage after the gzip stream", append(bytes.Clone(valid), "junk"...), ctlake.FailureInvalidFileFormat, "followed by data that is not gzip", 1},
		{"gzip of text that is not JSON", gz(t, "<html>"), ctlake.FailureInvalidFileFormat, "not JSON: it starts with '<'", 0},
		{"gzip of text that starts like JSON", gz(t, "not json"), ctlake.FailureInvalidFileFormat, "not a JSON object", 0},
		{"gzip of nothing", gz(t, ""), ctlake.FailureInvalidFileFormat, "no JSON", 0},
		{"gzip of an array", gz(t, `[]`), ctlake.FailureInvalidFileFormat, "not a JSON object", 0},
		{"Records is an object", gz(t, `{"Records": {}}`), ctlake.FailureInvalidFileFormat, "Records is an object, not an array", 0},
		{"Records is null", gz(t, `{"Records": null}`), ctlake.FailureInvalidFileFormat, "Records is null", 0},
		{"Records is not JSON", gz(t, `{"Records": xyz}`), ctlake.FailureInvalidFileFormat, "invalid character 'x', want the Records array", 0},
		{"no Records", gz(t, `{"foo":1}`), ctlake.FailureInvalidFileFormat, "no Records array", 0},
		{"two Records", gz(t, `{"Records":[],"Records":[]}`), ctlake.FailureInvalidFileFormat, "two Records", 0},
		{"record without eventTime", gz(t, `{"Records":[`+ok+`,{"eventName":"x"}]}`), ctlake.FailureInvalidEventRecord, "Records[1] has no eventTime", 1},
		{"record with eventTime yesterday", gz(t, `{"Records":[{"eventTime":"yesterday"}]}`), ctlake.FailureInvalidEventRecord, `Records[0] has eventTime "yesterday"`, 0},
		{"record with a null eventTime", gz(t, `{"Records":[{"eventTime":null}]}`), ctlake.FailureInvalidEventRecord, "Records[0] has an eventTime that is null", 0},
		{"record with an impossible date", gz(t, `{"Records":[{"eventTime":"2023-02-30T00:00:00Z"}]}`), ctlake.FailureInvalidEventRecord, "2023-02-30", 0},
		{"record that is a number", gz(t, `{"Records":[`+ok+`, 42]}`), ctlake.FailureInvalidEventRecord, "Records[1] is a number, not a JSON object", 1},
		{"record that is invalid JSON", gz(t, `{"Records":[`+ok+`,{"eventTime":"2023-07-10T11:47:39Z",}]}`), ctlake.FailureInvalidFileFormat, "Records[1]: invalid JSON at byte 85 of the inflated file: invalid character '}', want a string key", 1},
		{"digest file", gz(t, digest), ctlake.FailureNotTrailLog, "digest", 0},
		{"AWS Config file", gz(t, `{"fileVersion":"1.0","configSnapshotId":"x","configurationItems":[]}`), ctlake.FailureNotTrailLog, "Config", 0},
		{"non-UTF-8 inside a string", gz(t, `{"Records":[{"eventTime":"2023-07-10T11:47:39Z","userAgent":"caf`+"\xe9"+`"}]}`), ctlake.FailureInvalidFileFormat, "Records[0]: invalid JSON at byte 64 of the inflated file: invalid UTF-8 (byte 0xe9)", 0},
		{"non-UTF-8 in a skipped top-level value", gz(t, `{"x":"`+"\xff"+`","Records":[]}`), ctlake.FailureInvalidFileFormat, "invalid UTF-8", 0},
		{"control character in a string", gz(t, `{"Records":[{"eventTime":"2023-07-10T11:47:39Z","a":"`+"\x01"+`"}]}`), ctlake.FailureInvalidFileFormat, "control character", 0},
		{"JSON cut short", gz(t, `{"Records":[`+ok), ctlake.FailureInvalidFileFormat, "unexpected end of JSON", 1},
		{"JSON cut short inside a record", gz(t, `{"Records":[{"eventTime":"2023-07-10T11:47:39Z"`), ctlake.FailureInvalidFileFormat, "Records[0]: invalid JSON at byte 47 of the inflated file: unexpected end of JSON", 0},
		{"data after the object", gz(t, `{"Records":[]} {}`), ctlake.FailureInvalidFileFormat, "after the top-level object", 0},
		{"nesting deeper than the limit", gz(t, `{"Records":[{"eventTime":"2023-07-10T11:47:39Z","x":`+strings.Repeat("[", maxDepth+1)+strings.Repeat("]", maxDepth+1)+`}]}`), ctlake.FailureInvalidFileFormat, "nested deeper than 10000", 0},
		{"over maxUncompressed", gz(t, `{"Records":[`+ok+`,`+strings.Repeat(" ", 2<<20)+`]}`), ctlake.FailureInvalidFileFormat, "inflates to more than 1048576 bytes", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := 0
			err := Decode(bytes.NewReader(tc.data), 1<<20, func(*ctlake.Event) error { n++; return nil })
			fe := fileError(t, err)
			if fe.Type != tc.wantType || !strings.Contains(fe.Message, tc.wantMsg) {
				t.Errorf("got %s\nwant %s with %q", fe, tc.wantType, tc.wantMsg)
			}
			if n != tc.events {
				t.Errorf("sink saw %d events before the error, want %d", n, tc.events)
			}
		})
	}
}

func TestDecodeEmptyRecords(t *testing.T) {
	for _, s := range []string{`{"Records":[]}`, " \n{ \"Records\" : [ ] }\n", `{"a":{"b":[1,"]"]},"Records":[],"z":null}`} {
		evs, err := decodeAll(gz(t, s))
		if err != nil || len(evs) != 0 {
			t.Errorf("%q: %d events, %v", s, len(evs), err)
		}
	}
}

// TestDecodeMultistream reads a file written as two gzip members, which
// gzip(1) and S3 tooling treat as one stream.
func TestDecodeMultistream(t *testing.T) {
	data := append(gz(t, `{"Records":[{"eventTime":"2023-07-`), gz(t, `10T11:47:39Z"}]}`)...)
	evs, err := decodeAll(data)
	if err != nil || len(evs) != 1 {
		t.Fatalf("got %d events, %v", len(evs), err)
	}
}

func TestDecodeSinkError(t *testing.T) {
	errStop := errors.New("stop")
	data := gz(t, `{"Records":[{"eventTime":"2023-07-10T11:47:39Z"},{"eventTime":"2023-07-10T11:47:40Z"},{"eventTime":"2023-07-10T11:47:41Z"}]}`)
	n := 0
	err := Decode(bytes.NewReader(data), 0, func(*ctlake.Event) error {
		if n++; n == 2 {
			return errStop
		}
		return nil
	})
	if err != errStop {
		t.Fatalf("Decode returned %v, want the sink's error unchanged", err)
	}
	if n != 2 {
		t.Errorf("sink called %d times after failing, want 2", n)
	}
}

// failingReader serves data, then fails as a network read would.
type failingReader struct {
	data []byte
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// TestDecodeSourceError checks that a failing reader is the source's
// fault, not a bad file: the error passes through, not as a FileError.
func TestDecodeSourceError(t *testing.T) {
	errConn := &ctlake.SourceError{Type: "SlowDown", Message: "connection reset", Retryable: true}
	data := gz(t, `{"Records":[{"eventTime":"2023-07-10T11:47:39Z"}]}`)
	for _, cut := range []int{0, 5, len(data) / 2, len(data) - 4} {
		err := Decode(&failingReader{data: data[:cut], err: errConn}, 0, func(*ctlake.Event) error { return nil })
		var se *ctlake.SourceError
		var fe *FileError
		if !errors.As(err, &se) || errors.As(err, &fe) {
			t.Errorf("cut at %d: got %v (%T), want the source's error", cut, err, err)
		}
	}
}

// TestDecodeWindowStaysSmall decodes a file much larger than the window
// and checks that the window did not grow: memory follows the largest
// record, not the file.
func TestDecodeWindowStaysSmall(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"Records":[`)
	for i := range 5000 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"eventTime":"2023-07-10T11:47:39Z","eventID":"%08d","requestParameters":{"pad":"%s"}}`, i, strings.Repeat("x", 900))
	}
	b.WriteString(`]}`)
	data := gz(t, b.String())
	n := 0
	d, err := decode(bytes.NewReader(data), 0, func(*ctlake.Event) error { n++; return nil }, make([]byte, 64<<10))
	if err != nil || n != 5000 {
		t.Fatalf("got %d events, %v", n, err)
	}
	if len(d.in.buf) != 64<<10 {
		t.Errorf("window grew to %d bytes for a %d-byte file of 1 KB records", len(d.in.buf), b.Len())
	}
}

// TestDecodeGzipBomb feeds files that inflate to 1 GB, compressed on the
// fly into a pipe, with a 64 MB cap: each must fail as InvalidFileFormat
// quickly and without holding more than the cap in memory.
func TestDecodeGzipBomb(t *testing.T) {
	if testing.Short() {
		t.Skip("inflates up to 64 MB per case")
	}
	const max = 64 << 20
	// The cases that inflate up to the cap scan it byte by byte; under
	// the race detector that takes seconds, so they use a quarter of it.
	limit := int64(max)
	if raceEnabled {
		limit = max / 4
	}
	tests := []struct {
		name     string
		head     string
		fill     byte
		wantMsg  string
		maxAlloc uint64 // bytes the decoder may allocate in all
		maxHeap  uint64 // growth of the heap in use allowed at its peak
	}{
		// Fails at the first byte: nothing is inflated beyond one read.
		{"zeros", "", 0, "not JSON", 8 << 20, 100 << 20},
		// Whitespace between records is skipped without buffering, so
		// the cap is what stops it.
		{"whitespace in Records", `{"Records":[`, ' ', "inflates to more than", 8 << 20, 100 << 20},
		// One endless string must be held to be decoded: the window grows
		// to the cap on one value (32 MiB) or on the file, whichever is
		// less, and no further; with the smaller windows it outgrew,
		// until the GC takes them, that is up to twice the cap.
		{"endless string", `{"Records":[{"eventTime":"`, 'a', "inflates to more than|larger than", 3 * max, 2*max + 16<<20},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pr, pw := io.Pipe()
			done := make(chan struct{})
			go func() {
				defer close(done)
				zw, _ := newBombWriter(pw)
				chunk := bytes.Repeat([]byte{tc.fill}, 1<<20)
				if _, err := zw.Write([]byte(tc.head)); err != nil {
					return
				}
				for range 1024 {
					if _, err := zw.Write(chunk); err != nil {
						return // the decoder stopped reading
					}
				}
				pw.CloseWithError(zw.Close())
			}()

			peak := watchHeap(t)
			var before, after runtimeStats
			before.read()
			start := time.Now()
			err := Decode(pr, limit, func(*ctlake.Event) error { return nil })
			elapsed := time.Since(start)
			after.read()
			pr.CloseWithError(errors.New("decoder done"))
			<-done
			heap := peak()

			fe := fileError(t, err)
			if fe.Type != ctlake.FailureInvalidFileFormat || !slices.ContainsFunc(strings.Split(tc.wantMsg, "|"), func(m string) bool { return strings.Contains(fe.Message, m) }) {
				t.Errorf("got %v, want InvalidFileFormat with %q", fe, tc.wantMsg)
			}
			alloc := after.totalAlloc - before.totalAlloc
			t.Logf("%v, allocated %d MB, peak heap in use %d MB", elapsed.Round(time.Millisecond), alloc>>20, heap>>20)
			if alloc > tc.maxAlloc {
				t.Errorf("allocated %d MB, want at most %d MB", alloc>>20, tc.maxAlloc>>20)
			}
			if heap > before.heapInuse+tc.maxHeap {
				t.Errorf("heap in use peaked at %d MB (from %d MB), want at most %d MB more", heap>>20, before.heapInuse>>20, tc.maxHeap>>20)
			}
		})
	}
}

func newBombWriter(w io.Writer) (*gzip.Writer, error) { return gzip.NewWriterLevel(w, gzip.BestSpeed) }

type runtimeStats struct{ totalAlloc, heapInuse uint64 }

func (s *runtimeStats) read() {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	s.totalAlloc, s.heapInuse = m.TotalAlloc, m.HeapInuse
}

// watchHeap samples HeapInuse until the function it returns is called,
// which returns the peak seen.
func watchHeap(tb testing.TB) func() uint64 {
	tb.Helper()
	runtime.GC()
	stop, peak := make(chan struct{}), make(chan uint64)
	go func() {
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		var max uint64
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			max = maxOf(max, m.HeapInuse)
			select {
			case <-stop:
				peak <- max
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 { close(stop); return <-peak }
}

func maxOf(a, b uint64) uint64 {
	if a > b {
		return a
	}
	return b
}
