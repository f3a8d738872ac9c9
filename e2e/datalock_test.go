package e2e

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
)

// TestDataFolderLock: a second server on a data folder another one holds
// refuses to start, says who holds it, and leaves the first serving; the
// lock dies with its process, even a killed one.
func TestDataFolderLock(t *testing.T) {
	srv := StartServer(t)
	client := srv.Client("us-east-1")
	if _, err := client.CreateEventDataStore(ctx, &cloudtrail.CreateEventDataStoreInput{Name: aws.String("held")}); err != nil {
		t.Fatal(err)
	}

	second := func() (stderr string, exitErr error) {
		cctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(cctx, binary, "serve", "--addr", "127.0.0.1:0", "--data", srv.DataDir)
		cmd.Env = append(cleanEnv(), srv.Env...)
		var out bytes.Buffer
		cmd.Stderr = &out
		err := cmd.Run()
		return out.String(), err
	}
	stderr, err := second()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() == 0 {
		t.Fatalf("a second server on %s: %v, want a non-zero exit\n%s", srv.DataDir, err, stderr)
	}
	pid := strconv.Itoa(srv.cmd.Process.Pid)
	for _, want := range []string{srv.DataDir, "in use by another ctlake", "pid " + pid} {
		if !strings.Contains(stderr, want) {
			t.Errorf("the second server's message does not say %q:\n%s", want, stderr)
		}
	}

	// The first server never noticed.
	out, err := client.ListEventDataStores(ctx, &cloudtrail.ListEventDataStoresInput{})
	if err != nil || len(out.EventDataStores) != 1 {
		t.Fatalf("the first server after the second's attempt: %v, %v", out, err)
	}

	// A SIGKILL leaves no stale lock: the next server starts at once and
	// finds the data.
	srv.Kill()
	srv.Start()
	out, err = srv.Client("us-east-1").ListEventDataStores(ctx, &cloudtrail.ListEventDataStoresInput{})
	if err != nil || len(out.EventDataStores) != 1 {
		t.Fatalf("after a kill and a start: %v, %v", out, err)
	}
}
