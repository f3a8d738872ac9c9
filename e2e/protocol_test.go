package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
)

const longTarget = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."

// rawCall is one hand-made API request, signed like the SDKs sign.
type rawCall struct {
	target   string // full X-Amz-Target value
	body     string
	region   string
	service  string // signing name; cloudtrail when empty
	secret   string // signing secret; the test secret when empty
	key      string // access key id; the test key when empty
	at       time.Time
	unsigned bool
}

type rawAnswer struct {
	status    int
	requestID string
	header    http.Header
	body      map[string]any
	raw       string
}

func (s *Server) call(t *testing.T, c rawCall) rawAnswer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+"/", strings.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", c.target)
	if !c.unsigned {
		region, service, secret, key, at := c.region, c.service, c.secret, c.key, c.at
		if region == "" {
			region = "us-east-1"
		}
		if service == "" {
			service = "cloudtrail"
		}
		if secret == "" {
			secret = testSecretKey
		}
		if key == "" {
			key = testAccessKey
		}
		if at.IsZero() {
			at = time.Now()
		}
		sum := sha256.Sum256([]byte(c.body))
		err := v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}, req, hex.EncodeToString(sum[:]), service, region, at)
		if err != nil {
			t.Fatal(err)
		}
	}
	a := send(t, req, c.body)
	if !isLowerUUID(a.requestID) {
		t.Errorf("%s: x-amzn-RequestId %q is not a request id", c.target, a.requestID)
	}
	if ct := a.header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		t.Errorf("%s: Content-Type %q", c.target, ct)
	}
	return a
}

// wantCode checks an error answer's status, __type and message.
func wantCode(t *testing.T, what string, a rawAnswer, status int, code string) {
	t.Helper()
	if a.status != status || a.body["__type"] != code {
		t.Errorf("%s: HTTP %d %v, want %d %s (body %s)", what, a.status, a.body["__type"], status, code, a.raw)
	}
	if msg, _ := a.body["message"].(string); len(msg) < 10 {
		t.Errorf("%s: message %q says nothing", what, msg)
	}
}

