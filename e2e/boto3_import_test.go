package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ctlake/ctlake/ctlaketest"
	"github.com/ctlake/ctlake/trailgen"
)

// boto3ImportWant is a clientWant as testdata/boto3_imports.py reads it.
type boto3ImportWant struct {
	URI      string            `json:"uri"`
	Prefixes int               `json:"prefixes"`
	Files    int               `json:"files"`
	Events   int               `json:"events"`
	Failures []boto3ImportFail `json:"failures"` // the broken files, each once
	Start    *int64            `json:"start,omitempty"`
	End      *int64            `json:"end,omitempty"`
}

type boto3ImportFail struct {
	Location  string `json:"location"`
	ErrorType string `json:"errorType"`
}

func boto3Want(uri string, w clientWant) boto3ImportWant {
	out := boto3ImportWant{URI: uri, Prefixes: w.prefixes, Files: w.files, Events: w.events, Failures: []boto3ImportFail{}}
	for _, b := range w.broken {
		out.Failures = append(out.Failures, boto3ImportFail{Location: uri + "/" + b.Key, ErrorType: trailgen.BrokenKinds[b.Kind]})
	}
	return out
}

// TestBoto3ImportCycle runs testdata/boto3_imports.py, which drives the
// import cycle with boto3, against trail trees generated into versitygw.
// The script reads the ground truth from a JSON file this test writes; it
// prints each check it runs and, for a failing one, why.
func TestBoto3ImportCycle(t *testing.T) {
	t.Parallel()
	python := need(t, "python3", "install Python 3 and boto3 (pip install boto3)")
	needPythonModule(t, python, "boto3", "pip install boto3")

	began := time.Now()
	vgw := ctlaketest.StartVersity(t)
	vgw.CreateBucket(t, "trail")
	vgw.CreateBucket(t, "bulk")
	spec := clientTreeSpec(5151)
	truth, err := trailgen.Generate(vgw.BucketDir("trail"), spec)
	if err != nil {
		t.Fatal(err)
	}
	// boto3's calls take milliseconds: a smaller bulk tree keeps an import
	// busy long enough for the ongoing-import check.
	bulkSpec := clientBulkSpec(5152)
	bulkSpec.FilesPerRegionDay = 100
	bulk, err := trailgen.Generate(vgw.BucketDir("bulk"), bulkSpec)
	if err != nil {
		t.Fatal(err)
	}

	start, end := spec.Start.AddDate(0, 0, 1), spec.Start.AddDate(0, 0, spec.Days)
	day := bulk.DayPrefixes[0]
	window := boto3Want("s3://trail", clientWindowWant(t, truth, start, end))
	s, e := start.Unix(), end.Unix()
	window.Start, window.End = &s, &e
	want := map[string]any{
		"whole":  boto3Want("s3://trail", clientWholeWant(truth)),
		"window": window,
		// A region-day folder of the bulk tree, which has no broken file.
		"day":  boto3Want("s3://bulk/"+day, clientWant{prefixes: 1, files: bulk.FilesPerPrefix[day], events: bulk.EventsPerPrefix[day]}),
		"bulk": boto3Want("s3://bulk", clientWholeWant(bulk)),
		"role": testRole,
	}
	dir := t.TempDir()
	truthFile := filepath.Join(dir, "truth.json")
	b, err := json.MarshalIndent(want, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(truthFile, b, 0o644); err != nil {
		t.Fatal(err)
	}

	// One import worker, so that the bulk import stays busy a while.
	srv := StartServer(t, WithEnv(vgw.Env()...), WithArgs("--import-workers", "1"))
	t.Logf("trees of %d and %d files generated and the server started in %v", truth.Files, bulk.Files, time.Since(began).Round(time.Millisecond))
	runBoto3Script(t, python, "boto3_imports.py", srv, 3*time.Minute, "CTLAKE_ACCOUNT_ID="+testAccount, "CTLAKE_IMPORT_TRUTH="+truthFile)
}
