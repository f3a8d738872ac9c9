package sigv4

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	testAccessKeyID = "AKIAIOSFODNN7EXAMPLE"
	testSecret      = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	targetPrefix    = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."
)

// signTime is the clock of every test server, so that expiry messages are
// predictable.
var signTime = time.Date(2026, 11, 29, 0, 30, 0, 0, time.UTC)

var goodCreds = aws.Credentials{AccessKeyID: testAccessKeyID, SecretAccessKey: testSecret}

func testVerifier() *Verifier {
	return &Verifier{
		Service:     "cloudtrail",
		Credentials: StaticCredentials{AccessKeyID: testAccessKeyID, SecretAccessKey: testSecret},
		Now:         func() time.Time { return signTime },
	}
}

// result is what the test server reports back about Verify.
type result struct {
	Code     string
	Message  string
	Status   int
	Identity Identity
}

// startServer serves Verify through a real net/http server, so the request
// has been through the wire and net/http's parsing (Host moved to r.Host,
// Content-Length, header canonicalization) exactly as in production.
func startServer(t *testing.T, v *Verifier) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		res := result{Status: http.StatusOK}
		id, err := v.Verify(r, body)
		var e *Error
		switch {
		case err == nil:
			res.Identity = id
		case errors.As(err, &e):
			res.Code, res.Message, res.Status = e.Code, e.Message, e.Status
		default:
			res.Code, res.Message, res.Status = "NotAnError", err.Error(), http.StatusInternalServerError
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(res.Status)
		json.NewEncoder(w).Encode(res)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func send(t *testing.T, srv *httptest.Server, req *http.Request) result {
	t.Helper()
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var res result
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		t.Fatalf("decode response (status %d): %v", resp.StatusCode, err)
	}
	if resp.StatusCode != res.Status {
		t.Fatalf("HTTP status %d, Error.Status %d", resp.StatusCode, res.Status)
	}
	return res
}

// sdkRequest builds a CloudTrail call with the headers aws-sdk-go-v2 sends.
func sdkRequest(t *testing.T, url, op string, body []byte) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", targetPrefix+op)
	req.Header.Set("Amz-Sdk-Invocation-Id", "4f6f5a5e-8e0c-4a53-9c47-2f5d0c8b8a11")
	req.Header.Set("Amz-Sdk-Request", "attempt=1; max=3")
	req.Header.Set("User-Agent", "aws-sdk-go-v2/1.48.0 os/linux lang/go#1.26 api/cloudtrail#1.56.0")
	return req
}

// botocoreRequest builds a CloudTrail call with the headers botocore sends.
func botocoreRequest(t *testing.T, url, op string, body []byte) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", targetPrefix+op)
	req.Header.Set("User-Agent", "aws-cli/2.22.0 md/Botocore#1.35.0 ua/2.0 os/linux#6.8")
	return req
}

func sign(t testing.TB, req *http.Request, body []byte, creds aws.Credentials, service, region string, at time.Time) {
	t.Helper()
	signWithHash(t, req, hexHash(body), creds, service, region, at)
}

func signWithHash(t testing.TB, req *http.Request, payloadHash string, creds aws.Credentials, service, region string, at time.Time) {
	t.Helper()
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, payloadHash, service, region, at); err != nil {
		t.Fatal(err)
	}
}

// signBotocore signs like botocore, which sends Content-Length but does
// not sign it; the Go signer signs it whenever ContentLength > 0.
func signBotocore(t *testing.T, req *http.Request, body []byte, creds aws.Credentials, region string, at time.Time) {
	t.Helper()
	n := req.ContentLength
	req.ContentLength = 0
	sign(t, req, body, creds, "cloudtrail", region, at)
	req.ContentLength = n
}

