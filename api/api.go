// Package api serves the CloudTrail operations over AWS JSON 1.1: it routes
// on X-Amz-Target, decodes each operation's request shape, checks what only
// the wire form shows (absent members, members ctlake does not serve),
// calls the domain services and encodes the response or the error. The
// rules of the members' values are the root package's (the input types'
// Validate methods, ValidateEventDataStoreRef, ValidateNextToken,
// PageLimit, ValidateID), each written once. Every handler has the same
// shape (func(ctx, *Input) (any, error)); one dispatcher owns decoding,
// validation, encoding and the only table from error to HTTP status.
package api

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/awsjson"
)

// TargetPrefix is the model's targetPrefix for CloudTrail.
const TargetPrefix = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101"

// RequestIDHeader carries the request id in every response.
const RequestIDHeader = "x-amzn-RequestId"

// API serves the CloudTrail operations.
type API struct {
	Stores  ctlake.EventDataStoreService
	Tags    ctlake.TagService
	Imports ctlake.ImportService
	Queries ctlake.QueryService
	Lookup  ctlake.LookupService
	Logger  *slog.Logger

	ops map[string]operation
}

// operation is one entry of the operation table.
type operation struct {
	handle func(ctx context.Context, body []byte) (any, error)
	// declared lists the modeled errors of the operation (spec Appendix
	// B). A domain error outside it is a bug: the Go SDK would not type it.
	declared []string
}

// validator is a request shape that checks its wire members: presence,
// the members the domain types cannot express (absent vs empty), and the
// model's constraints on them (with the root package's rules). The service
// checks the rest with its input's Validate method.
type validator interface {
	Validate() error
}

// op adapts a typed handler to the table: decode, validate, then the
// handler (which calls the service and shapes its answer).
func op[In any](fn func(context.Context, *In) (any, error), declared ...string) operation {
	return operation{
		handle: func(ctx context.Context, body []byte) (any, error) {
			in := new(In)
			if err := awsjson.Decode(body, in); err != nil {
				return nil, err
			}
			if v, ok := any(in).(validator); ok {
				if err := v.Validate(); err != nil {
					return nil, err
				}
			}
			return fn(ctx, in)
		},
		declared: declared,
	}
}

// Services are the domain services the API serves.
type Services struct {
	Stores  ctlake.EventDataStoreService
	Tags    ctlake.TagService
	Imports ctlake.ImportService
	Queries ctlake.QueryService
	Lookup  ctlake.LookupService
}

// New returns an API over the services.
func New(svc Services, logger *slog.Logger) *API {
	if logger == nil {
		logger = slog.Default()
	}
	a := &API{Stores: svc.Stores, Tags: svc.Tags, Imports: svc.Imports, Queries: svc.Queries, Lookup: svc.Lookup, Logger: logger}
	const (
		arnInvalid  = ctlake.EventDataStoreARNInvalidException
		notFound    = ctlake.EventDataStoreNotFoundException
		invalid     = ctlake.InvalidParameterException
		inactive    = ctlake.InactiveEventDataStoreException
		statusWrong = ctlake.InvalidEventDataStoreStatusException
	)
	queryNotFound := ctlake.QueryIdNotFoundException
	a.ops = map[string]operation{
		"StartQuery": op(a.startQuery, arnInvalid, notFound, inactive, invalid, ctlake.InvalidQueryStatementException, ctlake.MaxConcurrentQueriesException,
			ctlake.InvalidS3PrefixException, ctlake.InvalidS3BucketNameException, ctlake.InsufficientS3BucketPolicyException, ctlake.S3BucketDoesNotExistException,
			ctlake.UnsupportedOperationException),
		"DescribeQuery":   op(a.describeQuery, arnInvalid, notFound, inactive, invalid, queryNotFound),
		"GetQueryResults": op(a.getQueryResults, arnInvalid, notFound, inactive, ctlake.InvalidMaxResultsException, ctlake.InvalidNextTokenException, invalid, queryNotFound),
		"ListQueries": op(a.listQueries, arnInvalid, notFound, inactive, ctlake.InvalidDateRangeException, ctlake.InvalidMaxResultsException,
			ctlake.InvalidNextTokenException, invalid, ctlake.InvalidQueryStatusException),
		"LookupEvents": op(a.lookupEvents, ctlake.InvalidLookupAttributesException, ctlake.InvalidTimeRangeException, ctlake.InvalidMaxResultsException,
			ctlake.InvalidNextTokenException, ctlake.InvalidEventCategoryException, ctlake.UnsupportedOperationException),
		"CancelQuery": op(a.cancelQuery, arnInvalid, notFound, inactive, ctlake.InactiveQueryException, invalid, queryNotFound),
		"StartImport": op(a.startImport, ctlake.AccountHasOngoingImportException, arnInvalid, notFound, statusWrong,
			ctlake.InvalidEventDataStoreCategoryException, inactive, ctlake.InvalidImportSourceException, ctlake.ImportNotFoundException,
			invalid, ctlake.OperationNotPermittedException, ctlake.UnsupportedOperationException),
		"GetImport": op(a.getImport, ctlake.ImportNotFoundException, invalid),
		// A ctlake extension (see the README): not in CloudTrail's model.
		"GetImportNotes":     op(a.getImportNotes, ctlake.ImportNotFoundException, invalid),
		"ListImports":        op(a.listImports, arnInvalid, ctlake.InvalidNextTokenException, invalid),
		"StopImport":         op(a.stopImport, ctlake.ImportNotFoundException, invalid, ctlake.OperationNotPermittedException),
		"ListImportFailures": op(a.listImportFailures, ctlake.InvalidNextTokenException, invalid),
		"CreateEventDataStore": op(a.createEventDataStore, ctlake.EventDataStoreAlreadyExistsException, ctlake.EventDataStoreMaxLimitExceededException,
			ctlake.InvalidEventSelectorsException, invalid, ctlake.InvalidTagParameterException, ctlake.InvalidKmsKeyIdException,
			ctlake.OrganizationsNotInUseException, ctlake.NotOrganizationMasterAccountException),
		"GetEventDataStore":            op(a.getEventDataStore, arnInvalid, notFound, invalid),
		"ListEventDataStores":          op(a.listEventDataStores, ctlake.InvalidMaxResultsException, ctlake.InvalidNextTokenException),
		"UpdateEventDataStore":         op(a.updateEventDataStore, ctlake.EventDataStoreAlreadyExistsException, ctlake.EventDataStoreHasOngoingImportException, arnInvalid, notFound, ctlake.InvalidEventSelectorsException, inactive, invalid, ctlake.InvalidKmsKeyIdException, ctlake.OrganizationsNotInUseException, ctlake.NotOrganizationMasterAccountException),
		"DeleteEventDataStore":         op(a.deleteEventDataStore, arnInvalid, notFound, ctlake.EventDataStoreTerminationProtectedException, inactive, invalid, ctlake.EventDataStoreHasOngoingImportException),
		"RestoreEventDataStore":        op(a.restoreEventDataStore, arnInvalid, notFound, ctlake.EventDataStoreMaxLimitExceededException, statusWrong, invalid),
		"StartEventDataStoreIngestion": op(a.startEventDataStoreIngestion, arnInvalid, notFound, statusWrong, invalid, ctlake.InvalidEventDataStoreCategoryException),
		"StopEventDataStoreIngestion":  op(a.stopEventDataStoreIngestion, arnInvalid, notFound, statusWrong, invalid, ctlake.InvalidEventDataStoreCategoryException),
		"AddTags": op(a.addTags, ctlake.ResourceNotFoundException, ctlake.CloudTrailARNInvalidException, arnInvalid, ctlake.ResourceTypeNotSupportedException,
			ctlake.TagsLimitExceededException, ctlake.InvalidTagParameterException, inactive, notFound),
		"RemoveTags": op(a.removeTags, ctlake.ResourceNotFoundException, ctlake.CloudTrailARNInvalidException, arnInvalid, ctlake.ResourceTypeNotSupportedException,
			ctlake.InvalidTagParameterException, inactive, notFound),
		"ListTags": op(a.listTags, ctlake.ResourceNotFoundException, ctlake.CloudTrailARNInvalidException, arnInvalid, ctlake.ResourceTypeNotSupportedException,
			inactive, notFound, ctlake.InvalidTokenException,
			// Not declared by ListTags; its one member limit (20 ARNs)
			// is reported with it anyway, the closest modeled meaning.
			invalid),
	}
	return a
}

