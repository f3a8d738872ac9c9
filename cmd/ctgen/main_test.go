package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctlake/ctlake/trailgen"
)

func TestRun(t *testing.T) {
	out := filepath.Join(t.TempDir(), "bucket")
	var stdout, stderr bytes.Buffer
	err := run([]string{
		"-out", out, "-accounts", "2", "-regions", "us-east-1, eu-west-1", "-start", "2023-12-31", "-days", "2",
		"-files-per-region-day", "3", "-events", "2,5", "-seed", "9", "-layout", "organization", "-org-id", "o-abcdefghij",
		"-prefix", "trails", "-digest", "-insights", "-late-events", "-broken", "not-gzip,zero-bytes",
		"-trail-name", "org-trail", "-bucket", "my-bucket",
	}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	truth, err := trailgen.ReadTruth(filepath.Join(out, "truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	s := truth.Spec
	if s.Accounts != 2 || strings.Join(s.Regions, ",") != "us-east-1,eu-west-1" || !s.Start.Equal(time.Date(2023, 12, 31, 0, 0, 0, 0, time.UTC)) ||
		s.Days != 2 || s.FilesPerRegionDay != 3 || s.MinEventsPerFile != 2 || s.MaxEventsPerFile != 5 || s.Seed != 9 ||
		s.Layout != "organization" || s.OrgID != "o-abcdefghij" || s.KeyPrefix != "trails" || !s.Digest || !s.Insights ||
		!s.LateEvents || strings.Join(s.Broken, ",") != "not-gzip,zero-bytes" || s.TrailName != "org-trail" || s.Bucket != "my-bucket" {
		t.Errorf("flags did not reach the spec: %+v", s)
	}
	if truth.Files != 2*2*2*3 || truth.Events < 2*truth.Files || truth.Events > 5*truth.Files || len(truth.Broken) != 2 {
		t.Errorf("truth: %d files, %d events, %d broken", truth.Files, truth.Events, len(truth.Broken))
	}
	for key := range truth.EventsPerFile {
		if !strings.HasPrefix(key, "trails/AWSLogs/o-abcdefghij/") {
			t.Errorf("key %s outside the organization layout", key)
		}
		if _, err := os.Stat(filepath.Join(out, filepath.FromSlash(key))); err != nil {
			t.Error(err)
		}
	}
	if !strings.Contains(stdout.String(), "wrote 24 log files") {
		t.Errorf("stdout: %q", stdout.String())
	}

	// The same flags give the same tree.
	out2 := filepath.Join(t.TempDir(), "again")
	truthPath := filepath.Join(t.TempDir(), "elsewhere.json")
	if err := run([]string{"-out", out2, "-truth", truthPath, "-accounts", "2", "-regions", "us-east-1,eu-west-1", "-start", "2023-12-31", "-days", "2",
		"-files-per-region-day", "3", "-events", "2,5", "-seed", "9", "-layout", "organization", "-org-id", "o-abcdefghij",
		"-prefix", "trails", "-digest", "-insights", "-late-events", "-broken", "not-gzip,zero-bytes",
		"-trail-name", "org-trail", "-bucket", "my-bucket"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	again, err := trailgen.ReadTruth(truthPath)
	if err != nil {
		t.Fatal(err)
	}
	if again.Events != truth.Events || again.MaxEventTime != truth.MaxEventTime {
		t.Error("same flags, different tree")
	}
}

func TestRunErrors(t *testing.T) {
	for _, args := range [][]string{
		{}, // no -out
		{"-out", t.TempDir(), "-start", "yesterday"},
		{"-out", t.TempDir(), "-events", "many"},
		{"-out", t.TempDir(), "-events", "0"},
		{"-out", t.TempDir(), "-broken", "rotten"},
		{"-out", t.TempDir(), "-layout", "flat"},
		{"-out", t.TempDir(), "stray"},
		{"-no-such-flag"},
	} {
		var stdout, stderr bytes.Buffer
		if err := run(args, &stdout, &stderr); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
}
