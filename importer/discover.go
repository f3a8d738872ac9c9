package importer

import (
	"context"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/trail"
)

// discover finds the import's day prefixes and queues their files. Above
// the CloudTrail/ level it walks the trail layout with delimited listings,
// pruning years, months and days outside the window without listing their
// files; below it, it lists every object under the prefix.
func (r *run) discover(ctx context.Context, tasks chan<- task, outcomes chan<- outcome) error {
	d := &discovery{run: r, ctx: ctx, tasks: tasks, outcomes: outcomes}
	if err := d.start(); err != nil {
		return err
	}
	return r.saveNotes(ctx, d.notes.render(r))
}

func (d *discovery) start() error {
	lp := d.scope.ListPrefix
	if d.scope.BelowAWSLogs {
		return d.flat(lp)
	}
	switch trail.PrefixLevel(lp) {
	case trail.LevelAbove:
		return d.walk(lp, 0)
	case trail.LevelAWSLogs:
		return d.ids(lp, true)
	case trail.LevelOrganization:
		return d.ids(lp, false)
	default:
		return d.account(lp)
	}
}

type discovery struct {
	*run
	ctx      context.Context
	tasks    chan<- task
	outcomes chan<- outcome
	notes    notes // what was skipped, and why
}

func (d *discovery) send(o outcome) error {
	select {
	case d.outcomes <- o:
		return nil
	case <-d.ctx.Done():
		return d.ctx.Err()
	}
}

