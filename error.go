package ctlake

import (
	"errors"
	"fmt"
)

// Error is a domain error. Its Code is the CloudTrail exception name that the
// API answers with (the "__type" of the wire error), so the rules of the
// domain speak the same language as the clients that read them.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err if it is (or wraps) an *Error, else
// InternalFailure: an error the domain did not anticipate is never shown to a
// client as anything but a server fault.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return InternalFailure
}

// ErrorMessage returns the human message of err if it is an *Error, else a
// generic message that reveals nothing of the server's internals.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "The server met an internal error; the request id identifies it in the server's log."
}

// Error codes. Each is the name of a CloudTrail exception shape (spec
// Appendix B) or, for the last group, of a front-end error of AWS JSON
// services.
const (
	AccountHasOngoingImportException            = "AccountHasOngoingImportException"
	CloudTrailARNInvalidException               = "CloudTrailARNInvalidException"
	ConflictException                           = "ConflictException"
	EventDataStoreARNInvalidException           = "EventDataStoreARNInvalidException"
	EventDataStoreAlreadyExistsException        = "EventDataStoreAlreadyExistsException"
	EventDataStoreHasOngoingImportException     = "EventDataStoreHasOngoingImportException"
	EventDataStoreMaxLimitExceededException     = "EventDataStoreMaxLimitExceededException"
	EventDataStoreNotFoundException             = "EventDataStoreNotFoundException"
	EventDataStoreTerminationProtectedException = "EventDataStoreTerminationProtectedException"
	InactiveEventDataStoreException             = "InactiveEventDataStoreException"
	InvalidEventDataStoreCategoryException      = "InvalidEventDataStoreCategoryException"
	InvalidEventDataStoreStatusException        = "InvalidEventDataStoreStatusException"
	InvalidEventSelectorsException              = "InvalidEventSelectorsException"
	InvalidKmsKeyIdException                    = "InvalidKmsKeyIdException"
	InvalidMaxResultsException                  = "InvalidMaxResultsException"
	InvalidNextTokenException                   = "InvalidNextTokenException"
	InvalidParameterException                   = "InvalidParameterException"
	InvalidTagParameterException                = "InvalidTagParameterException"
	InvalidTokenException                       = "InvalidTokenException"
	NotOrganizationMasterAccountException       = "NotOrganizationMasterAccountException"
	OrganizationsNotInUseException              = "OrganizationsNotInUseException"
	ResourceNotFoundException                   = "ResourceNotFoundException"
	ResourceTypeNotSupportedException           = "ResourceTypeNotSupportedException"
	TagsLimitExceededException                  = "TagsLimitExceededException"
	UnsupportedOperationException               = "UnsupportedOperationException"

	// Front-end errors: not in the CloudTrail model, named as AWS JSON
	// services name them.
	InternalFailure           = "InternalFailure"
	SerializationException    = "SerializationException"
	UnknownOperationException = "UnknownOperationException"
	RequestEntityTooLarge     = "RequestEntityTooLargeException"
	// ThrottlingException refuses a call because the server is busy. It is
	// in the CloudTrail model (HTTP 400), and every AWS SDK retries it.
	ThrottlingException = "ThrottlingException"
	// RequestTimeoutException ends a request whose body did not arrive in
	// time: HTTP 408, as AWS JSON services answer (botocore's _retry.json
	// lists it for glacier), and the SDKs retry it as a transient error.
	RequestTimeoutException = "RequestTimeoutException"
	NotFoundException       = "NotFoundException"
	ValidationException     = "ValidationException"
	// AccessDeniedException (in the CloudTrail model) also refuses a
	// request for a Host the server is not served as (DNS rebinding) and a
	// console request from another site.
	AccessDeniedException         = "AccessDeniedException"
	UnsupportedMediaTypeException = "UnsupportedMediaTypeException"
)

// Authentication error codes: AWS front ends answer a refused SigV4
// signature with these, and clients branch on them (aws-sdk-go-v2 retries
// InvalidSignatureException with its clock corrected).
const (
	IncompleteSignatureException        = "IncompleteSignatureException"
	InvalidSignatureException           = "InvalidSignatureException"
	MissingAuthenticationTokenException = "MissingAuthenticationTokenException"
	UnrecognizedClientException         = "UnrecognizedClientException"
	// InvalidCSRFTokenException refuses a console call without the
	// session's CSRF token (ctlake's own; AWS's console is not an API).
	InvalidCSRFTokenException = "InvalidCSRFTokenException"
)

// Import error codes.
const (
	ImportNotFoundException        = "ImportNotFoundException"
	InvalidImportSourceException   = "InvalidImportSourceException"
	OperationNotPermittedException = "OperationNotPermittedException"
)

// Query error codes.
const (
	InvalidQueryStatementException      = "InvalidQueryStatementException"
	MaxConcurrentQueriesException       = "MaxConcurrentQueriesException"
	QueryIdNotFoundException            = "QueryIdNotFoundException"
	InactiveQueryException              = "InactiveQueryException"
	InvalidDateRangeException           = "InvalidDateRangeException"
	InvalidQueryStatusException         = "InvalidQueryStatusException"
	InvalidTimeRangeException           = "InvalidTimeRangeException"
	InvalidLookupAttributesException    = "InvalidLookupAttributesException"
	InvalidEventCategoryException       = "InvalidEventCategoryException"
	InvalidS3BucketNameException        = "InvalidS3BucketNameException"
	InvalidS3PrefixException            = "InvalidS3PrefixException"
	S3BucketDoesNotExistException       = "S3BucketDoesNotExistException"
	InsufficientS3BucketPolicyException = "InsufficientS3BucketPolicyException"
)
