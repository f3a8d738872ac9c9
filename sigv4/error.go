package sigv4

import (
	"fmt"
	"net/http"

	"github.com/ctlake/ctlake"
)

// Error is a refused signature, named as AWS front ends name it.
//
// Clients branch on Code (aws-sdk-go-v2, for one, treats
// InvalidSignatureException as possible clock skew and retries with its clock
// corrected from the response's Date header), so the codes are AWS's and
// not ours. Messages may quote
// what the client sent, but never the secret or the signature the server
// expected, which would let anyone forge the request.
type Error struct {
	Code    string // e.g. "InvalidSignatureException"
	Message string
	Status  int // HTTP status
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// incomplete is for an Authorization that cannot even be checked.
func incomplete(format string, args ...any) *Error {
	return &Error{Code: ctlake.IncompleteSignatureException, Status: http.StatusBadRequest, Message: fmt.Sprintf(format, args...)}
}

// invalid is for a well-formed signature that does not hold.
func invalid(format string, args ...any) *Error {
	return &Error{Code: ctlake.InvalidSignatureException, Status: http.StatusBadRequest, Message: fmt.Sprintf(format, args...)}
}

// quote makes client-supplied text safe and short enough to echo in a
// message that ends up in logs and terminals.
func quote(s string) string {
	const max = 64
	if len(s) > max {
		return fmt.Sprintf("%q...", s[:max])
	}
	return fmt.Sprintf("%q", s)
}