func hexHash(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func signedHeadersOf(t *testing.T, req *http.Request) string {
	t.Helper()
	a, err := ParseAuthorization(req.Header.Get("Authorization"))
	if err != nil {
		t.Fatalf("SDK produced an Authorization we cannot parse: %v", err)
	}
	return strings.Join(a.SignedHeaders, ";")
}

func wantIdentity(t *testing.T, res result, region string) {
	t.Helper()
	if res.Status != http.StatusOK {
		t.Fatalf("refused: %s (%d): %s", res.Code, res.Status, res.Message)
	}
	want := Identity{AccessKeyID: testAccessKeyID, Region: region, Service: "cloudtrail"}
	if res.Identity != want {
		t.Fatalf("identity %+v, want %+v", res.Identity, want)
	}
}

var regions = []string{"us-east-1", "eu-west-3", "ap-southeast-2", "us-gov-west-1", "cn-north-1"}

func TestVerifyGoSDKHeaderSet(t *testing.T) {
	srv := startServer(t, testVerifier())
	large := append([]byte(`{"EventsData":"`), bytes.Repeat([]byte("x"), 1<<20)...)
	large = append(large, `"}`...)
	bodies := map[string][]byte{
		"empty":  []byte(`{}`),
		"small":  []byte(`{"trailNameList":["management-events"],"includeShadowTrails":true}`),
		"spaces": []byte("{\"Name\": \"a  b\",\n \"x\" : 1 }"),
		"large":  large,
	}
	for _, region := range regions {
		for name, body := range bodies {
			t.Run(region+"/"+name, func(t *testing.T) {
				req := sdkRequest(t, srv.URL, "DescribeTrails", body)
				sign(t, req, body, goodCreds, "cloudtrail", region, signTime)
				const want = "amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-date;x-amz-target"
				if got := signedHeadersOf(t, req); got != want {
					t.Fatalf("SDK signed %q, test expects %q", got, want)
				}
				wantIdentity(t, send(t, srv, req), region)
			})
		}
	}
}

func TestVerifyBotocoreHeaderSet(t *testing.T) {
	srv := startServer(t, testVerifier())
	creds := goodCreds
	creds.SessionToken = "IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQ=="
	for _, region := range regions {
		for _, body := range [][]byte{[]byte(`{}`), []byte(`{"Name":"trail","StartLogging":true}`)} {
			t.Run(region, func(t *testing.T) {
				req := botocoreRequest(t, srv.URL, "GetTrailStatus", body)
				signBotocore(t, req, body, creds, region, signTime)
				// botocore adds these after signing, so they travel unsigned.
				req.Header.Set("Amz-Sdk-Invocation-Id", "b0c1d2e3-f4a5-4b6c-8d7e-9f0a1b2c3d4e")
				req.Header.Set("Amz-Sdk-Request", "attempt=1")
				req.Header.Set("Accept-Encoding", "identity")
				const want = "content-type;host;x-amz-date;x-amz-security-token;x-amz-target"
				if got := signedHeadersOf(t, req); got != want {
					t.Fatalf("signed %q, test expects %q", got, want)
				}
				wantIdentity(t, send(t, srv, req), region)
			})
		}
	}
}

// A client addressing the server through a name (a proxy, or a custom
// endpoint URL) signs that name; the server must use r.Host, not its own.
func TestVerifyHostHeaderFromRequest(t *testing.T) {
	srv := startServer(t, testVerifier())
	body := []byte(`{}`)
	req := sdkRequest(t, srv.URL, "ListTrails", body)
	req.Host = "cloudtrail.eu-west-1.amazonaws.com"
	sign(t, req, body, goodCreds, "cloudtrail", "eu-west-1", signTime)
	wantIdentity(t, send(t, srv, req), "eu-west-1")
}

// CloudTrail only ever posts to "/", but the canonical path and query
// must still match what the SDK signs for anything else.
func TestVerifyPathAndQuery(t *testing.T) {
	srv := startServer(t, testVerifier())
	for _, target := range []string{
		"/a/b",
		"/with space/%C3%BC/a%2Fb/",
		"/?b=2&a=1&a=0&a-b=3&k=v%20w~&empty=&flag",
		"/x?%2F=%2F&Action=ListUsers&Version=2010-05-08",
	} {
		t.Run(target, func(t *testing.T) {
			body := []byte(`{}`)
			req := sdkRequest(t, srv.URL, "ListTrails", body)
			u, err := req.URL.Parse(target)
			if err != nil {
				t.Fatal(err)
			}
			req.URL = u
			sign(t, req, body, goodCreds, "cloudtrail", "us-east-1", signTime)
			wantIdentity(t, send(t, srv, req), "us-east-1")
		})
	}
}

func TestVerifyContentSHA256Header(t *testing.T) {
	srv := startServer(t, testVerifier())
	body := []byte(`{"Name":"t"}`)
	req := sdkRequest(t, srv.URL, "GetTrail", body)
	req.Header.Set("X-Amz-Content-Sha256", hexHash(body))
	sign(t, req, body, goodCreds, "cloudtrail", "us-east-1", signTime)
	wantIdentity(t, send(t, srv, req), "us-east-1")
}

func TestVerifyClockSkewWindow(t *testing.T) {
	srv := startServer(t, testVerifier())
	for _, d := range []time.Duration{-15 * time.Minute, -14 * time.Minute, 14 * time.Minute, 15 * time.Minute} {
		body := []byte(`{}`)
		req := sdkRequest(t, srv.URL, "ListTrails", body)
		sign(t, req, body, goodCreds, "cloudtrail", "us-east-1", signTime.Add(d))
		wantIdentity(t, send(t, srv, req), "us-east-1")
	}

	v := testVerifier()
	v.MaxSkew = time.Minute
	srv = startServer(t, v)
	body := []byte(`{}`)
	req := sdkRequest(t, srv.URL, "ListTrails", body)
	sign(t, req, body, goodCreds, "cloudtrail", "us-east-1", signTime.Add(-2*time.Minute))
	res := send(t, srv, req)
	const want = "Signature expired: 20261129T002800Z is now earlier than 20261129T002900Z (20261129T003000Z - 1 min.)"
	if res.Code != "InvalidSignatureException" || res.Message != want {
		t.Fatalf("got %s %q, want InvalidSignatureException %q", res.Code, res.Message, want)
	}
}

// The worked example of the AWS documentation (IAM ListUsers), checked
// without the SDK so the implementation is not only tested against itself
// and one signer.
func TestVerifyAWSDocumentationExample(t *testing.T) {
	req := httptest.NewRequest(http.MethodGet, "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08", nil)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set("X-Amz-Date", "20150830T123600Z")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "+
		"SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")
	v := &Verifier{
		Service:     "iam",
		Credentials: StaticCredentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: testSecret},
		Now:         func() time.Time { return time.Date(2015, 8, 30, 12, 40, 0, 0, time.UTC) },
	}
	id, err := v.Verify(req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if id != (Identity{AccessKeyID: "AKIDEXAMPLE", Region: "us-east-1", Service: "iam"}) {
		t.Fatalf("identity %+v", id)
	}
}

