package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
)

// signedRequest returns a ListEventDataStores request signed by the SDK's
// signer with the test key, for a test to spoil in one way.
func signedRequest(t *testing.T, url, target, body string, at time.Time) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", target)
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecretKey}, req,
		hex.EncodeToString(sum[:]), "cloudtrail", "us-east-1", at); err != nil {
		t.Fatal(err)
	}
	return req
}

// send sends req as it is and reads the AWS-shaped answer.
func send(t *testing.T, req *http.Request, body string) rawAnswer {
	t.Helper()
	req.Body = io.NopCloser(strings.NewReader(body))
	req.ContentLength = int64(len(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	a := rawAnswer{status: resp.StatusCode, requestID: resp.Header.Get("x-amzn-RequestId"), header: resp.Header, raw: string(raw)}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&a.body); err != nil {
		t.Fatalf("answer is not a JSON object: %q", raw)
	}
	return a
}

var signaturePattern = regexp.MustCompile(`Signature=([0-9a-f]{64})`)

// TestAuthenticationRefusals complements TestAuthentication with the
// refusals it does not cover (presigned URLs, SigV4a, malformed dates and
// scopes, headers changed after signing), and checks that the log lines of
// refused requests name the access key id but never hold the secret or a
// signature.
func TestAuthenticationRefusals(t *testing.T) {
	srv := StartServer(t)
	list := longTarget + "ListEventDataStores"
	var signatures []string
	keep := func(req *http.Request) {
		if m := signaturePattern.FindStringSubmatch(req.Header.Get("Authorization")); m != nil {
			signatures = append(signatures, m[1])
		}
	}

	// Presigned (query-string) authentication is not accepted: the API is
	// called by SDKs, which sign the Authorization header.
	presign, err := http.NewRequest(http.MethodPost, srv.URL+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	presign.Header.Set("X-Amz-Target", list)
	presigned, _, err := v4.NewSigner().PresignHTTP(ctx, aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecretKey},
		presign, hex.EncodeToString(sha256.New().Sum(nil)), "cloudtrail", "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, presigned, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Target", list)
	if m := regexp.MustCompile(`X-Amz-Signature=([0-9a-f]{64})`).FindStringSubmatch(presigned); m != nil {
		signatures = append(signatures, m[1])
	}
	wantCode(t, "presigned URL", send(t, req, ""), 400, "IncompleteSignatureException")

	cases := []struct {
		what   string
		spoil  func(*http.Request)
		body   string
		status int
		code   string
	}{
		{"SigV4a algorithm", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256", 1))
		}, "{}", 400, "IncompleteSignatureException"},
		{"two Authorization headers", func(r *http.Request) {
			r.Header.Add("Authorization", r.Header.Get("Authorization"))
		}, "{}", 400, "IncompleteSignatureException"},
		{"no X-Amz-Date", func(r *http.Request) { r.Header.Del("X-Amz-Date") }, "{}", 400, "IncompleteSignatureException"},
		{"X-Amz-Date not ISO 8601", func(r *http.Request) {
			r.Header.Set("X-Amz-Date", time.Now().UTC().Format(time.RFC1123))
		}, "{}", 400, "IncompleteSignatureException"},
		{"scope date other than X-Amz-Date", func(r *http.Request) {
			r.Header.Set("X-Amz-Date", time.Now().UTC().Add(24*time.Hour).Format("20060102T150405Z"))
		}, "{}", 400, "InvalidSignatureException"},
		{"signed header changed", func(r *http.Request) {
			r.Header.Set("Content-Type", "application/json")
		}, "{}", 400, "InvalidSignatureException"},
		{"x-amz-content-sha256 of another body", func(r *http.Request) {
			sum := sha256.Sum256([]byte(`{"MaxResults":1}`))
			r.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
		}, `{"MaxResults":1}`, 400, "InvalidSignatureException"},
		{"signature digit changed", func(r *http.Request) {
			a := r.Header.Get("Authorization")
			last := a[len(a)-1]
			r.Header.Set("Authorization", a[:len(a)-1]+map[bool]string{true: "1", false: "0"}[last == '0'])
		}, "{}", 400, "InvalidSignatureException"},
		{"signature truncated", func(r *http.Request) {
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", a[:len(a)-2])
		}, "{}", 400, "IncompleteSignatureException"},
		{"credential without terminator", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/aws4_request", "/aws4_reques", 1))
		}, "{}", 400, "IncompleteSignatureException"},
		{"empty Authorization", func(r *http.Request) { r.Header.Set("Authorization", "") }, "{}", 403, "MissingAuthenticationTokenException"},
	}
	for _, c := range cases {
		req := signedRequest(t, srv.URL, list, "{}", time.Now())
		keep(req)
		c.spoil(req)
		wantCode(t, c.what, send(t, req, c.body), c.status, c.code)
	}
	// TestAuthentication's refusals, here for the log check.
	for _, c := range []rawCall{
		{target: list, body: "{}", secret: "not-the-secret"},
		{target: list, body: "{}", key: "AKIAUNKNOWNKEY000000"},
		{target: list, body: "{}", at: time.Now().Add(-16 * time.Minute)},
		{target: list, body: "{}", service: "s3"},
	} {
		a := srv.call(t, c)
		if a.status < 400 {
			t.Errorf("%+v accepted", c)
		}
	}
	// The unsigned-target and replay refusals of TestAuthentication sign
	// with the real secret: their signatures are valid ones, worth the
	// most to a thief.
	valid := signedRequest(t, srv.URL, list, "{}", time.Now())
	keep(valid)
	if a := send(t, valid, `{"MaxResults":5}`); a.status != 400 {
		t.Errorf("replayed headers with a changed body: HTTP %d", a.status)
	}

	// Still open to the right key.
	if _, err := srv.Client("us-east-1").ListEventDataStores(ctx, &cloudtrail.ListEventDataStoresInput{}); err != nil {
		t.Fatalf("a good request after the refusals: %v", err)
	}

	log := srv.Log()
	if strings.Contains(log, testSecretKey) {
		t.Errorf("the log holds the secret key")
	}
	if len(signatures) < len(cases) {
		t.Fatalf("only %d signatures collected", len(signatures))
	}
	for _, sig := range signatures {
		if strings.Contains(log, sig) {
			t.Errorf("the log holds a request's signature %s", sig)
		}
	}
	// Each refusal is logged (with its code, and the access key id when
	// the header names one), whichever line the server logs it on.
	refused, withKey := 0, 0
	for _, line := range strings.Split(log, "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) != nil {
			continue
		}
		switch rec["code"] {
		case "IncompleteSignatureException", "InvalidSignatureException", "MissingAuthenticationTokenException", "UnrecognizedClientException":
			refused++
			if rec["access_key_id"] != nil {
				withKey++
			}
		}
	}
	if refused < len(cases) {
		t.Errorf("%d log lines of refused requests for at least %d refusals", refused, len(cases))
	}
	if withKey == 0 {
		t.Errorf("no refusal line names the access key id, which is what an operator needs")
	}
}
