package lake

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/url"
	"time"

	"github.com/ctlake/ctlake"
)

// launch runs an import in the background: INITIALIZING → IN_PROGRESS →
// COMPLETED or FAILED, unless StopImport or Close cancels it first.
func (s *Service) launch(im *ctlake.Import, eds *ctlake.EventDataStore, src ctlake.Source, scope ctlake.ImportScope) {
	s.runs.start(im.ID, func(ctx context.Context) { s.run(ctx, im, eds, src, scope) })
}

func (s *Service) run(ctx context.Context, im *ctlake.Import, eds *ctlake.EventDataStore, src ctlake.Source, scope ctlake.ImportScope) {
	log := s.logger().With("import_id", im.ID, "event_data_store", eds.ID)
	ok, err := s.transition(ctx, im.ID, ctlake.ImportInProgress, ctlake.ImportInitializing, ctlake.ImportInProgress)
	if err != nil || !ok {
		if err != nil && ctx.Err() == nil {
			log.Error("import could not start", "error", err)
		}
		return
	}
	log.Info("import started", "source", redactedURI(im.Source.S3LocationURI), "destinations", []string{eds.ARN()}, "window", windowText(im))
	started := time.Now()
	s.observer().ImportRunStarted(im)
	defer func() { s.endRun(log, im, time.Since(started)) }()
	err = s.Importer.Run(ctx, im, eds, src, scope)
	if ctx.Err() != nil {
		return // stopped (StopImport) or paused (shutdown): endRun says which
	}
	if err != nil {
		log.Error("import failed", "error", err)
		s.failImport(im.ID, err)
		return
	}
	err = s.Catalog.Update(context.Background(), func(tx ctlake.Tx) error {
		cur, err := tx.Import(im.ID)
		if err != nil || cur.Status != ctlake.ImportInProgress {
			return err
		}
		if err := s.settleRetries(tx, cur); err != nil {
			return err
		}
		cur.Status = ctlake.ImportCompleted
		if cur.Statistics.FailedEntries > 0 {
			cur.Status = ctlake.ImportFailed
		}
		cur.UpdatedAt = ctlake.Millis(s.now())
		return tx.PutImport(cur)
	})
	if err != nil {
		log.Error("import could not record its end", "error", err)
	}
}

// endRun logs how a run of an import ended, from the import as the catalog
// has it afterwards (whoever ended it: the run, StopImport, a failure), and
// tells the observer. events_per_second counts this run's events only: a
// resumed import's earlier work is not part of its time.
func (s *Service) endRun(log *slog.Logger, im *ctlake.Import, d time.Duration) {
	cur := im
	err := s.Catalog.View(context.Background(), func(tx ctlake.Tx) (err error) {
		cur, err = tx.Import(im.ID)
		return err
	})
	if err != nil {
		log.Error("import run ended but its record could not be read", "error", err)
		cur = im
	}
	st := cur.Statistics
	rate := 0.0
	if d > 0 {
		rate = math.Round(float64(st.EventsCompleted-im.Statistics.EventsCompleted) / d.Seconds())
	}
	msg := "import finished"
	if cur.Status.Running() {
		msg = "import paused" // the server is shutting down; it resumes at the next start
	}
	log.Info(msg, "status", cur.Status, "files", st.FilesCompleted, "events", st.EventsCompleted,
		"failed_entries", st.FailedEntries, "prefixes", st.PrefixesCompleted, "prefixes_found", st.PrefixesFound,
		"duration_ms", d.Milliseconds(), "events_per_second", rate)
	s.observer().ImportRunEnded(cur, d)
}

// transition moves an import to status `to` if it is in one of `from`.
func (s *Service) transition(ctx context.Context, id string, to ctlake.ImportStatus, from ...ctlake.ImportStatus) (bool, error) {
	moved := false
	err := s.Catalog.Update(ctx, func(tx ctlake.Tx) error {
		im, err := tx.Import(id)
		if err != nil {
			return err
		}
		for _, f := range from {
			if im.Status == f {
				im.Status, im.UpdatedAt = to, ctlake.Millis(s.now())
				moved = true
				return tx.PutImport(im)
			}
		}
		return nil
	})
	return moved, err
}