var sigRE = regexp.MustCompile(`Signature=[0-9a-f]+`)

func TestVerifyRefusals(t *testing.T) {
	body := []byte(`{"trailNameList":["a"]}`)
	other := []byte(`{"trailNameList":["b"]}`) // same length: only the hash differs

	const (
		missing    = "MissingAuthenticationTokenException"
		incomplete = "IncompleteSignatureException"
		invalid    = "InvalidSignatureException"
		unknown    = "UnrecognizedClientException"
	)
	cases := []struct {
		name        string
		creds       aws.Credentials // default goodCreds
		service     string          // default "cloudtrail"
		at          time.Time       // default signTime
		payloadHash string          // default the hash of body
		prepare     func(r *http.Request)
		tamper      func(r *http.Request)
		code        string
		status      int
		msg         string // substring of the message
	}{
		{name: "missing Authorization", tamper: func(r *http.Request) { r.Header.Del("Authorization") },
			code: missing, status: 403, msg: "Missing Authentication Token"},
		{name: "blank Authorization", tamper: func(r *http.Request) { r.Header.Set("Authorization", " ") },
			code: missing, status: 403, msg: "Missing Authentication Token"},
		{name: "garbage Authorization", tamper: func(r *http.Request) { r.Header.Set("Authorization", "garbage") },
			code: incomplete, status: 400, msg: "Unsupported authorization algorithm"},
		{name: "wrong algorithm", tamper: replaceAuth("AWS4-HMAC-SHA256 ", "AWS4-HMAC-SHA512 "),
			code: incomplete, status: 400, msg: `"AWS4-HMAC-SHA512"`},
		{name: "SigV4a algorithm", tamper: replaceAuth("AWS4-HMAC-SHA256 ", "AWS4-ECDSA-P256-SHA256 "),
			code: incomplete, status: 400, msg: "only AWS4-HMAC-SHA256"},
		{name: "scope not ending in aws4_request", tamper: replaceAuth("/aws4_request", "/aws4_reqest"),
			code: incomplete, status: 400, msg: "valid terminator: 'aws4_request'"},
		{name: "scope with 4 parts", tamper: replaceAuth("/cloudtrail/aws4_request", "/aws4_request"),
			code: incomplete, status: 400, msg: "exactly 5 slash-delimited elements"},
		{name: "no Signature", tamper: func(r *http.Request) {
			r.Header.Set("Authorization", sigRE.ReplaceAllString(r.Header.Get("Authorization"), ""))
		}, code: incomplete, status: 400, msg: "requires 'Signature' parameter"},
		{name: "short signature", tamper: func(r *http.Request) {
			r.Header.Set("Authorization", sigRE.ReplaceAllString(r.Header.Get("Authorization"), "Signature=abc"))
		}, code: incomplete, status: 400, msg: "64 hexadecimal"},
		{name: "host not signed", tamper: replaceAuth(";host;", ";"),
			code: incomplete, status: 400, msg: "must include 'host'"},
		{name: "two Authorization headers", tamper: func(r *http.Request) { r.Header.Add("Authorization", r.Header.Get("Authorization")) },
			code: incomplete, status: 400, msg: "Only one Authorization"},
		{name: "missing X-Amz-Date", tamper: func(r *http.Request) { r.Header.Del("X-Amz-Date") },
			code: incomplete, status: 400, msg: "'X-Amz-Date' or a 'Date' header"},
		{name: "X-Amz-Date not ISO-8601 basic", tamper: func(r *http.Request) { r.Header.Set("X-Amz-Date", "2026-11-29T00:30:00Z") },
			code: incomplete, status: 400, msg: "not an ISO-8601 basic"},
		{name: "HTTP Date instead of X-Amz-Date", tamper: func(r *http.Request) {
			r.Header.Del("X-Amz-Date")
			r.Header.Set("Date", signTime.Format(http.TimeFormat))
		}, code: incomplete, status: 400, msg: "The Date header value"},
		{name: "ISO Date header stands in for X-Amz-Date", tamper: func(r *http.Request) {
			// Gets past the date checks, then fails because x-amz-date itself was signed.
			r.Header.Set("Date", r.Header.Get("X-Amz-Date"))
			r.Header.Del("X-Amz-Date")
		}, code: invalid, status: 400, msg: "'x-amz-date' is listed in SignedHeaders but is not present"},
		{name: "presigned URL", tamper: func(r *http.Request) {
			r.Header.Del("Authorization")
			u, _, err := v4.NewSigner().PresignHTTP(context.Background(), goodCreds, r, hexHash(body), "cloudtrail", "us-east-1", signTime)
			if err != nil {
				panic(err)
			}
			r.URL, _ = r.URL.Parse(u)
		}, code: incomplete, status: 400, msg: "Presigned URLs"},
		{name: "body changed after signing", tamper: setBody(other),
			code: invalid, status: 400, msg: "does not match the signature you provided"},
		{name: "body changed length after signing", tamper: setBody([]byte(`{}`)),
			code: invalid, status: 400, msg: "does not match the signature you provided"},
		{name: "X-Amz-Target changed after signing", tamper: func(r *http.Request) { r.Header.Set("X-Amz-Target", targetPrefix+"DeleteTrail") },
			code: invalid, status: 400, msg: "does not match the signature you provided"},
		{name: "wrong secret", creds: aws.Credentials{AccessKeyID: testAccessKeyID, SecretAccessKey: "not-" + testSecret},
			code: invalid, status: 400, msg: "does not match the signature you provided"},
		{name: "unknown access key", creds: aws.Credentials{AccessKeyID: "AKIAUNKNOWN000000000", SecretAccessKey: testSecret},
			code: unknown, status: 400, msg: "The security token included in the request is invalid."},
		{name: "signed 16 minutes in the past", at: signTime.Add(-16 * time.Minute), code: invalid, status: 400,
			msg: "Signature expired: 20261129T001400Z is now earlier than 20261129T001500Z (20261129T003000Z - 15 min.)"},
		{name: "signed 16 minutes in the future", at: signTime.Add(16 * time.Minute), code: invalid, status: 400,
			msg: "Signature not yet current: 20261129T004600Z is still later than 20261129T004500Z (20261129T003000Z + 15 min.)"},
		{name: "scoped to s3", service: "s3", code: invalid, status: 400,
			msg: "Credential should be scoped to correct service: 'cloudtrail'."},
		{name: "scope date not matching X-Amz-Date", tamper: replaceAuth("/20261129/", "/20261128/"), code: invalid, status: 400,
			msg: "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261128' != '20261129', from '20261129T003000Z'."},
		{name: "signed header missing from request", tamper: func(r *http.Request) { r.Header.Del("X-Amz-Target") },
			code: invalid, status: 400, msg: "'x-amz-target' is listed in SignedHeaders but is not present"},
		{name: "X-Amz-Content-Sha256 of another body", payloadHash: hexHash(other),
			prepare: func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", hexHash(other)) },
			code:    invalid, status: 400, msg: "'x-amz-content-sha256' header does not match"},
		{name: "unsigned payload", payloadHash: "UNSIGNED-PAYLOAD",
			prepare: func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD") },
			code:    invalid, status: 400, msg: "does not match the signature you provided"},
	}

	srv := startServer(t, testVerifier())
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			creds, service, at, payloadHash := goodCreds, "cloudtrail", signTime, hexHash(body)
			if c.creds != (aws.Credentials{}) {
				creds = c.creds
			}
			if c.service != "" {
				service = c.service
			}
			if !c.at.IsZero() {
				at = c.at
			}
			if c.payloadHash != "" {
				payloadHash = c.payloadHash
			}
			build := func() *http.Request {
				r := sdkRequest(t, srv.URL, "DescribeTrails", body)
				if c.prepare != nil {
					c.prepare(r)
				}
				return r
			}
			req := build()
			signWithHash(t, req, payloadHash, creds, service, "us-east-1", at)
			if c.tamper != nil {
				c.tamper(req)
			}
			res := send(t, srv, req)
			if res.Code != c.code || res.Status != c.status {
				t.Fatalf("got %s (%d): %s\nwant %s (%d)", res.Code, res.Status, res.Message, c.code, c.status)
			}
			if !strings.Contains(res.Message, c.msg) {
				t.Errorf("message %q does not contain %q", res.Message, c.msg)
			}

			// The message must not help a forger: no secret, and not the
			// signature a correctly signed request would have carried.
			good := build()
			signWithHash(t, good, hexHash(body), goodCreds, "cloudtrail", "us-east-1", at)
			goodSig := strings.TrimPrefix(sigRE.FindString(good.Header.Get("Authorization")), "Signature=")
			for _, secret := range []string{testSecret, goodSig} {
				if strings.Contains(res.Message, secret) {
					t.Errorf("message %q leaks %q", res.Message, secret)
				}
			}
		})
	}
}

