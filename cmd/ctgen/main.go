// Command ctgen writes a realistic CloudTrail trail tree into a folder, laid
// out as a trail bucket, and writes the ground truth of what it wrote beside
// it (truth.json), for tests and benchmarks at volume. It is a thin command
// line over package trailgen; every flag is a field of trailgen.Spec.
//
//	ctgen -out /tmp/bucket -accounts 3 -regions us-east-1,eu-west-1 -days 30 \
//	      -files-per-region-day 60 -events 1,12 -digest -broken not-gzip,bad-eventtime
//
// The folder can be imported as file:///tmp/bucket/, or served as a bucket by
// versitygw (its posix root is the folder above).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ctlake/ctlake/trailgen"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "ctgen:", err)
		}
		os.Exit(2)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ctgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		spec    trailgen.Spec
		out     = fs.String("out", "", "folder to write the tree into (required)")
		truth   = fs.String("truth", "", "where to write the ground truth (default OUT/truth.json)")
		regions = fs.String("regions", "us-east-1", "comma-separated regions; the first is the trail's home region")
		start   = fs.String("start", "2024-01-01", "first day (YYYY-MM-DD, UTC)")
		events  = fs.String("events", "1,50", "events per file: MIN,MAX (or N)")
		broken  = fs.String("broken", "", "comma-separated kinds of broken files to plant, one file each: "+strings.Join(brokenKinds(), ", "))
	)
	fs.IntVar(&spec.Accounts, "accounts", 1, "number of accounts")
	fs.IntVar(&spec.Days, "days", 1, "number of days")
	fs.IntVar(&spec.FilesPerRegionDay, "files-per-region-day", 4, "log files per region-day folder")
	fs.Int64Var(&spec.Seed, "seed", 1, "random seed: the same seed gives the same bytes")
	fs.StringVar(&spec.Layout, "layout", trailgen.LayoutAccount, "key layout: account or organization")
	fs.StringVar(&spec.OrgID, "org-id", "", "organization id for -layout organization (default: from the seed)")
	fs.StringVar(&spec.KeyPrefix, "prefix", "", "trail key prefix before AWSLogs/")
	fs.StringVar(&spec.TrailName, "trail-name", "management-events", "trail name, in digest file names")
	fs.StringVar(&spec.Bucket, "bucket", "ctlake-trail-logs", "bucket name, inside digest files")
	fs.BoolVar(&spec.Digest, "digest", false, "write hourly digest files beside the logs")
	fs.BoolVar(&spec.Insights, "insights", false, "write Insights files beside the logs")
	fs.BoolVar(&spec.LateEvents, "late-events", false, "put events of the previous day in the first file of each region-day")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *out == "" {
		return errors.New("-out is required")
	}
	spec.Regions = splitList(*regions)
	spec.Broken = splitList(*broken)
	day, err := time.Parse("2006-01-02", *start)
	if err != nil {
		return fmt.Errorf("-start: %w", err)
	}
	spec.Start = day
	lo, hi, ok := strings.Cut(*events, ",")
	if !ok {
		hi = lo
	}
	if spec.MinEventsPerFile, err = strconv.Atoi(strings.TrimSpace(lo)); err != nil {
		return fmt.Errorf("-events: %w", err)
	}
	if spec.MaxEventsPerFile, err = strconv.Atoi(strings.TrimSpace(hi)); err != nil {
		return fmt.Errorf("-events: %w", err)
	}
	if spec.MinEventsPerFile == 0 && spec.MaxEventsPerFile == 0 {
		return errors.New("-events: files need at least one event")
	}

	began := time.Now()
	t, err := trailgen.Generate(*out, spec)
	if err != nil {
		return err
	}
	path := *truth
	if path == "" {
		path = filepath.Join(*out, "truth.json")
	}
	if err := t.WriteFile(path); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %d log files (%d events), %d broken, %d digest, %d Insights files into %s in %v; truth in %s\n",
		t.Files, t.Events, len(t.Broken), len(t.DigestFiles), len(t.InsightsFiles), *out, time.Since(began).Round(time.Millisecond), path)
	return nil
}

func splitList(s string) []string {
	var out []string
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func brokenKinds() []string {
	return []string{
		trailgen.BrokenNotGzip, trailgen.BrokenTruncatedGzip, trailgen.BrokenNotJSON, trailgen.BrokenNoRecords,
		trailgen.BrokenRecordsNotArray, trailgen.BrokenBadEventTime, trailgen.BrokenMissingEventTime,
		trailgen.BrokenUncompressedJSON, trailgen.BrokenZeroBytes,
	}
}