func TestProtocol(t *testing.T) {
	srv := StartServer(t)

	// Both spellings of X-Amz-Target reach the operation (spec §1.2).
	for i, target := range []string{longTarget + "CreateEventDataStore", "CloudTrail_20131101.CreateEventDataStore"} {
		a := srv.call(t, rawCall{target: target, body: fmt.Sprintf(`{"Name":"spelling-%d"}`, i)})
		if a.status != 200 {
			t.Fatalf("%s: HTTP %d %s", target, a.status, a.raw)
		}
		// Timestamps are JSON numbers and integers are integers (spec §1.5, §1.6).
		if _, ok := a.body["CreatedTimestamp"].(json.Number); !ok {
			t.Errorf("CreatedTimestamp is %T, want a JSON number", a.body["CreatedTimestamp"])
		}
		if n, ok := a.body["RetentionPeriod"].(json.Number); !ok || strings.ContainsAny(n.String(), ".eE") {
			t.Errorf("RetentionPeriod %v is not a JSON integer", a.body["RetentionPeriod"])
		}
		if _, present := a.body["KmsKeyId"]; present {
			t.Errorf("absent member KmsKeyId sent (as %v); absent members are omitted", a.body["KmsKeyId"])
		}
	}
	// Operations without members take {} or an empty body, and answer {}.
	if a := srv.call(t, rawCall{target: longTarget + "ListEventDataStores", body: ""}); a.status != 200 {
		t.Errorf("empty body: HTTP %d %s", a.status, a.raw)
	}

	wantCode(t, "unknown operation", srv.call(t, rawCall{target: longTarget + "LaunchRocket", body: "{}"}), 400, "UnknownOperationException")
	wantCode(t, "unknown target prefix", srv.call(t, rawCall{target: "DynamoDB_20120810.ListTables", body: "{}"}), 400, "UnknownOperationException")
	wantCode(t, "no target", srv.call(t, rawCall{target: "", body: "{}"}), 400, "UnknownOperationException")
	wantCode(t, "malformed JSON", srv.call(t, rawCall{target: longTarget + "CreateEventDataStore", body: `{"Name":`}), 400, "SerializationException")
	wantCode(t, "not an object", srv.call(t, rawCall{target: longTarget + "ListEventDataStores", body: `[1,2]`}), 400, "SerializationException")
	wantCode(t, "trailing data", srv.call(t, rawCall{target: longTarget + "ListEventDataStores", body: `{} {}`}), 400, "SerializationException")
	wantCode(t, "integer as string", srv.call(t, rawCall{target: longTarget + "CreateEventDataStore", body: `{"Name":"typed","RetentionPeriod":"30"}`}), 400, "SerializationException")
	wantCode(t, "integer as decimal", srv.call(t, rawCall{target: longTarget + "CreateEventDataStore", body: `{"Name":"typed","RetentionPeriod":30.5}`}), 400, "SerializationException")
	wantCode(t, "boolean as string", srv.call(t, rawCall{target: longTarget + "CreateEventDataStore", body: `{"Name":"typed","MultiRegionEnabled":"yes"}`}), 400, "SerializationException")
	wantCode(t, "list as object", srv.call(t, rawCall{target: longTarget + "CreateEventDataStore", body: `{"Name":"typed","TagsList":{}}`}), 400, "SerializationException")
	wantCode(t, "required member missing", srv.call(t, rawCall{target: longTarget + "CreateEventDataStore", body: `{}`}), 400, "InvalidParameterException")
	wantCode(t, "required EventDataStore missing", srv.call(t, rawCall{target: longTarget + "GetEventDataStore", body: `{}`}), 400, "InvalidParameterException")
	wantCode(t, "tag without a key", srv.call(t, rawCall{target: longTarget + "CreateEventDataStore", body: `{"Name":"nokey","TagsList":[{"Value":"v"}]}`}), 400, "InvalidTagParameterException")

	// Bodies over the cap are refused before anything reads them as JSON.
	big := `{"Name":"big","TagsList":[{"Key":"k","Value":"` + strings.Repeat("v", 5<<20) + `"}]}`
	a := srv.call(t, rawCall{target: longTarget + "CreateEventDataStore", body: big})
	wantCode(t, "5 MiB body", a, 413, "RequestEntityTooLargeException")

	// Readiness and unknown paths.
	resp, err := http.Get(srv.URL + "/health")
	if err != nil || resp.StatusCode != 200 {
		t.Errorf("GET /health: %v %v", resp, err)
	}
	resp, err = http.Get(srv.URL + "/")
	if err != nil || resp.StatusCode != 404 {
		t.Errorf("GET /: %v %v, want 404", resp, err)
	}
}