func replaceAuth(old, new string) func(*http.Request) {
	return func(r *http.Request) {
		h := r.Header.Get("Authorization")
		if !strings.Contains(h, old) {
			panic("test Authorization has no " + old + ": " + h)
		}
		r.Header.Set("Authorization", strings.Replace(h, old, new, 1))
	}
}

func setBody(b []byte) func(*http.Request) {
	return func(r *http.Request) {
		r.Body = io.NopCloser(bytes.NewReader(b))
		r.ContentLength = int64(len(b))
		r.GetBody = nil
	}
}

func TestVerifyWithoutCredentials(t *testing.T) {
	v := testVerifier()
	v.Credentials = nil
	body := []byte(`{}`)
	req := sdkRequest(t, "http://cloudtrail.us-east-1.amazonaws.com", "ListTrails", body)
	sign(t, req, body, goodCreds, "cloudtrail", "us-east-1", signTime)
	_, err := v.Verify(req, body)
	var e *Error
	if !errors.As(err, &e) || e.Code != "UnrecognizedClientException" {
		t.Fatalf("got %v, want UnrecognizedClientException", err)
	}
}

// TestVerifyRequiredSignedHeaders: a header the verifier requires but the
// signature does not cover is refused before the signature is checked.
func TestVerifyRequiredSignedHeaders(t *testing.T) {
	v := testVerifier()
	v.RequiredSignedHeaders = []string{"x-amz-target"}
	body := []byte(`{}`)
	req := sdkRequest(t, "http://cloudtrail.us-east-1.amazonaws.com", "ListTrails", body)
	sign(t, req, body, goodCreds, "cloudtrail", "us-east-1", signTime)
	if _, err := v.Verify(req, body); err != nil {
		t.Fatalf("signed target refused: %v", err)
	}
	unsigned := sdkRequest(t, "http://cloudtrail.us-east-1.amazonaws.com", "ListTrails", body)
	unsigned.Header.Del("X-Amz-Target")
	sign(t, unsigned, body, goodCreds, "cloudtrail", "us-east-1", signTime)
	unsigned.Header.Set("X-Amz-Target", targetPrefix+"DeleteTrail")
	_, err := v.Verify(unsigned, body)
	var e *Error
	if !errors.As(err, &e) || e.Code != "IncompleteSignatureException" || e.Status != http.StatusBadRequest || !strings.Contains(e.Message, "x-amz-target") {
		t.Fatalf("unsigned target: %v, want IncompleteSignatureException naming x-amz-target", err)
	}
}

