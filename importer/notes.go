package importer

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/trail"
)

// notes gathers what discovery passed over and why, so that an import that
// finds nothing says so instead of completing with "0 of 0 prefixes".
type notes struct {
	found int // day folders (or objects, below AWSLogs/<account>/) taken

	// Passed over because the store's retention would drop their events.
	retentionFolders              int
	retentionFiles                int
	retentionFirst, retentionLast time.Time

	// The layout as found, for an import that found nothing.
	top          string   // the location walked for AWSLogs/
	topKids      []string // what it holds
	awsLogs      bool     // an AWSLogs/ folder was reached
	strays       []string // folders under AWSLogs/ that are no account or organization
	noCloudTrail []string // account folders without a CloudTrail/ folder
}

// skippedSpan records a date folder (first..last) outside the window, if
// the store's retention, not the import's own window, is why.
func (n *notes) skippedSpan(w window, first, last time.Time) {
	if !w.byRetention(last) {
		return
	}
	n.retentionFolders++
	if n.retentionFirst.IsZero() || first.Before(n.retentionFirst) {
		n.retentionFirst = first
	}
	if last.After(n.retentionLast) {
		n.retentionLast = last
	}
}

// skippedFile records a file delivered at t passed over by its name.
func (n *notes) skippedFile(w window, t time.Time) {
	if w.byRetention(t) {
		n.retentionFiles++
	}
}

// render writes the notes for people, in a stable order.
func (n *notes) render(r *run) []string {
	var out []string
	if n.retentionFolders+n.retentionFiles > 0 {
		what := []string{}
		if n.retentionFolders > 0 {
			what = append(what, fmt.Sprintf("%d date folder(s) of %s to %s", n.retentionFolders,
				n.retentionFirst.Format(time.DateOnly), n.retentionLast.Format(time.DateOnly)))
		}
		if n.retentionFiles > 0 {
			what = append(what, fmt.Sprintf("%d file(s)", n.retentionFiles))
		}
		out = append(out, fmt.Sprintf("%s older than the event data store's retention period (%d days: events before %s are not kept) were skipped; "+
			"raise it with UpdateEventDataStore --retention-period (aws cloudtrail update-event-data-store --event-data-store %s --retention-period DAYS), then start the import again.",
			upperFirst(strings.Join(what, " and ")), r.eds.RetentionPeriod, r.window.retention.Format(time.RFC3339), r.eds.Name))
	}
	where := r.src.Location(r.scope.ListPrefix)
	if n.found == 0 && n.retentionFolders+n.retentionFiles == 0 {
		switch {
		case n.awsLogs && len(n.strays) > 0:
			out = append(out, fmt.Sprintf("No CloudTrail folder under %s: found %s, expected %s.", where, n.names(r, n.strays), trail.ExpectedLayout))
		case n.awsLogs && len(n.noCloudTrail) > 0:
			out = append(out, fmt.Sprintf("No CloudTrail folder under %s: found %s without a CloudTrail/ folder (or with an empty one), expected %s.",
				where, n.names(r, n.noCloudTrail), trail.ExpectedLayout))
		case !n.awsLogs && n.top != "" && len(n.topKids) > 0:
			out = append(out, fmt.Sprintf("No AWSLogs/ folder under %s (looked 5 levels deep): found %s, expected [key-prefix/]%s.", where, n.names(r, n.topKids), trail.ExpectedLayout))
		case !r.scope.BelowAWSLogs:
			out = append(out, fmt.Sprintf("No trail log folder under %s: it is empty or missing; expected %s.", where, trail.ExpectedLayout))
		default:
			out = append(out, fmt.Sprintf("No object under %s: the prefix is empty or missing.", where))
		}
		return out
	}
	if len(n.strays) > 0 {
		out = append(out, fmt.Sprintf("Skipped %s under %s: not an account id or organization id folder; expected %s.", n.names(r, n.strays), where, trail.ExpectedLayout))
	}
	return out
}

// names lists folders relative to the import's prefix, at most five.
func (n *notes) names(r *run, prefixes []string) string {
	const most = 5
	var b strings.Builder
	for i, p := range prefixes {
		if i == most {
			fmt.Fprintf(&b, " and %d more", len(prefixes)-most)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strings.TrimPrefix(p, r.scope.ListPrefix))
	}
	return b.String()
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// saveNotes records the attempt's notes and the retention cut-off with the
// import (replacing an earlier attempt's), and logs them.
func (r *run) saveNotes(ctx context.Context, list []string) error {
	for _, n := range list {
		r.log.Warn("import skipped data", "note", n)
	}
	return r.imp.Catalog.Update(ctx, func(tx ctlake.Tx) error {
		im, err := tx.Import(r.im.ID)
		if err != nil {
			return err
		}
		im.Notes, im.RetentionCutoff = list, ctlake.Millis(r.window.retention)
		return tx.PutImport(im)
	})
}
