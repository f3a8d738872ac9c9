package trail

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/ctlake/ctlake"
)

// recordStrings are the event's string columns and the record keys they
// come from.
var recordStrings = map[string]func(*ctlake.Event) *string{
	"eventVersion":                 func(e *ctlake.Event) *string { return e.EventVersion },
	"eventSource":                  func(e *ctlake.Event) *string { return e.EventSource },
	"eventName":                    func(e *ctlake.Event) *string { return e.EventName },
	"awsRegion":                    func(e *ctlake.Event) *string { return e.AWSRegion },
	"sourceIPAddress":              func(e *ctlake.Event) *string { return e.SourceIPAddress },
	"userAgent":                    func(e *ctlake.Event) *string { return e.UserAgent },
	"errorCode":                    func(e *ctlake.Event) *string { return e.ErrorCode },
	"errorMessage":                 func(e *ctlake.Event) *string { return e.ErrorMessage },
	"requestID":                    func(e *ctlake.Event) *string { return e.RequestID },
	"eventID":                      func(e *ctlake.Event) *string { return e.EventID },
	"eventType":                    func(e *ctlake.Event) *string { return e.EventType },
	"apiVersion":                   func(e *ctlake.Event) *string { return e.APIVersion },
	"recipientAccountId":           func(e *ctlake.Event) *string { return e.RecipientAccountID },
	"sharedEventID":                func(e *ctlake.Event) *string { return e.SharedEventID },
	"annotation":                   func(e *ctlake.Event) *string { return e.Annotation },
	"vpcEndpointId":                func(e *ctlake.Event) *string { return e.VPCEndpointID },
	"vpcEndpointAccountId":         func(e *ctlake.Event) *string { return e.VPCEndpointAccountID },
	"eventCategory":                func(e *ctlake.Event) *string { return e.EventCategory },
	"sessionCredentialFromConsole": func(e *ctlake.Event) *string { return e.SessionCredentialFromConsole },
}

// recordMaps are the free-form object columns.
var recordMaps = map[string]func(*ctlake.Event) map[string]string{
	"requestParameters":   func(e *ctlake.Event) map[string]string { return e.RequestParameters },
	"responseElements":    func(e *ctlake.Event) map[string]string { return e.ResponseElements },
	"additionalEventData": func(e *ctlake.Event) map[string]string { return e.AdditionalEventData },
	"serviceEventDetails": func(e *ctlake.Event) map[string]string { return e.ServiceEventDetails },
}

// FuzzRecord checks the record mapper (one record's JSON text to an
// Event) against encoding/json as the oracle: it never panics; it refuses
// with a syntax error exactly what encoding/json refuses, and with a
// record error only valid JSON that is not an object or has no usable
// eventTime; and what it maps, each string column and each free-form
// object column holds what encoding/json reads at that key (strings
// unescaped, other values as their compact JSON text, null as absent).
func FuzzRecord(f *testing.F) {
	for _, s := range []string{
		everyField,
		`{"eventTime":"2023-07-10T11:47:39Z","eventName":"ConsoleLogin","readOnly":"false","managementEvent":true}`,
		`{"eventTime":"2023-07-10T11:47:39.123456Z","eventName":null,"errorCode":42,"userAgent":{"a":[1, 2]}}`,
		`{"eventTime":"2023-07-10T11:47:39+02:00","requestParameters":{"a":null,"b":[1,{"c":"\u00e9"}],"d":"x\"y"}}`,
		`{"eventName":"a","eventName":"b","eventTime":"2023-07-10T11:47:39Z"}`,
		`{"eventTime":"2023-07-10T11:47:39Z","requestParameters":"not an object","resources":[{"ARN":"a","type":"t"}]}`,
		`{"eventTime":"yesterday"}`,
		`{"eventTime":1688989659}`,
		`{"eventName":"no time"}`,
		`[1,2]`,
		`"a string"`,
		`{"eventTime":"2023-07-10T11:47:39Z",}`,
		`{"eventTime":"2023-07-10T11:47:39Z","eventName":"\ud800\udc00 \u0000"}`,
		`{"eventTime":"2023-02-30T00:00:00Z"}`,
		`{"eventTime":"2023-07-10T11:47:39Z"}  `,
	} {
		f.Add(s)
	}
	var d recordDecoder
	f.Fuzz(func(t *testing.T, rec string) {
		ev, err := d.decode(rec)
		if !utf8.ValidString(rec) {
			// The mapper refuses bad UTF-8 as a syntax error where
			// encoding/json repairs it; the file decoder repairs it before
			// records are mapped. Only the kind of error is checked.
			switch err.(type) {
			case nil, *syntaxError, *recordError:
			default:
				t.Fatalf("%q: error %v (%T), neither a syntax nor a record error", rec, err, err)
			}
			return
		}
		validJSON := json.Valid([]byte(rec))
		var top map[string]json.RawMessage
		isObject := json.Unmarshal([]byte(rec), &top) == nil
		switch e := err.(type) {
		case nil:
		case *syntaxError:
			if validJSON {
				t.Fatalf("%q: syntax error %v for what encoding/json reads", rec, e)
			}
			return
		case *recordError:
			if !validJSON {
				t.Fatalf("%q: record error %v for invalid JSON", rec, e)
			}
			if isObject {
				var s string
				if raw, ok := top["eventTime"]; ok && json.Unmarshal(raw, &s) == nil {
					if _, ok := parseTime(s); ok {
						t.Fatalf("%q: refused (%v) though its eventTime %q parses", rec, e, s)
					}
				}
			}
			return
		default:
			t.Fatalf("%q: error %v (%T), neither a syntax nor a record error", rec, err, err)
		}
		if !isObject {
			t.Fatalf("%q: accepted what encoding/json does not read as an object", rec)
		}
		if ev.EventJSON != rec {
			t.Fatalf("EventJSON %q, want the record %q", ev.EventJSON, rec)
		}
		checkEventInvariants(t, ev)
		for key, col := range recordStrings {
			want, ok := jsonColumn(t, top[key])
			if got := col(ev); ok != (got != nil) || ok && *got != want {
				t.Fatalf("%q: %s is %s, encoding/json reads %q (present %v)", rec, key, show(got), want, ok)
			}
		}
		for key, col := range recordMaps {
			raw := top[key]
			got := col(ev)
			var obj map[string]json.RawMessage
			if raw == nil || json.Unmarshal(raw, &obj) != nil || obj == nil {
				if got != nil {
					t.Fatalf("%q: %s is %v for a value that is not an object", rec, key, got)
				}
				continue
			}
			want := map[string]string{}
			for k, v := range obj {
				if s, ok := jsonColumn(t, v); ok {
					want[k] = s
				}
			}
			if len(got) != len(want) {
				t.Fatalf("%q: %s is %v, encoding/json reads %v", rec, key, got, want)
			}
			for k, v := range want {
				if got[k] != v {
					t.Fatalf("%q: %s[%q] is %q, encoding/json reads %q", rec, key, k, got[k], v)
				}
			}
		}
	})
}

// jsonColumn is what a string column holds for a JSON value: nothing for
// absent or null, a string unescaped, anything else as compact JSON text.
func jsonColumn(t *testing.T, raw json.RawMessage) (string, bool) {
	if raw == nil || string(raw) == "null" {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, true
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		t.Fatalf("encoding/json cannot compact its own value %q: %v", raw, err)
	}
	return b.String(), true
}

func show(p *string) string {
	if p == nil {
		return "absent"
	}
	return "\"" + *p + "\""
}
