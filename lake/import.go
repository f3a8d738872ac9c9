package lake

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/trail"
)

// StartImport starts a new import or retries one (spec §3.1).
func (s *Service) StartImport(ctx context.Context, in ctlake.StartImportInput) (*ctlake.Import, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if s.Importer == nil {
		return nil, ctlake.Errorf(ctlake.UnsupportedOperationException, "This server was started without an import engine.")
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if in.ImportID != "" {
		return s.retryImport(ctx, c, in.ImportID)
	}
	src := *in.Source
	uri, scope, err := parseSourceURI(src.S3LocationURI)
	if err != nil {
		return nil, err
	}
	eds, err := s.GetEventDataStore(ctx, in.Destinations[0])
	if err != nil {
		return nil, err
	}
	if err := checkDestination(eds); err != nil {
		return nil, err
	}
	source, err := s.Sources.OpenSource(ctx, uri, src)
	if err != nil {
		return nil, ctlake.Errorf(ctlake.InvalidImportSourceException, "The import source %s cannot be read: %v", src.S3LocationURI, err)
	}

	now := ctlake.Millis(s.now())
	im := &ctlake.Import{
		ID: ctlake.NewID(), Account: c.Account, Region: c.Region, Destination: eds.ID, Source: src,
		Status: ctlake.ImportInitializing, CreatedAt: now, UpdatedAt: now,
	}
	if in.StartEventTime != nil {
		im.StartEventTime = in.StartEventTime.UTC()
	}
	if in.EndEventTime != nil {
		im.EndEventTime = in.EndEventTime.UTC()
	}
	err = s.Catalog.Update(ctx, func(tx ctlake.Tx) error {
		if err := s.checkImportSlot(tx, c, ""); err != nil {
			return err
		}
		return tx.PutImport(im)
	})
	if err != nil {
		return nil, err
	}
	s.launch(im, eds, source, scope)
	return im, nil
}

func (s *Service) retryImport(ctx context.Context, c ctlake.Caller, id string) (*ctlake.Import, error) {
	if err := ctlake.ValidateID("importId", id); err != nil {
		return nil, err
	}
	var im *ctlake.Import
	err := s.Catalog.Update(ctx, func(tx ctlake.Tx) error {
		var err error
		if im, err = s.importOf(tx, c, id); err != nil {
			return err
		}
		switch im.Status {
		case ctlake.ImportInitializing, ctlake.ImportInProgress:
			return ctlake.Errorf(ctlake.AccountHasOngoingImportException, "The import %s is still %s; wait for it to end or stop it before retrying.", id, im.Status)
		case ctlake.ImportCompleted:
			return ctlake.Errorf(ctlake.OperationNotPermittedException, "The import %s completed without failures; there is nothing to retry.", id)
		}
		if err := s.checkImportSlot(tx, c, id); err != nil {
			return err
		}
		// The failures of the previous attempt are retried: they show
		// RETRY until this attempt imports them (SUCCEEDED) or fails again.
		files, err := tx.ImportFailures(id, "", 0)
		if err != nil {
			return err
		}
		now := ctlake.Millis(s.now())
		for _, f := range files {
			if f.State == ctlake.FileFailed {
				f.State, f.UpdatedAt = ctlake.FileRetry, now
				if err := tx.PutImportFile(id, f); err != nil {
					return err
				}
			}
		}
		im.Statistics.FailedEntries = 0
		im.Status, im.UpdatedAt = ctlake.ImportInitializing, now
		return tx.PutImport(im)
	})
	if err != nil {
		return nil, err
	}
	eds, source, scope, err := s.prepareRun(ctx, im)
	if err != nil {
		s.failImport(im.ID, err)
		return nil, err
	}
	s.launch(im, eds, source, scope)
	return im, nil
}

// prepareRun finds the destination and opens the source of an existing
// import, for a retry or a resume after restart.
func (s *Service) prepareRun(ctx context.Context, im *ctlake.Import) (*ctlake.EventDataStore, ctlake.Source, ctlake.ImportScope, error) {
	var eds *ctlake.EventDataStore
	err := s.Catalog.View(ctx, func(tx ctlake.Tx) (err error) {
		eds, err = tx.EventDataStore(im.Destination)
		return err
	})
	if errors.Is(err, ctlake.ErrNotFound) {
		return nil, nil, ctlake.ImportScope{}, ctlake.Errorf(ctlake.EventDataStoreNotFoundException, "The destination event data store %s no longer exists.", im.Destination)
	}
	if err != nil {
		return nil, nil, ctlake.ImportScope{}, err
	}
	if err := checkDestination(eds); err != nil {
		return nil, nil, ctlake.ImportScope{}, err
	}
	uri, scope, err := parseSourceURI(im.Source.S3LocationURI)
	if err != nil {
		return nil, nil, ctlake.ImportScope{}, err
	}
	source, err := s.Sources.OpenSource(ctx, uri, im.Source)
	if err != nil {
		return nil, nil, ctlake.ImportScope{}, ctlake.Errorf(ctlake.InvalidImportSourceException, "The import source %s cannot be read: %v", im.Source.S3LocationURI, err)
	}
	return eds, source, scope, nil
}

// checkImportSlot enforces AWS's one running import per account (and
// region), or the server's --max-concurrent-imports.
func (s *Service) checkImportSlot(tx ctlake.Tx, c ctlake.Caller, except string) error {
	running, err := tx.Imports(ctlake.ImportFilter{Account: c.Account, Region: c.Region, Running: true})
	if err != nil {
		return err
	}
	n := 0
	for _, r := range running {
		if r.ID != except {
			n++
		}
	}
	max := s.MaxConcurrentImports
	if max <= 0 {
		max = 1
	}
	if n >= max {
		return ctlake.Errorf(ctlake.AccountHasOngoingImportException,
			"Account %s already has %d import(s) running in %s (%s); wait for it to end, stop it, or start the server with a higher --max-concurrent-imports.",
			c.Account, n, c.Region, running[0].ID)
	}
	return nil
}

func checkDestination(eds *ctlake.EventDataStore) error {
	switch eds.Status {
	case ctlake.StatusPendingDeletion:
		return inactive(eds)
	case ctlake.StatusEnabled, ctlake.StatusStoppedIngestion:
	default:
		return ctlake.Errorf(ctlake.InvalidEventDataStoreStatusException, "The event data store %s is %s; imports need it ENABLED or STOPPED_INGESTION.", eds.Name, eds.Status)
	}
	if eds.Category() != "CloudTrail" {
		return ctlake.Errorf(ctlake.InvalidEventDataStoreCategoryException,
			"The event data store %s holds %s events; trail events can be imported only into a store of CloudTrail events.", eds.Name, eds.Category())
	}
	return nil
}

// parseSourceURI accepts s3://bucket[/prefix] and, as a ctlake extension,
// file:///absolute/folder/.
func parseSourceURI(raw string) (*url.URL, ctlake.ImportScope, error) {
	bad := func(why string) (*url.URL, ctlake.ImportScope, error) {
		return nil, ctlake.ImportScope{}, ctlake.Errorf(ctlake.InvalidImportSourceException,
			"S3LocationUri '%s' is not usable: %s. Give s3://bucket[/prefix] or file:///absolute/folder/.", raw, why)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return bad(err.Error())
	}
	var path string
	switch u.Scheme {
	case "s3":
		if u.Host == "" {
			return bad("it names no bucket")
		}
		path = strings.TrimPrefix(u.Path, "/")
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return bad("a file URI names no host (file:///path)")
		}
		if !strings.HasPrefix(u.Path, "/") {
			return bad("the folder must be an absolute path")
		}
		path = strings.TrimPrefix(u.Path, "/")
		if path != "" && !strings.HasSuffix(path, "/") {
			path += "/" // a folder, not a name prefix
		}
	default:
		return bad("the scheme must be s3 (or file)")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return bad("it has a query or fragment")
	}
	return u, ctlake.ImportScope{ListPrefix: path, BelowAWSLogs: trail.PrefixLevel(path) == trail.LevelBelow}, nil
}

