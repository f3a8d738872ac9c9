package sigv4

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

const seedSignature = "4e1c3b0a5f6d2e7c8b9a0f1e2d3c4b5a6978e8d7c6b5a4f3e2d1c0b9a8f7e6d5"

func FuzzParseAuthorization(f *testing.F) {
	for _, h := range []string{
		"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261124/eu-west-1/cloudtrail/aws4_request, " +
			"SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-date;x-amz-target, Signature=" + seedSignature,
		"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261124/us-east-1/cloudtrail/aws4_request,SignedHeaders=host,Signature=" + seedSignature,
		"AWS4-HMAC-SHA256 Signature=" + seedSignature + ", SignedHeaders=host;x-amz-date, Credential=A/20261124/r/s/aws4_request",
		"AWS4-HMAC-SHA256 Credential=A/20261124/r/s/aws4_request/x, SignedHeaders=host, Signature=" + seedSignature,
		"AWS4-HMAC-SHA256 Credential=, SignedHeaders=, Signature=",
		"AWS4-HMAC-SHA256 ,,,=,==",
		"AWS4-ECDSA-P256-SHA256 Credential=AKID/20261124/cloudtrail/aws4_request, SignedHeaders=host;x-amz-region-set, Signature=3045",
		"AWS AKID:c2lnbmF0dXJl",
		"Bearer token",
		"",
	} {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, h string) {
		a, err := ParseAuthorization(h)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Status < 400 || e.Status > 499 || e.Code == "" || e.Message == "" {
				t.Fatalf("ParseAuthorization(%q) error %#v is not a 4xx *Error", h, err)
			}
			return
		}
		// What Verify relies on once parsing has succeeded.
		if a.AccessKeyID == "" || len(a.Date) != 8 || a.Region == "" || a.Service == "" || a.Terminator != terminator {
			t.Fatalf("bad scope accepted: %+v", a)
		}
		if !isHex(a.Signature, 64) {
			t.Fatalf("bad signature accepted: %q", a.Signature)
		}
		if !slices.Contains(a.SignedHeaders, "host") || !slices.IsSorted(a.SignedHeaders) {
			t.Fatalf("bad SignedHeaders accepted: %q", a.SignedHeaders)
		}
		for _, s := range []string{a.AccessKeyID, a.Date, a.Region, a.Service} {
			if strings.ContainsAny(s, "/,") {
				t.Fatalf("scope element %q contains a separator", s)
			}
		}
	})
}

// fuzzRequest is the request FuzzVerify varies; built in process (no
// server) to keep each execution fast.
func fuzzRequest(body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "http://cloudtrail.us-east-1.amazonaws.com/", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", targetPrefix+"ListTrails")
	return r
}

func FuzzVerify(f *testing.F) {
	signedBody := []byte(`{"NextToken":"abc"}`)
	signed := fuzzRequest(signedBody)
	sign(f, signed, signedBody, goodCreds, "cloudtrail", "us-east-1", signTime)
	validAuth := signed.Header.Get("Authorization")
	amzDate := signed.Header.Get("X-Amz-Date")

	f.Add(validAuth, signedBody)
	f.Add(validAuth, []byte(`{"NextToken":"abd"}`))
	f.Add(strings.ReplaceAll(validAuth, ", ", ","), signedBody)
	f.Add(strings.Replace(validAuth, "us-east-1", "eu-west-1", 1), signedBody)
	f.Add(strings.Replace(validAuth, "host;", "content-length;host;", 1), signedBody)
	f.Add("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261129/us-east-1/cloudtrail/aws4_request, SignedHeaders=host;x-unknown, Signature="+seedSignature, []byte(`{}`))
	f.Add("", []byte(nil))
	f.Add("garbage", []byte("\x00\xff"))

	v := testVerifier()
	check := fuzzRequest(signedBody)
	check.Header.Set("X-Amz-Date", amzDate)
	check.Header.Set("Authorization", validAuth)
	if _, err := v.Verify(check, signedBody); err != nil {
		f.Fatalf("the valid seed must verify, so the fuzzer starts from an accepted request: %v", err)
	}

	f.Fuzz(func(t *testing.T, authz string, body []byte) {
		r := fuzzRequest(body)
		r.Header.Set("X-Amz-Date", amzDate)
		r.Header.Set("Authorization", authz)
		id, err := v.Verify(r, body)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Status < 400 || e.Status > 499 {
				t.Fatalf("error %#v is not a 4xx *Error", err)
			}
			if strings.Contains(e.Message, testSecret) {
				t.Fatalf("message leaks the secret: %q", e.Message)
			}
			return
		}
		// The body is bound by its SHA-256, so only the signed body can
		// ever pass, whatever the header variations.
		if !bytes.Equal(body, signedBody) || id.AccessKeyID != testAccessKeyID {
			t.Fatalf("accepted body %q with identity %+v", body, id)
		}
	})
}