// failImport ends an import that could not go on (its source or
// destination vanished, the engine hit an error) as FAILED, with a failure
// entry that says why, so that a person sees the reason and can retry.
func (s *Service) failImport(id string, cause error) {
	err := s.Catalog.Update(context.Background(), func(tx ctlake.Tx) error {
		im, err := tx.Import(id)
		if err != nil {
			return err
		}
		now := ctlake.Millis(s.now())
		kind := "ImportError"
		var se *ctlake.SourceError
		if errors.As(cause, &se) {
			kind = se.Type
		}
		msg := ctlake.ErrorMessage(cause)
		if ctlake.ErrorCode(cause) == ctlake.InternalFailure {
			msg = fmt.Sprintf("The import stopped on an error: %v. Fix the cause and retry with StartImport(ImportId).", cause)
		}
		if err := tx.PutImportFile(id, ctlake.ImportFile{Key: importEntryKey, Location: im.Source.S3LocationURI, State: ctlake.FileFailed,
			ErrorType: kind, ErrorMessage: msg, UpdatedAt: now}); err != nil {
			return err
		}
		im.Status, im.UpdatedAt = ctlake.ImportFailed, now
		im.Statistics.FailedEntries++
		return tx.PutImport(im)
	})
	if err != nil {
		s.logger().Error("import could not record its failure", "import_id", id, "cause", cause, "error", err)
	}
}

// cancelRun stops the run of an import, if this process has one, and waits
// for it to return.
func (s *Service) cancelRun(id string) { s.runs.stop(id) }

// ResumeImports restarts the imports that were running when the server
// last stopped: their committed work stays, the rest is done now.
func (s *Service) ResumeImports(ctx context.Context) error {
	if s.Importer == nil {
		return nil
	}
	var running []*ctlake.Import
	if err := s.Catalog.View(ctx, func(tx ctlake.Tx) (err error) {
		running, err = tx.Imports(ctlake.ImportFilter{Running: true})
		return err
	}); err != nil {
		return err
	}
	for _, im := range running {
		eds, src, scope, err := s.prepareRun(ctx, im)
		if err != nil {
			s.failImport(im.ID, err)
			continue
		}
		s.logger().Info("resuming import", "import_id", im.ID, "status", im.Status)
		s.launch(im, eds, src, scope)
	}
	return nil
}

// Close stops every running import (they stay running in the catalog and
// resume at the next start) and every running query, and waits for them.
func (s *Service) Close() {
	s.queries.close()
	s.runs.close()
}

// hasRunningImport reports whether an import into the store is running.
func hasRunningImport(tx ctlake.Tx, storeID string) (bool, error) {
	running, err := tx.Imports(ctlake.ImportFilter{Destination: storeID, Running: true})
	return len(running) > 0, err
}

// importEntryKey is the key of the failure entry of a whole import (as
// opposed to one of its files); no object key starts with a NUL.
const importEntryKey = "\x00import"

// settleRetries ends the retry of failure entries the run did not meet
// again: the import-wide entry succeeded (the run got through), so did the
// entry of a prefix whose listing had failed if the run completed it, and
// a file that is no longer in the source fails again, saying so.
func (s *Service) settleRetries(tx ctlake.Tx, im *ctlake.Import) error {
	failures, err := tx.ImportFailures(im.ID, "", 0)
	if err != nil {
		return err
	}
	completed, err := tx.ImportPrefixes(im.ID)
	if err != nil {
		return err
	}
	now := ctlake.Millis(s.now())
	for _, f := range failures {
		if f.State != ctlake.FileRetry {
			continue
		}
		f.UpdatedAt = now
		switch {
		case f.Key == importEntryKey:
			f.State = ctlake.FileSucceeded
		case f.Key == f.Prefix && completed[f.Prefix]:
			// The entry of a prefix whose listing failed: this run listed
			// it and imported its files.
			f.State = ctlake.FileSucceeded
		default:
			f.State = ctlake.FileFailed
			f.ErrorMessage = "The retry did not find this object in the source any more. " + f.ErrorMessage
			im.Statistics.FailedEntries++
		}
		if err := tx.PutImportFile(im.ID, f); err != nil {
			return err
		}
	}
	return nil
}

func windowText(im *ctlake.Import) string {
	text := func(t time.Time) string {
		if t.IsZero() {
			return "open"
		}
		return t.Format(time.RFC3339)
	}
	return text(im.StartEventTime) + " .. " + text(im.EndEventTime)
}

// redactedURI is a source URI fit for the log: a password someone wrote
// into it (s3://user:secret@bucket) is masked.
func redactedURI(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URI)"
	}
	return u.Redacted()
}
