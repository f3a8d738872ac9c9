package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/ctlake/ctlake/api"
)

// importPollInterval is how often a followed import is asked for its
// statistics; the server updates them about once a second.
const importPollInterval = 500 * time.Millisecond

// plainProgressInterval is how often progress is printed when stdout is
// not a terminal (a log file, CI): a line now and then, never a redraw.
const plainProgressInterval = 10 * time.Second

// defaultImportRole is the S3BucketAccessRoleArn given to ctlake when
// --role-arn is not: ctlake checks only its shape unless the server runs
// with --assume-source-role. AWS needs a real role, so there the flag is
// required.
const defaultImportRole = "role/ctlake-import"

type importFlags struct {
	store        string
	start, end   string
	roleARN      string
	sourceRegion string
	detach       bool
}

func importCommand() *clientCommand {
	var f importFlags
	return &clientCommand{
		name: "import",
		args: "SOURCE --store NAME|ID|ARN [flags]",
		summary: "Imports CloudTrail trail files into an event data store and shows its progress.\n" +
			"SOURCE is s3://bucket[/prefix], or file:///folder/ (a folder on the server's disk; a plain\n" +
			"folder path is turned into that URI when the server runs on this machine).\n" +
			"Ctrl-C detaches: the import keeps running. The exit status is 1 unless it COMPLETED.",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&f.store, "store", "", "destination event data store: name, id or ARN (required)")
			fs.StringVar(&f.start, "start", "", "import only events at or after this time (2006-01-02, or RFC 3339)")
			fs.StringVar(&f.end, "end", "", "import only events at or before this time (2006-01-02, or RFC 3339)")
			fs.StringVar(&f.roleARN, "role-arn", "", "S3BucketAccessRoleArn (required on AWS; ctlake defaults to arn:aws:iam::<account>:"+defaultImportRole+")")
			fs.StringVar(&f.sourceRegion, "source-region", "", "region of the source bucket (default: --region)")
			fs.BoolVar(&f.detach, "detach", false, "print the import id and return at once")
		},
		run: func(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) error {
			if err := wantArgs(fs, args, 1, "one SOURCE"); err != nil {
				return err
			}
			if f.store == "" {
				return usageErrorf("give the destination with --store NAME|ID|ARN")
			}
			if err := c.connect(ctx); err != nil {
				return err
			}
			return c.startImport(ctx, args[0], f)
		},
	}
}

func (c *cli) startImport(ctx context.Context, source string, f importFlags) error {
	uri, err := c.sourceURI(source)
	if err != nil {
		return err
	}
	var window [2]*time.Time
	for i, v := range []string{f.start, f.end} {
		if v == "" {
			continue
		}
		t, err := parseTime(v, i == 1)
		if err != nil {
			return usageErrorf("--%s: %v", []string{"start", "end"}[i], err)
		}
		window[i] = &t
	}
	ref, err := c.resolveStore(ctx, f.store)
	if err != nil {
		return err
	}
	store, err := c.ct.GetEventDataStore(ctx, &cloudtrail.GetEventDataStoreInput{EventDataStore: &ref})
	if err != nil {
		return err
	}
	arn := aws.ToString(store.EventDataStoreArn)
	role := f.roleARN
	if role == "" {
		if c.endpoint == "" {
			return usageErrorf("--role-arn is required on AWS: the IAM role CloudTrail assumes to read the bucket")
		}
		role = "arn:aws:iam::" + arnAccount(arn) + ":" + defaultImportRole
	}
	region := f.sourceRegion
	if region == "" {
		region = c.region
	}
	out, err := c.ct.StartImport(ctx, &cloudtrail.StartImportInput{
		Destinations: []string{arn},
		ImportSource: &types.ImportSource{S3: &types.S3ImportSource{
			S3LocationUri: aws.String(uri), S3BucketRegion: aws.String(region), S3BucketAccessRoleArn: aws.String(role),
		}},
		StartEventTime: window[0], EndEventTime: window[1],
	})
	if err != nil {
		return err
	}
	id := aws.ToString(out.ImportId)
	if f.detach {
		fmt.Fprintln(c.stdout, id)
		fmt.Fprintf(c.stderr, "Import %s started. Follow it with: ctlake import-status %s --watch\n", id, id)
		return nil
	}
	fmt.Fprintf(c.stdout, "Importing %s into %s (import %s)\n", uri, aws.ToString(store.Name), id)
	return c.followToEnd(ctx, id, out.CreatedTimestamp)
}

