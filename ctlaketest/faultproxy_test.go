package ctlaketest_test

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/ctlake/ctlake/ctlaketest"
)

// TestFaultProxy drives a real S3 client through the proxy to versitygw in
// each mode: the proxy passes signed requests through, and each fault is
// what the client sees.
func TestFaultProxy(t *testing.T) {
	v := ctlaketest.StartVersity(t)
	v.CreateBucket(t, "faults")
	v.PutObject(t, "faults", "k", []byte("content"))
	p := ctlaketest.StartFaultProxy(t, v.URL)
	client := s3.New(s3.Options{
		Region: v.Region, BaseEndpoint: aws.String(p.URL), UsePathStyle: true,
		Credentials:      credentials.NewStaticCredentialsProvider(v.AccessKey, v.SecretKey, ""),
		RetryMaxAttempts: 1, // every answer the test sees is the proxy's first
	})
	get := func() (string, error) {
		out, err := client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("faults"), Key: aws.String("k")})
		if err != nil {
			return "", err
		}
		defer out.Body.Close()
		b, err := io.ReadAll(out.Body)
		return string(b), err
	}
	status := func(err error) int {
		var re *smithyhttp.ResponseError
		if errors.As(err, &re) {
			return re.HTTPStatusCode()
		}
		return 0
	}

	if got, err := get(); err != nil || got != "content" {
		t.Fatalf("pass-through: %q, %v", got, err)
	}
	p.FailNext(503, 2)
	for i := range 2 {
		if _, err := get(); status(err) != 503 {
			t.Errorf("request %d of FailNext(503, 2): %v, want HTTP 503", i+1, err)
		}
	}
	if got, err := get(); err != nil || got != "content" {
		t.Errorf("after the 2 faults: %q, %v", got, err)
	}
	p.FailFor(500, 200*time.Millisecond)
	if _, err := get(); status(err) != 500 {
		t.Errorf("during FailFor(500): %v, want HTTP 500", err)
	}
	time.Sleep(250 * time.Millisecond) // let the timed fault run out
	if _, err := get(); err != nil {
		t.Errorf("after FailFor ended: %v", err)
	}
	p.Down()
	if _, err := get(); err == nil || status(err) != 0 {
		t.Errorf("while down: %v, want a connection error", err)
	}
	p.PassThrough()
	p.Slow(300 * time.Millisecond)
	start := time.Now()
	if _, err := get(); err != nil || time.Since(start) < 300*time.Millisecond {
		t.Errorf("slow: %v after %v, want success after at least 300ms", err, time.Since(start))
	}
	p.PassThrough()
	if got, err := get(); err != nil || got != "content" {
		t.Errorf("back to pass-through: %q, %v", got, err)
	}
	if p.Requests() != 9 || p.Faulted() != 4 {
		t.Errorf("counted %d requests, %d faulted; want 9 and 4", p.Requests(), p.Faulted())
	}
}
