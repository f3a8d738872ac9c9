package s3_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/s3"
)

// TestFailureNamesStatusAndAttempts: a fault that outlives the retries is
// reported with the HTTP status, S3's code and the number of attempts, so
// that a person reading ListImportFailures knows what happened.
func TestFailureNamesStatusAndAttempts(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(503)
		fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>fake</Message></Error>`)
	}))
	defer srv.Close()
	_, err := fakeSource(t, srv.URL).Open(context.Background(), "AWSLogs/k.json.gz")
	wantSourceError(t, err, ctlake.FailureSourceUnavailable, true)
	if msg := err.(*ctlake.SourceError).Message; !strings.Contains(msg, "after 3 attempts") || !strings.Contains(msg, "HTTP 503 SlowDown") {
		t.Errorf("message %q, want the attempts and the status named", msg)
	}
}

// TestEnvironmentSetsRetries: CTLAKE_S3_MAX_ATTEMPTS and the other
// variables set the policy when Options leaves it zero, and a value that
// does not parse is an error rather than a silent default.
func TestEnvironmentSetsRetries(t *testing.T) {
	var attempts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		attempts.Add(1)
		w.WriteHeader(500)
	}))
	defer srv.Close()
	t.Setenv("CTLAKE_S3_MAX_ATTEMPTS", "2")
	t.Setenv("CTLAKE_S3_MAX_BACKOFF", "10ms")
	src, err := s3.NewSource(context.Background(), "bucket", s3.Options{Region: "us-east-1", Endpoint: srv.URL,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = src.Open(context.Background(), "k")
	wantSourceError(t, err, ctlake.FailureSourceUnavailable, true)
	if got := attempts.Load(); got != 2 {
		t.Errorf("%d attempts, want the 2 of CTLAKE_S3_MAX_ATTEMPTS", got)
	}
	for name, bad := range map[string]string{"CTLAKE_S3_MAX_ATTEMPTS": "many", "CTLAKE_S3_OBJECT_TIMEOUT": "5"} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(name, bad)
			if _, err := s3.NewSource(context.Background(), "bucket", s3.Options{Endpoint: srv.URL}); err == nil || !strings.Contains(err.Error(), name) {
				t.Errorf("%s=%q: %v, want an error naming the variable", name, bad, err)
			}
		})
	}
}

// TestObjectTimeout: a server that trickles the body, a byte at a time
// within the attempt timeout, is cut off at the object's time budget with
// a retryable SourceError that says so.
func TestObjectTimeout(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		w.WriteHeader(200)
		for range 1000 {
			select {
			case <-r.Context().Done():
				return
			case <-time.After(50 * time.Millisecond):
			}
			w.Write([]byte("x"))
			w.(http.Flusher).Flush()
		}
	}))
	defer srv.Close()
	src, err := s3.NewSource(context.Background(), "bucket", s3.Options{Region: "us-east-1", Endpoint: srv.URL,
		Credentials:   credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		ObjectTimeout: 400 * time.Millisecond, AttemptTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	rc, err := src.Open(context.Background(), "k")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	_, err = io.ReadAll(rc)
	wantSourceError(t, err, ctlake.FailureSourceUnavailable, true)
	if !strings.Contains(err.Error(), "took longer than 400ms") {
		t.Errorf("error %v, want the object's time budget named", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the read was cut after %v, want about 400ms", d)
	}
}
