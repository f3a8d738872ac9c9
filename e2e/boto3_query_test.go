package e2e

import (
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
	runBoto3Script(t, python, "boto3_queries.py", srv, 2*time.Minute, "CTLAKE_QUERY_STORE="+store)
}