// children lists the common prefixes under p.
func (d *discovery) children(p string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	err := d.src.List(d.ctx, p, "/", func(_ []ctlake.Object, prefixes []string) error {
		for _, cp := range prefixes {
			// A source that repeats a prefix must not make the import
			// read its files twice.
			if !seen[cp] {
				seen[cp] = true
				out = append(out, cp)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", d.src.Location(p), err)
	}
	return out, nil
}

func base(prefix string) string { return path.Base(strings.TrimSuffix(prefix, "/")) }

// walk looks for AWSLogs/ under a trail key prefix, a few levels deep.
func (d *discovery) walk(p string, depth int) error {
	kids, err := d.children(p)
	if err != nil {
		return err
	}
	if depth == 0 {
		d.notes.top, d.notes.topKids = d.src.Location(p), kids
	}
	for _, k := range kids {
		switch {
		case base(k) == "AWSLogs":
			d.notes.awsLogs = true
			err = d.ids(k, true)
		case depth < 4:
			err = d.walk(k, depth+1)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// ids walks account folders (and, at the top, organization folders).
func (d *discovery) ids(p string, orgsToo bool) error {
	kids, err := d.children(p)
	if err != nil {
		return err
	}
	d.notes.awsLogs = true
	for _, k := range kids {
		switch trail.FolderOf(base(k)) {
		case trail.FolderAccount:
			err = d.account(k)
		case trail.FolderOrganization:
			if orgsToo {
				err = d.ids(k, false)
			} else {
				d.notes.strays = append(d.notes.strays, k)
			}
		default:
			d.notes.strays = append(d.notes.strays, k)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// account walks <account>/CloudTrail/<region>/<YYYY>/<MM>/<DD>/.
func (d *discovery) account(p string) error {
	regions, err := d.children(p + "CloudTrail/")
	if err != nil {
		return err
	}
	if len(regions) == 0 {
		d.notes.noCloudTrail = append(d.notes.noCloudTrail, p)
	}
	for _, region := range regions {
		if err := d.dates(region, 0, time.Time{}); err != nil {
			return err
		}
	}
	return nil
}

// dates walks the year (level 0), month (1) and day (2) folders, skipping
// those whose whole span is outside the window.
func (d *discovery) dates(p string, level int, at time.Time) error {
	kids, err := d.children(p)
	if err != nil {
		return err
	}
	for _, k := range kids {
		n, err := strconv.Atoi(base(k))
		if err != nil {
			continue // not a date folder: nothing CloudTrail writes
		}
		var first, last time.Time
		switch level {
		case 0:
			first = time.Date(n, 1, 1, 0, 0, 0, 0, time.UTC)
			last = first.AddDate(1, 0, 0).Add(-time.Nanosecond)
		case 1:
			first = time.Date(at.Year(), time.Month(n), 1, 0, 0, 0, 0, time.UTC)
			last = first.AddDate(0, 1, 0).Add(-time.Nanosecond)
		case 2:
			first = time.Date(at.Year(), at.Month(), n, 0, 0, 0, 0, time.UTC)
			last = first.AddDate(0, 0, 1).Add(-time.Nanosecond)
		}
		if len(base(k)) != []int{4, 2, 2}[level] {
			continue
		}
		if !d.window.spanInside(first, last) {
			d.notes.skippedSpan(d.window, first, last)
			continue
		}
		if level < 2 {
			err = d.dates(k, level+1, first)
		} else {
			err = d.dayPrefix(k)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// dayPrefix lists the files of one region-day folder and queues them.
func (d *discovery) dayPrefix(p string) error {
	d.notes.found++
	if d.prefixes[p] && !d.retryPrefixes[p] {
		return nil // completed by an earlier attempt
	}
	if err := d.send(outcome{prefix: p, found: true, listed: -1}); err != nil {
		return err
	}
	queued := 0
	offered := map[string]bool{}
	err := d.src.List(d.ctx, p, "", func(objects []ctlake.Object, _ []string) error {
		for _, o := range objects {
			if offered[o.Key] {
				continue // listed twice: read once
			}
			offered[o.Key] = true
			ok, err := d.offer(p, o)
			if err != nil {
				return err
			}
			if ok {
				queued++
			}
		}
		return nil
	})
	if err != nil {
		if d.ctx.Err() != nil {
			return d.ctx.Err()
		}
		// The prefix could not be listed: it becomes one failure entry and
		// stays incomplete, so a retry lists it again.
		t, msg := describeSourceError(err)
		return d.send(outcome{prefix: p, key: p, failType: t, failMsg: "Listing the prefix failed: " + msg, listed: -1})
	}
	return d.send(outcome{prefix: p, listed: queued})
}

// offer decides what becomes of one listed object, and queues it if it
// must be read. It reports whether the object counts toward the prefix's
// pending files.
func (d *discovery) offer(prefix string, o ctlake.Object) (bool, error) {
	rec, seen := d.files[o.Key]
	if seen && rec.State != ctlake.FileRetry {
		return false, nil // done, or failed in this attempt already
	}
	retry := seen
	k, parsed := trail.ParseKey(o.Key)
	if parsed && !d.window.fileInside(k.FileTime) {
		d.notes.skippedFile(d.window, k.FileTime)
		return false, nil // outside the window by its name: not read, not counted
	}
	out := outcome{prefix: prefix, key: o.Key, retry: retry, listed: -1}
	if t, msg := precheck(o); t != "" {
		out.failType, out.failMsg = t, msg
	} else if parsed && k.Kind != "CloudTrail" {
		out.failType, out.failMsg = ctlake.FailureNotTrailLog, fmt.Sprintf("This is a %s file, not a trail log file; imports read only the CloudTrail/ folders of a trail.", k.Kind)
	} else {
		select {
		case d.tasks <- task{prefix: prefix, obj: o, retry: retry}:
			return true, nil
		case <-d.ctx.Done():
			return false, d.ctx.Err()
		}
	}
	return true, d.send(out)
}

// flat lists every object under p, grouped into prefixes: the region-day
// folder of keys in the trail layout, else the key's folder.
func (d *discovery) flat(p string) error {
	counts := map[string]int{}
	var order []string
	current, currentDay := "", false
	finish := func(prefix string) error {
		err := d.send(outcome{prefix: prefix, listed: counts[prefix]})
		delete(counts, prefix)
		return err
	}
	err := d.src.List(d.ctx, p, "", func(objects []ctlake.Object, _ []string) error {
		for _, o := range objects {
			prefix, day := groupOf(o.Key)
			if !day.IsZero() && !d.window.spanInside(day, day.Add(24*time.Hour-time.Nanosecond)) {
				d.notes.skippedFile(d.window, day.Add(24*time.Hour-time.Nanosecond))
				continue
			}
			d.notes.found++
			if _, open := counts[prefix]; !open {
				if d.prefixes[prefix] && !d.retryPrefixes[prefix] {
					continue
				}
				if err := d.send(outcome{prefix: prefix, found: true, listed: -1}); err != nil {
					return err
				}
				counts[prefix] = 0
				order = append(order, prefix)
			}
			// Day folders of the trail layout come out of a listing in one
			// run, so a new one means the previous one is complete.
			if current != "" && current != prefix && currentDay {
				if _, open := counts[current]; open {
					if err := finish(current); err != nil {
						return err
					}
				}
			}
			current, currentDay = prefix, !day.IsZero()
			ok, err := d.offer(prefix, o)
			if err != nil {
				return err
			}
			if ok {
				counts[prefix]++
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("list %s: %w", d.src.Location(p), err)
	}
	for _, prefix := range order {
		if _, open := counts[prefix]; open {
			if err := finish(prefix); err != nil {
				return err
			}
		}
	}
	return nil
}

// groupOf returns the prefix a key is counted under: the region-day folder
// of keys in the trail layout (with its day), else the key's folder.
func groupOf(key string) (prefix string, day time.Time) {
	if k, ok := trail.ParseKey(key); ok {
		return trail.DayPrefix(k), k.Day
	}
	if i := strings.LastIndex(key, "/"); i >= 0 {
		return key[:i+1], time.Time{}
	}
	return "", time.Time{}
}
