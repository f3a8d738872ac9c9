package s3_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/ctlaketest"
	"github.com/ctlake/ctlake/s3"
)

// newSource returns a Source on versitygw with explicit endpoint and keys.
func newSource(t *testing.T, v *ctlaketest.Versity, bucket string) *s3.Source {
	t.Helper()
	src, err := s3.NewSource(context.Background(), bucket, s3.Options{
		Region:      v.Region,
		Endpoint:    v.URL,
		Credentials: credentials.NewStaticCredentialsProvider(v.AccessKey, v.SecretKey, ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// TestSourceConformance runs the Source suite on versitygw, with the files
// written straight into the gateway's posix folder.
func TestSourceConformance(t *testing.T) {
	v := ctlaketest.StartVersity(t)
	var n atomic.Int64
	ctlaketest.RunSourceConformance(t, func(t *testing.T, files map[string][]byte) ctlake.Source {
		bucket := fmt.Sprintf("conformance-%d", n.Add(1))
		v.CreateBucket(t, bucket)
		for key, data := range files {
			v.WriteFile(t, bucket, key, data)
		}
		return newSource(t, v, bucket)
	})
}

// TestObjectsPutOverS3 reads objects written with PutObject rather than as
// files.
func TestObjectsPutOverS3(t *testing.T) {
	v := ctlaketest.StartVersity(t)
	v.CreateBucket(t, "put")
	want := map[string][]byte{"AWSLogs/1/x.json.gz": []byte("one"), "sp ace/é": []byte("two")}
	for k, d := range want {
		v.PutObject(t, "put", k, d)
	}
	src := newSource(t, v, "put")
	var keys []string
	err := src.List(context.Background(), "", "", func(o []ctlake.Object, _ []string) error {
		for _, obj := range o {
			keys = append(keys, obj.Key)
		}
		return nil
	})
	if err != nil || strings.Join(keys, ",") != "AWSLogs/1/x.json.gz,sp ace/é" {
		t.Fatalf("List: %q, %v", keys, err)
	}
	for k, d := range want {
		rc, err := src.Open(context.Background(), k)
		if err != nil {
			t.Fatalf("Open(%q): %v", k, err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		if !bytes.Equal(got, d) {
			t.Errorf("Open(%q) = %q, want %q", k, got, d)
		}
	}
	if got := src.Location("a/b"); got != "s3://put/a/b" {
		t.Errorf("Location = %q", got)
	}
}

// TestConfigurationChain builds the client from the environment alone, as
// ctlake serve does: AWS_ENDPOINT_URL_S3 must bring path-style addressing.
func TestConfigurationChain(t *testing.T) {
	v := ctlaketest.StartVersity(t)
	v.CreateBucket(t, "env")
	v.WriteFile(t, "env", "k", []byte("from env"))
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_ENDPOINT_URL", "")
	for _, kv := range v.Env() {
		k, val, _ := strings.Cut(kv, "=")
		t.Setenv(k, val)
	}
	src, err := s3.NewSource(context.Background(), "env", s3.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := src.CheckBucket(context.Background()); err != nil {
		t.Fatalf("CheckBucket: %v", err)
	}
	rc, err := src.Open(context.Background(), "k")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if got, _ := io.ReadAll(rc); string(got) != "from env" {
		t.Errorf("read %q", got)
	}
}

func TestCheckBucket(t *testing.T) {
	v := ctlaketest.StartVersity(t)
	v.CreateBucket(t, "exists")
	if err := newSource(t, v, "exists").CheckBucket(context.Background()); err != nil {
		t.Errorf("existing bucket: %v", err)
	}
	err := newSource(t, v, "missing").CheckBucket(context.Background())
	wantSourceError(t, err, "NoSuchBucket", false)

	// Wrong keys: versitygw answers 403 as AWS does.
	bad, err := s3.NewSource(context.Background(), "exists", s3.Options{
		Region: v.Region, Endpoint: v.URL,
		Credentials: credentials.NewStaticCredentialsProvider(v.AccessKey, "wrong-secret", ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	wantSourceError(t, bad.CheckBucket(context.Background()), ctlake.FailureAccessDenied, false)
	_, err = bad.Open(context.Background(), "k")
	wantSourceError(t, err, ctlake.FailureAccessDenied, false)
	err = bad.List(context.Background(), "", "", func([]ctlake.Object, []string) error { return nil })
	wantSourceError(t, err, ctlake.FailureAccessDenied, false)
}

// TestListMissingBucket: listing a bucket that does not exist is an error
// of the bucket, not an empty listing.
func TestListMissingBucket(t *testing.T) {
	v := ctlaketest.StartVersity(t)
	err := newSource(t, v, "missing").List(context.Background(), "", "", func([]ctlake.Object, []string) error { return nil })
	wantSourceError(t, err, "NoSuchBucket", false)
}

// TestUnreachable: nothing listens on the endpoint. After its retries the
// source reports SourceUnavailable, retryable.
func TestUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	src := fakeSource(t, "http://"+addr)
	start := time.Now()
	_, err = src.Open(context.Background(), "k")
	wantSourceError(t, err, ctlake.FailureSourceUnavailable, true)
	wantSourceError(t, src.CheckBucket(context.Background()), ctlake.FailureSourceUnavailable, true)
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("two requests to a closed port took %v: retries are not bounded", d)
	}
}

// S3 faults that versitygw cannot produce on demand (throttling, archived
// objects, 5xx, a cut body) come from a fake S3 speaking the same XML.
func TestErrorMapping(t *testing.T) {
	for _, c := range []struct {
		status    int
		code      string
		wantType  string
		retryable bool
		attempts  int32
	}{
		{404, "NoSuchKey", ctlake.FailureNoSuchKey, false, 1},
		{403, "AccessDenied", ctlake.FailureAccessDenied, false, 1},
		{403, "InvalidObjectState", ctlake.FailureInvalidObjectState, false, 1},
		{403, "InvalidAccessKeyId", ctlake.FailureAccessDenied, false, 1},
		{503, "SlowDown", ctlake.FailureSourceUnavailable, true, 3},
		{500, "InternalError", ctlake.FailureSourceUnavailable, true, 3},
		{429, "TooManyRequests", ctlake.FailureSourceUnavailable, true, 3},
		{400, "InvalidRequest", "InvalidRequest", false, 1},
		{301, "PermanentRedirect", "PermanentRedirect", false, 1},
	} {
		t.Run(c.code, func(t *testing.T) {
			var attempts atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				attempts.Add(1)
				w.Header().Set("Content-Type", "application/xml")
				w.Header().Set("X-Amz-Bucket-Region", "eu-west-1")
				w.WriteHeader(c.status)
				fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>fake</Message><RequestId>r</RequestId></Error>`, c.code)
			}))
			defer srv.Close()
			_, err := fakeSource(t, srv.URL).Open(context.Background(), "AWSLogs/k.json.gz")
			wantSourceError(t, err, c.wantType, c.retryable)
			if c.status == 301 && !strings.Contains(err.Error(), "is in region eu-west-1, not us-east-1") {
				t.Errorf("redirect: %v, want the bucket's region named", err)
			}
			if got := attempts.Load(); got != c.attempts {
				t.Errorf("%d attempts, want %d", got, c.attempts)
			}
		})
	}
}

// TestNoCredentials: when no credentials can be had, every call fails with
// AccessDenied, not with a retryable fault.
func TestNoCredentials(t *testing.T) {
	v := ctlaketest.StartVersity(t)
	v.CreateBucket(t, "no-credentials")
	src, err := s3.NewSource(context.Background(), "no-credentials", s3.Options{
		Region: v.Region, Endpoint: v.URL,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{}, errors.New("no EC2 IMDS role found")
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	wantSourceError(t, src.CheckBucket(context.Background()), ctlake.FailureAccessDenied, false)
	_, err = src.Open(context.Background(), "k")
	wantSourceError(t, err, ctlake.FailureAccessDenied, false)
}

// TestCutBody: the server promises more bytes than it sends. The read fails
// with a retryable SourceError, which a gzip reader passes through.
func TestCutBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		w.WriteHeader(200)
		w.Write([]byte("only a few bytes"))
		// Returning closes the connection short of Content-Length.
	}))
	defer srv.Close()
	rc, err := fakeSource(t, srv.URL).Open(context.Background(), "k")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	_, err = io.ReadAll(rc)
	wantSourceError(t, err, ctlake.FailureSourceUnavailable, true)
}

// TestCanceledOpenIsNotASourceError: a cancellation by the caller says
// nothing about the object.
func TestCanceledOpenIsNotASourceError(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := fakeSource(t, srv.URL).Open(ctx, "k")
	var se *ctlake.SourceError
	if err == nil || errors.As(err, &se) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Open after the caller's deadline: %v, want the context's error", err)
	}
}

func fakeSource(t *testing.T, endpoint string) *s3.Source {
	t.Helper()
	src, err := s3.NewSource(context.Background(), "bucket", s3.Options{
		Region:      "us-east-1",
		Endpoint:    endpoint,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		MaxAttempts: 3,
		MaxBackoff:  20 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func wantSourceError(t *testing.T, err error, typ string, retryable bool) {
	t.Helper()
	var se *ctlake.SourceError
	if !errors.As(err, &se) || se.Type != typ || se.Retryable != retryable {
		t.Errorf("got %v (%T), want a *SourceError of type %s, retryable %v", err, err, typ, retryable)
	}
}