// GetImport returns an import with its live statistics.
func (s *Service) GetImport(ctx context.Context, id string) (*ctlake.Import, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := ctlake.ValidateID("importId", id); err != nil {
		return nil, err
	}
	var im *ctlake.Import
	err = s.Catalog.View(ctx, func(tx ctlake.Tx) (err error) {
		im, err = s.importOf(tx, c, id)
		return err
	})
	return im, err
}

// ListImports lists the caller's imports, newest first.
func (s *Service) ListImports(ctx context.Context, in ctlake.ListImportsInput) ([]*ctlake.Import, string, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, "", err
	}
	limit, err := ctlake.PageLimit(in.MaxResults, 1000, ctlake.InvalidParameterException)
	if err != nil {
		return nil, "", err
	}
	f := ctlake.ImportFilter{Account: c.Account, Region: c.Region}
	if in.Status != "" {
		var v ctlake.Validation
		v.Enum("importStatus", in.Status, string(ctlake.ImportInitializing), string(ctlake.ImportInProgress), string(ctlake.ImportFailed),
			string(ctlake.ImportStopped), string(ctlake.ImportCompleted))
		if err := v.Err(); err != nil {
			return nil, "", err
		}
		f.Status = ctlake.ImportStatus(in.Status)
	}
	if in.Destination != "" {
		if f.Destination, err = ctlake.ResolveEventDataStore(c, in.Destination); err != nil {
			if ctlake.ErrorCode(err) == ctlake.EventDataStoreNotFoundException {
				return nil, "", nil // another account's or region's store has no imports here
			}
			return nil, "", err
		}
	}
	scope := fmt.Sprintf("ListImports/%s/%s/%s/%s", c.Account, c.Region, f.Destination, f.Status)
	return pageByID(s.tokens, scope, in.NextToken, limit, func(im *ctlake.Import) string { return im.ID }, func() (all []*ctlake.Import, err error) {
		err = s.Catalog.View(ctx, func(tx ctlake.Tx) error { all, err = tx.Imports(f); return err })
		return all, err
	})
}