func TestStaticCredentials(t *testing.T) {
	c := StaticCredentials{AccessKeyID: "AK", SecretAccessKey: "s"}
	if s, ok := c.LookupSecret("AK"); !ok || s != "s" {
		t.Errorf("LookupSecret(AK) = %q, %v", s, ok)
	}
	for _, c := range []StaticCredentials{c, {}, {AccessKeyID: "AK"}} {
		if _, ok := c.LookupSecret("other"); ok && c.AccessKeyID != "other" {
			t.Errorf("%+v accepted another key id", c)
		}
		if _, ok := c.LookupSecret(""); ok {
			t.Errorf("%+v accepted an empty key id", c)
		}
	}
	if _, ok := (StaticCredentials{AccessKeyID: "AK"}).LookupSecret("AK"); ok {
		t.Error("an empty secret must not be usable")
	}
}

func TestParseAuthorization(t *testing.T) {
	sig := strings.Repeat("0123456789abcdef", 4)
	got, err := ParseAuthorization("AWS4-HMAC-SHA256 Credential=AKID/20261129/eu-west-3/cloudtrail/aws4_request," +
		"SignedHeaders=content-type;host;x-amz-date,  Signature=" + sig)
	if err != nil {
		t.Fatal(err)
	}
	want := Authorization{AccessKeyID: "AKID", Date: "20261129", Region: "eu-west-3", Service: "cloudtrail",
		Terminator: "aws4_request", SignedHeaders: []string{"content-type", "host", "x-amz-date"}, Signature: sig}
	if got.AccessKeyID != want.AccessKeyID || got.Date != want.Date || got.Region != want.Region ||
		got.Service != want.Service || got.Terminator != want.Terminator || got.Signature != want.Signature ||
		strings.Join(got.SignedHeaders, ";") != strings.Join(want.SignedHeaders, ";") {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}

	for _, h := range []string{
		"",
		"AWS4-HMAC-SHA256",
		"AWS4-HMAC-SHA256 Credential=AKID/20261129/eu-west-3/cloudtrail/aws4_request, SignedHeaders=host",
		"AWS4-HMAC-SHA256 Credential=AKID/20261129/eu-west-3/cloudtrail/aws4_request, SignedHeaders=x-amz-date;host, Signature=" + sig,
		"AWS4-HMAC-SHA256 Credential=AKID/20261129/eu-west-3/cloudtrail/aws4_request, SignedHeaders=host;host, Signature=" + sig,
		"AWS4-HMAC-SHA256 Credential=AKID/20261129/eu-west-3/cloudtrail/aws4_request, SignedHeaders=Host, Signature=" + sig,
		"AWS4-HMAC-SHA256 Credential=AKID/2026-11-29/eu-west-3/cloudtrail/aws4_request, SignedHeaders=host, Signature=" + sig,
		"AWS4-HMAC-SHA256 Credential=/20261129/eu-west-3/cloudtrail/aws4_request, SignedHeaders=host, Signature=" + sig,
		"AWS4-HMAC-SHA256 Credential=AKID/20261129/eu-west-3/cloudtrail/aws4_request, Credential=AKID/20261129/eu-west-3/cloudtrail/aws4_request, SignedHeaders=host, Signature=" + sig,
		"AWS4-HMAC-SHA256 Credential=AKID/20261129/eu-west-3/cloudtrail/aws4_request, SignedHeaders=host, Signature=" + sig + ", Extra=1",
	} {
		_, err := ParseAuthorization(h)
		var e *Error
		if !errors.As(err, &e) || e.Code != "IncompleteSignatureException" || e.Status != http.StatusBadRequest {
			t.Errorf("ParseAuthorization(%q) = %v, want IncompleteSignatureException", h, err)
		}
	}
}

func TestErrorString(t *testing.T) {
	e := &Error{Code: "InvalidSignatureException", Message: "m", Status: 400}
	if e.Error() != "InvalidSignatureException: m" {
		t.Fatal(e.Error())
	}
}
