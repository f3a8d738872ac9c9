package e2e

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestBoto3Query runs testdata/boto3_queries.py, a unittest script that
// drives StartQuery, DescribeQuery, GetQueryResults (paged by hand),
// ListQueries and CancelQuery with boto3 over the shared real dataset,
// imported here with the Go SDK. The script prints each check it runs and,
// for a failing one, why.
func TestBoto3Query(t *testing.T) {
	t.Parallel()
	python := need(t, "python3", "install Python 3 and boto3 (pip install boto3)")
	needPythonModule(t, python, "boto3", "pip install boto3")

	srv, _, store := importInvictus(t)
	script, err := filepath.Abs(filepath.Join("testdata", "boto3_queries.py"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, script)
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(),
		"CTLAKE_URL="+srv.URL,
		"CTLAKE_QUERY_STORE="+store,
		"AWS_ACCESS_KEY_ID="+testAccessKey,
		"AWS_SECRET_ACCESS_KEY="+testSecretKey,
		"AWS_CONFIG_FILE="+filepath.Join(dir, "no-such-config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "no-such-credentials"),
		"PYTHONDONTWRITEBYTECODE=1",
		"PYTHONUNBUFFERED=1",
	)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s failed (%v) after %v:\n%s", filepath.Base(script), err, time.Since(start).Round(time.Millisecond), out)
	}
	t.Logf("%s passed in %v:\n%s", filepath.Base(script), time.Since(start).Round(time.Millisecond), out)
}
