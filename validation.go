package ctlake

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Validation collects the constraint violations of one request and reports
// them the way AWS's front end does ("1 validation error detected: Value 'x'
// at 'name' failed to satisfy constraint: ..."), so a user sees every problem
// of a request at once and recognises the message from AWS.
//
// Clients check almost nothing themselves (botocore checks minimums, the Go
// SDK only required members), so the server checks every maximum, pattern and
// enum of the model.
type Validation struct {
	Code   string // the error code the violations are reported with
	errors []string
}

// Fail records a violation of member by value.
func (v *Validation) Fail(member string, value any, constraint string) {
	var shown string
	switch x := value.(type) {
	case string:
		shown = x
	case *string:
		if x == nil {
			shown = "null"
		} else {
			shown = *x
		}
	default:
		shown = fmt.Sprint(x)
	}
	if len(shown) > 200 {
		shown = shown[:200] + "…"
	}
	v.errors = append(v.errors, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: %s", shown, member, constraint))
}

// Required records a missing required member.
func (v *Validation) Required(member string) {
	v.errors = append(v.errors, fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", member))
}

// Length checks that s has between min and max characters.
func (v *Validation) Length(member, s string, min, max int) bool {
	n := utf8.RuneCountInString(s)
	switch {
	case n < min:
		v.Fail(member, s, fmt.Sprintf("Member must have length greater than or equal to %d", min))
	case n > max:
		v.Fail(member, s, fmt.Sprintf("Member must have length less than or equal to %d", max))
	default:
		return true
	}
	return false
}

// Pattern checks s against re, whose source is quoted in the message.
func (v *Validation) Pattern(member, s string, re *regexp.Regexp) bool {
	if re.MatchString(s) {
		return true
	}
	v.Fail(member, s, "Member must satisfy regular expression pattern: "+re.String())
	return false
}

// Range checks that n is within min..max.
func (v *Validation) Range(member string, n int64, min, max int64) bool {
	switch {
	case n < min:
		v.Fail(member, n, fmt.Sprintf("Member must have value greater than or equal to %d", min))
	case n > max:
		v.Fail(member, n, fmt.Sprintf("Member must have value less than or equal to %d", max))
	default:
		return true
	}
	return false
}

// Enum checks that s is one of values.
func (v *Validation) Enum(member, s string, values ...string) bool {
	for _, x := range values {
		if s == x {
			return true
		}
	}
	v.Fail(member, s, "Member must satisfy enum value set: ["+strings.Join(values, ", ")+"]")
	return false
}

// Err returns the collected violations as one *Error, or nil.
func (v *Validation) Err() error {
	if len(v.errors) == 0 {
		return nil
	}
	code := v.Code
	if code == "" {
		code = InvalidParameterException
	}
	noun := "errors"
	if len(v.errors) == 1 {
		noun = "error"
	}
	return Errorf(code, "%d validation %s detected: %s", len(v.errors), noun, strings.Join(v.errors, "; "))
}

// ValidateNextToken checks a paging token against the model's
// PaginationToken (4 to 1000 characters). Whether the server issued it for
// the request is the service's check, when it decodes the token.
func ValidateNextToken(token *string) error {
	if token == nil {
		return nil
	}
	v := Validation{Code: InvalidNextTokenException}
	v.Length("nextToken", *token, 4, 1000)
	return v.Err()
}

// PageLimit returns the page size a MaxResults member asks for: most when
// it is absent, an error with code when it is outside 1..most. code is
// InvalidMaxResultsException where the operation declares it.
func PageLimit(maxResults *int64, most int, code string) (int, error) {
	if maxResults == nil {
		return most, nil
	}
	if *maxResults < 1 || *maxResults > int64(most) {
		return 0, Errorf(code, "MaxResults %d is out of range: give a value from 1 to %d.", *maxResults, most)
	}
	return int(*maxResults), nil
}