// followToEnd shows an import's progress until it ends, then its summary
// and failures. It returns an exit status of 1 unless the import
// COMPLETED, and 130 when Ctrl-C detached from it.
func (c *cli) followToEnd(ctx context.Context, id string, created *time.Time) error {
	done, err := c.follow(ctx, id, created)
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		fmt.Fprintf(c.stderr, "\nDetached: import %s keeps running on the server.\n"+
			"  follow it:  ctlake import-status %s --watch\n  stop it:    ctlake stop-import %s\n", id, id, id)
		return &exitError{code: exitInterrupted}
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(c.stdout)
	if err := c.writeImport(ctx, done, true); err != nil {
		return err
	}
	if err := c.writeFailures(ctx, id, true); err != nil {
		return err
	}
	if done.ImportStatus != types.ImportStatusCompleted {
		return &exitError{code: 1}
	}
	return nil
}

// follow polls GetImport until the import ends or ctx is cancelled,
// redrawing one progress line on a terminal and printing a plain line now
// and then elsewhere.
func (c *cli) follow(ctx context.Context, id string, created *time.Time) (*cloudtrail.GetImportOutput, error) {
	now := time.Now()
	start := now
	if created != nil && created.Before(now) {
		start = *created
	}
	p := newImportProgress(start)
	lastPlain := now
	tick := time.NewTicker(importPollInterval)
	defer tick.Stop()
	for frame := 0; ; frame++ {
		out, err := c.ct.GetImport(ctx, &cloudtrail.GetImportInput{ImportId: &id})
		if err != nil {
			if ctx.Err() != nil {
				err = ctx.Err()
			}
			if c.out.tty && frame > 0 {
				fmt.Fprintln(c.stdout)
			}
			return nil, err
		}
		now = time.Now()
		snap := snapshotOf(out)
		p.add(now, snap)
		switch {
		case c.out.tty:
			fmt.Fprint(c.stdout, redraw(p.line(now, frame, c.out), c.out))
		case now.Sub(lastPlain) >= plainProgressInterval:
			fmt.Fprintln(c.stderr, p.line(now, -1, terminal{}))
			lastPlain = now
		}
		if !snap.running() {
			if c.out.tty {
				fmt.Fprintln(c.stdout)
			}
			return out, nil
		}
		select {
		case <-ctx.Done():
			if c.out.tty {
				fmt.Fprintln(c.stdout)
			}
			return nil, ctx.Err()
		case <-tick.C:
		}
	}
}

func snapshotOf(out *cloudtrail.GetImportOutput) importSnapshot {
	s := importSnapshot{status: string(out.ImportStatus)}
	if st := out.ImportStatistics; st != nil {
		s.prefixesFound, s.prefixesCompleted = aws.ToInt64(st.PrefixesFound), aws.ToInt64(st.PrefixesCompleted)
		s.files, s.events, s.failed = aws.ToInt64(st.FilesCompleted), aws.ToInt64(st.EventsCompleted), aws.ToInt64(st.FailedEntries)
	}
	return s
}

