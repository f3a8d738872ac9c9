package ctlaketest_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ctlake/ctlake/ctlaketest"
)

// TestVersityServesFilesWrittenDirectly pins what the tests rely on: a file
// written into the posix root (even into a bucket folder made with mkdir) is
// an object, listed with its size and served with its content, with no
// extended attributes set.
func TestVersityServesFilesWrittenDirectly(t *testing.T) {
	v := ctlaketest.StartVersity(t)
	ctx := context.Background()
	client := v.Client()

	v.CreateBucket(t, "api-bucket")
	if err := os.MkdirAll(filepath.Join(v.Root, "mkdir-bucket"), 0o755); err != nil {
		t.Fatal(err)
	}
	content := []byte("written straight to disk")
	for _, bucket := range []string{"api-bucket", "mkdir-bucket"} {
		v.WriteFile(t, bucket, "AWSLogs/123456789012/CloudTrail/us-east-1/2024/01/01/f.json.gz", content)
		out, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
		if err != nil {
			t.Fatalf("%s: list: %v", bucket, err)
		}
		if len(out.Contents) != 1 || aws.ToString(out.Contents[0].Key) != "AWSLogs/123456789012/CloudTrail/us-east-1/2024/01/01/f.json.gz" || aws.ToInt64(out.Contents[0].Size) != int64(len(content)) {
			t.Fatalf("%s: listed %+v", bucket, out.Contents)
		}
		get, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: out.Contents[0].Key})
		if err != nil {
			t.Fatalf("%s: get: %v", bucket, err)
		}
		got, err := io.ReadAll(get.Body)
		get.Body.Close()
		if err != nil {
			t.Fatalf("%s: read: %v", bucket, err)
		}
		if !bytes.Equal(got, content) {
			t.Errorf("%s: got %q", bucket, got)
		}
	}

	// And the other way: PutObject lands as a plain file.
	v.PutObject(t, "api-bucket", "put/k", []byte("put"))
	if got, err := os.ReadFile(filepath.Join(v.BucketDir("api-bucket"), "put", "k")); err != nil || string(got) != "put" {
		t.Errorf("PutObject's file: %q, %v", got, err)
	}
}

// TestVersityEnv points the AWS CLI at the gateway with Env alone.
func TestVersityEnv(t *testing.T) {
	cli, err := exec.LookPath("aws")
	if err != nil {
		if os.Getenv("CTLAKE_E2E") == "1" {
			t.Fatal("the AWS CLI is required under CTLAKE_E2E=1")
		}
		t.Skip("no AWS CLI (pip install awscli)")
	}
	v := ctlaketest.StartVersity(t)
	v.CreateBucket(t, "cli")
	v.WriteFile(t, "cli", "a b/c.txt", []byte("hello"))
	cmd := exec.Command(cli, "s3", "cp", "s3://cli/a b/c.txt", "-")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "AWS_CONFIG_FILE=/nonexistent", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent"}
	cmd.Env = append(cmd.Env, v.Env()...)
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "hello" {
		t.Errorf("aws s3 cp: %v\n%s", err, out)
	}
}