func TestAuthentication(t *testing.T) {
	srv := StartServer(t)
	list := longTarget + "ListEventDataStores"
	if a := srv.call(t, rawCall{target: list, body: "{}"}); a.status != 200 {
		t.Fatalf("signed request refused: %s", a.raw)
	}
	wantCode(t, "unsigned", srv.call(t, rawCall{target: list, body: "{}", unsigned: true}), 403, "MissingAuthenticationTokenException")
	wantCode(t, "wrong secret", srv.call(t, rawCall{target: list, body: "{}", secret: "not-the-secret"}), 400, "InvalidSignatureException")
	wantCode(t, "unknown access key", srv.call(t, rawCall{target: list, body: "{}", key: "AKIAUNKNOWNKEY000000"}), 400, "UnrecognizedClientException")
	wantCode(t, "signed 16 minutes ago", srv.call(t, rawCall{target: list, body: "{}", at: time.Now().Add(-16 * time.Minute)}), 400, "InvalidSignatureException")
	wantCode(t, "signed 16 minutes ahead", srv.call(t, rawCall{target: list, body: "{}", at: time.Now().Add(16 * time.Minute)}), 400, "InvalidSignatureException")
	wantCode(t, "scoped to s3", srv.call(t, rawCall{target: list, body: "{}", service: "s3"}), 400, "InvalidSignatureException")

	// A signature is for one body and one operation: replaying its headers
	// with another body or target fails.
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(`{"Name":"signed-name"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", longTarget+"CreateEventDataStore")
	sum := sha256.Sum256([]byte(`{"Name":"signed-name"}`))
	v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecretKey}, req, hex.EncodeToString(sum[:]), "cloudtrail", "us-east-1", time.Now())
	for _, replay := range []struct{ what, target, body string }{
		{"changed body", longTarget + "CreateEventDataStore", `{"Name":"other-name!"}`},
		{"changed operation", longTarget + "DeleteEventDataStore", `{"Name":"signed-name"}`},
	} {
		r2, err := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(replay.body))
		if err != nil {
			t.Fatal(err)
		}
		r2.Header = req.Header.Clone()
		r2.Header.Set("X-Amz-Target", replay.target)
		resp, err := http.DefaultClient.Do(r2)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]any
		json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != 400 || body["__type"] != "InvalidSignatureException" {
			t.Errorf("replay with %s: HTTP %d %v, want 400 InvalidSignatureException", replay.what, resp.StatusCode, body["__type"])
		}
	}
	// A signature that leaves X-Amz-Target out is refused: the operation
	// could be swapped under it.
	unsignedTarget, err := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(`{"Name":"unsigned-target"}`))
	if err != nil {
		t.Fatal(err)
	}
	unsignedTarget.Header.Set("Content-Type", "application/x-amz-json-1.1")
	sum2 := sha256.Sum256([]byte(`{"Name":"unsigned-target"}`))
	v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecretKey}, unsignedTarget, hex.EncodeToString(sum2[:]), "cloudtrail", "us-east-1", time.Now())
	unsignedTarget.Header.Set("X-Amz-Target", longTarget+"CreateEventDataStore")
	if resp, err := http.DefaultClient.Do(unsignedTarget); err != nil {
		t.Fatal(err)
	} else {
		var body map[string]any
		json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != 400 || body["__type"] != "IncompleteSignatureException" {
			t.Errorf("unsigned X-Amz-Target: HTTP %d %v, want 400 IncompleteSignatureException", resp.StatusCode, body["__type"])
		}
	}
	// Nothing refused reached the catalog.
	out, err := srv.Client("us-east-1").ListEventDataStores(ctx, &cloudtrail.ListEventDataStoresInput{})
	if err != nil || len(out.EventDataStores) != 0 {
		t.Errorf("after refused requests: %v stores, %v", out, err)
	}
	// The secret never reaches the log.
	if strings.Contains(srv.Log(), testSecretKey) {
		t.Errorf("the server log contains the secret key")
	}
}

func TestGeneratedCredentials(t *testing.T) {
	srv := StartServer(t, WithoutEnvCredentials())
	path := srv.DataDir + "/credentials.env"
	key, secret := readCredentialsFile(t, path)
	c := NewClient(srv.URL, "us-east-1", key, secret)
	if _, err := c.CreateEventDataStore(ctx, &cloudtrail.CreateEventDataStoreInput{Name: aws.String("with-generated-key")}); err != nil {
		t.Fatalf("the generated key does not work: %v", err)
	}
	// The same key is kept across restarts.
	srv.Restart()
	if k2, s2 := readCredentialsFile(t, path); k2 != key || s2 != secret {
		t.Errorf("restart made a new key")
	}
	c = NewClient(srv.URL, "us-east-1", key, secret)
	if _, err := c.GetEventDataStore(ctx, &cloudtrail.GetEventDataStoreInput{EventDataStore: aws.String("00000000-0000-4000-8000-000000000000")}); errorCode(err) != "EventDataStoreNotFoundException" {
		t.Errorf("after restart: %v", err)
	}
	if !strings.Contains(srv.Log(), path) || strings.Contains(srv.Log(), secret) {
		t.Errorf("the log must name the credentials file and never print the secret")
	}
}

func TestNoAuth(t *testing.T) {
	srv := StartServer(t, WithArgs("--no-auth"))
	a := srv.call(t, rawCall{target: longTarget + "CreateEventDataStore", body: `{"Name":"open"}`, unsigned: true})
	if a.status != 200 {
		t.Fatalf("--no-auth refused an unsigned request: %s", a.raw)
	}
	if arn, _ := a.body["EventDataStoreArn"].(string); !strings.Contains(arn, ":us-east-1:") {
		t.Errorf("unsigned requests act in us-east-1; ARN %s", arn)
	}
	// A signed request still takes its region from the scope, whatever the key.
	a = srv.call(t, rawCall{target: longTarget + "CreateEventDataStore", body: `{"Name":"open"}`, region: "sa-east-1", secret: "anything"})
	if arn, _ := a.body["EventDataStoreArn"].(string); a.status != 200 || !strings.Contains(arn, ":sa-east-1:") {
		t.Errorf("signed request under --no-auth: HTTP %d %s", a.status, a.raw)
	}
	if !strings.Contains(srv.Log(), "AUTHENTICATION IS OFF") {
		t.Errorf("--no-auth is not announced in the log")
	}
}