// StopImport stops a running import and returns it with the statistics of
// the work committed before it stopped.
func (s *Service) StopImport(ctx context.Context, id string) (*ctlake.Import, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := ctlake.ValidateID("importId", id); err != nil {
		return nil, err
	}
	var im *ctlake.Import
	err = s.Catalog.Update(ctx, func(tx ctlake.Tx) error {
		if im, err = s.importOf(tx, c, id); err != nil {
			return err
		}
		switch im.Status {
		case ctlake.ImportStopped:
			return nil
		case ctlake.ImportCompleted, ctlake.ImportFailed:
			return ctlake.Errorf(ctlake.OperationNotPermittedException, "The import %s already ended (%s); only a running import can be stopped.", id, im.Status)
		}
		im.Status, im.UpdatedAt = ctlake.ImportStopped, ctlake.Millis(s.now())
		return tx.PutImport(im)
	})
	if err != nil {
		return nil, err
	}
	// Wait for the run to notice, so the answer carries its final figures.
	s.cancelRun(id)
	return s.GetImport(ctx, id)
}

// ListImportFailures lists the failure entries of an import in key order.
func (s *Service) ListImportFailures(ctx context.Context, id string, p ctlake.Page) ([]ctlake.ImportFailure, string, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, "", err
	}
	if err := ctlake.ValidateID("importId", id); err != nil {
		return nil, "", err
	}
	limit, err := ctlake.PageLimit(p.MaxResults, 1000, ctlake.InvalidParameterException)
	if err != nil {
		return nil, "", err
	}
	scope := "ListImportFailures/" + id
	after := ""
	if p.NextToken != nil {
		if after, err = s.tokens.decode(*p.NextToken, scope, ctlake.InvalidNextTokenException); err != nil {
			return nil, "", err
		}
	}
	var files []ctlake.ImportFile
	err = s.Catalog.View(ctx, func(tx ctlake.Tx) error {
		if _, err := s.importOf(tx, c, id); err != nil {
			if ctlake.ErrorCode(err) == ctlake.ImportNotFoundException {
				// ListImportFailures declares no ImportNotFoundException.
				return ctlake.Errorf(ctlake.InvalidParameterException, "No import with id %s exists in account %s, region %s.", id, c.Account, c.Region)
			}
			return err
		}
		files, err = tx.ImportFailures(id, after, limit+1)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(files) > limit {
		files = files[:limit]
		next = s.tokens.encode(scope, files[limit-1].Key)
	}
	out := make([]ctlake.ImportFailure, len(files))
	for i, f := range files {
		out[i] = ctlake.ImportFailure{Location: f.Location, Status: ctlake.ImportFailureStatus(f.State), ErrorType: f.ErrorType, ErrorMessage: f.ErrorMessage, UpdatedAt: f.UpdatedAt}
	}
	return out, next, nil
}

func (s *Service) importOf(tx ctlake.Tx, c ctlake.Caller, id string) (*ctlake.Import, error) {
	im, err := tx.Import(id)
	if errors.Is(err, ctlake.ErrNotFound) || err == nil && (im.Account != c.Account || im.Region != c.Region) {
		return nil, ctlake.Errorf(ctlake.ImportNotFoundException, "No import with id %s exists in account %s, region %s.", id, c.Account, c.Region)
	}
	return im, err
}