// Operations returns the names of the operations served, sorted.
func (a *API) Operations() []string {
	names := make([]string, 0, len(a.ops))
	for n := range a.ops {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Declares reports whether operation op declares the error code.
func (a *API) Declares(op, code string) bool {
	for _, c := range a.ops[op].declared {
		if c == code {
			return true
		}
	}
	return false
}

// ServeHTTP serves one API call. The request body has been size-limited
// (and, for signed requests, verified) by the server.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name, ok := awsjson.Operation(r.Header.Get("X-Amz-Target"), TargetPrefix)
	operation, known := a.ops[name]
	if !ok || !known {
		target := r.Header.Get("X-Amz-Target")
		awsjson.WriteError(w, http.StatusBadRequest, ctlake.UnknownOperationException,
			"The operation '"+target+"' is not served here. Send X-Amz-Target: "+TargetPrefix+".<Operation> with one of: "+strings.Join(a.Operations(), ", ")+".")
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		a.writeError(w, r, name, err)
		return
	}
	out, err := operation.handle(r.Context(), body)
	if err != nil {
		a.writeError(w, r, name, err)
		return
	}
	if err := awsjson.WriteResponse(w, out); err != nil {
		a.Logger.Error("write response", "operation", name, "request_id", w.Header().Get(RequestIDHeader), "error", err)
	}
}

// writeError is the one place errors become responses. Domain errors are
// client faults (HTTP 400, as every modeled CloudTrail error is); protocol
// errors carry their own status; anything else is an InternalFailure whose
// details stay in the log.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, op string, err error) {
	var pe *awsjson.Error
	if errors.As(err, &pe) {
		awsjson.WriteError(w, pe.Status, pe.Code, pe.Message)
		return
	}
	code := ctlake.ErrorCode(err)
	if code == ctlake.InternalFailure {
		a.Logger.Error("internal failure", "operation", op, "request_id", w.Header().Get(RequestIDHeader), "error", err)
		awsjson.WriteError(w, http.StatusInternalServerError, code, ctlake.ErrorMessage(err))
		return
	}
	// ThrottlingException is common to every operation (spec §1.7): the
	// SDKs retry it by its code whether or not the operation declares it.
	if !a.Declares(op, code) && code != ctlake.ThrottlingException {
		a.Logger.Warn("operation answered an error its model does not declare", "operation", op, "code", code)
	}
	awsjson.WriteError(w, http.StatusBadRequest, code, ctlake.ErrorMessage(err))
}

// required returns InvalidParameterException for a missing member.
func required[T any](p *T, member string) error {
	if p != nil {
		return nil
	}
	var v ctlake.Validation
	v.Required(member)
	return v.Err()
}

// storeRef checks a required store reference member.
func storeRef(ref *string, member string) error {
	if err := required(ref, member); err != nil {
		return err
	}
	var v ctlake.Validation
	ctlake.ValidateEventDataStoreRef(&v, member, *ref)
	return v.Err()
}