// writeImport shows an import for people. With headline, a first line says
// how it ended and how long it took. On ctlake, the notes of GetImportNotes
// follow: what the import passed over and why.
func (c *cli) writeImport(ctx context.Context, out *cloudtrail.GetImportOutput, headline bool) error {
	notes, err := c.importNotes(ctx, aws.ToString(out.ImportId))
	if err != nil {
		return err
	}
	status := string(out.ImportStatus)
	s := snapshotOf(out)
	var took time.Duration
	if out.CreatedTimestamp != nil && out.UpdatedTimestamp != nil {
		took = out.UpdatedTimestamp.Sub(*out.CreatedTimestamp)
	}
	if headline {
		fmt.Fprintf(c.stdout, "Import %s %s in %s\n", aws.ToString(out.ImportId), c.out.paint(statusStyle(status), status), durationText(took))
	}
	rate := ""
	if took > 0 && !s.running() {
		rate = fmt.Sprintf(" (%s/s)", groupDigits(int64(float64(s.events)/took.Seconds()+0.5)))
	}
	source := "—"
	if out.ImportSource != nil && out.ImportSource.S3 != nil {
		src := out.ImportSource.S3
		source = fmt.Sprintf("%s (region %s, role %s)", aws.ToString(src.S3LocationUri), aws.ToString(src.S3BucketRegion), aws.ToString(src.S3BucketAccessRoleArn))
	}
	window := windowText(out.StartEventTime, out.EndEventTime, notes)
	failedStyle := ""
	if s.failed > 0 {
		failedStyle = styleRed
	}
	fields := []field{
		{"Import", aws.ToString(out.ImportId), ""},
		{"Status", status, statusStyle(status)},
		{"Source", source, ""},
		{"Destinations", strings.Join(out.Destinations, ", "), ""},
		{"Window", window, ""},
		{"Prefixes", groupDigits(s.prefixesCompleted) + " of " + groupDigits(s.prefixesFound) + " completed", ""},
		{"Files", groupDigits(s.files) + " completed", ""},
		{"Events", groupDigits(s.events) + " completed" + rate, ""},
		{"Failed entries", groupDigits(s.failed), failedStyle},
		{"Created", timeText(out.CreatedTimestamp), ""},
		{"Updated", timeText(out.UpdatedTimestamp), ""},
	}
	if !s.running() {
		fields = append(fields, field{"Duration", durationText(took), ""})
	}
	if err := writeFields(c.stdout, c.out, fields); err != nil {
		return err
	}
	if notes != nil && len(notes.Notes) > 0 {
		fmt.Fprintln(c.stdout, c.out.paint(styleYellow, "Skipped:"))
		for _, n := range notes.Notes {
			fmt.Fprintf(c.stdout, "  - %s\n", n)
		}
	}
	return nil
}

// windowText says which events the import keeps: its own StartEventTime
// and EndEventTime, and the store's retention cut-off, which drops older
// events whatever the import asked.
func windowText(start, end *time.Time, notes *api.ImportNotes) string {
	cutoff := ""
	if notes != nil && notes.RetentionCutoff != nil && (start == nil || start.Before(notes.RetentionCutoff.Time)) {
		t := notes.RetentionCutoff.Time
		start, cutoff = &t, " (the store's retention cut-off)"
	}
	switch {
	case start == nil && end == nil:
		return "all events"
	case end == nil:
		return "events since " + timeText(start) + cutoff
	}
	return timeText(start) + cutoff + " to " + timeText(end)
}

// sourceURI checks an import source. A folder path becomes a file:// URI
// when the server runs on this machine (the server reads it, not the CLI).
func (c *cli) sourceURI(source string) (string, error) {
	if strings.HasPrefix(source, "s3://") || strings.HasPrefix(source, "file://") {
		return source, nil
	}
	if strings.Contains(source, "://") {
		return "", usageErrorf("SOURCE %q: give s3://bucket[/prefix] or file:///folder/", source)
	}
	if !isLocalEndpoint(c.endpoint) {
		return "", usageErrorf("SOURCE %q: a folder is read by the server, which is not on this machine; give s3://bucket[/prefix], or file:///folder/ on the server's disk", source)
	}
	abs, err := filepath.Abs(source)
	if err != nil {
		return "", err
	}
	if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
		return "", usageErrorf("SOURCE %q is not a folder (nor s3://… or file://…)", source)
	}
	return "file://" + filepath.ToSlash(abs) + "/", nil
}

// parseTime reads a time given on the command line, in UTC unless it says
// otherwise. A bare date means the start of that day, or for an end, its
// last second.
func parseTime(v string, end bool) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	if t, err := time.Parse("2006-01-02", v); err == nil {
		if end {
			t = t.Add(24*time.Hour - time.Second)
		}
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a time: give 2006-01-02, 2006-01-02T15:04:05 (UTC) or RFC 3339 (2006-01-02T15:04:05Z)", v)
}

// arnAccount is the account field of an ARN.
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}
