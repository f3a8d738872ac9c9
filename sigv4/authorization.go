package sigv4

import (
	"strings"
)

const (
	algorithm  = "AWS4-HMAC-SHA256"
	terminator = "aws4_request"
)

// Authorization is a parsed SigV4 Authorization header.
type Authorization struct {
	AccessKeyID   string
	Date          string // yyyymmdd, from the credential scope
	Region        string
	Service       string
	Terminator    string // always "aws4_request"
	SignedHeaders []string
	Signature     string // 64 hex digits
}

// ParseAuthorization parses an "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..." header value.
// Errors are *Error with Code IncompleteSignatureException.
//
// It checks form only; whether the signature holds is Verify's job.
func ParseAuthorization(h string) (Authorization, error) {
	alg, rest, _ := strings.Cut(trimSpace(h), " ")
	if alg != algorithm {
		return Authorization{}, incomplete("Unsupported authorization algorithm %s: only AWS4-HMAC-SHA256 (AWS Signature Version 4) is accepted.", quote(alg))
	}

	// SDKs separate the parameters with ", " and some hand-written
	// clients with ","; both are accepted, in any order, each exactly once.
	params := map[string]string{}
	for _, p := range strings.Split(rest, ",") {
		p = trimSpace(p)
		if p == "" {
			continue
		}
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			return Authorization{}, incomplete("%s is not a valid key=value pair (missing equal-sign) in Authorization header.", quote(p))
		}
		switch k {
		case "Credential", "SignedHeaders", "Signature":
		default:
			return Authorization{}, incomplete("Unexpected parameter %s in Authorization header: only Credential, SignedHeaders and Signature are allowed.", quote(k))
		}
		if _, dup := params[k]; dup {
			return Authorization{}, incomplete("Authorization header has more than one '%s' parameter.", k)
		}
		params[k] = v
	}
	var missing []string
	for _, k := range []string{"Credential", "SignedHeaders", "Signature"} {
		if params[k] == "" {
			missing = append(missing, "Authorization header requires '"+k+"' parameter.")
		}
	}
	if missing != nil {
		return Authorization{}, incomplete("%s", strings.Join(missing, " "))
	}

	var a Authorization
	if err := a.parseCredential(params["Credential"]); err != nil {
		return Authorization{}, err
	}
	if err := a.parseSignedHeaders(params["SignedHeaders"]); err != nil {
		return Authorization{}, err
	}
	a.Signature = params["Signature"]
	if !isHex(a.Signature, 64) {
		return Authorization{}, incomplete("Signature must be 64 hexadecimal characters (hex-encoded HMAC-SHA256), got %s.", quote(a.Signature))
	}
	return a, nil
}

func (a *Authorization) parseCredential(c string) error {
	parts := strings.Split(c, "/")
	if len(parts) != 5 {
		return incomplete("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/aws4_request, got %s.", quote(c))
	}
	a.AccessKeyID, a.Date, a.Region, a.Service, a.Terminator = parts[0], parts[1], parts[2], parts[3], parts[4]
	if a.Terminator != terminator {
		return incomplete("Credential should be scoped with a valid terminator: 'aws4_request', not %s.", quote(a.Terminator))
	}
	for i, name := range []string{"access key id", "date", "region", "service"} {
		if parts[i] == "" {
			return incomplete("Credential has an empty %s: expected keyid/date/region/service/aws4_request, got %s.", name, quote(c))
		}
	}
	if len(a.Date) != 8 || strings.Trim(a.Date, "0123456789") != "" {
		return incomplete("Credential date must be in yyyymmdd form, got %s.", quote(a.Date))
	}
	if !ValidRegion(a.Region) {
		return invalidRegion(a.Region)
	}
	return nil
}

func (a *Authorization) parseSignedHeaders(s string) error {
	a.SignedHeaders = strings.Split(s, ";")
	hasHost := false
	for i, name := range a.SignedHeaders {
		if !isLowerToken(name) {
			return incomplete("SignedHeaders must be lower-case header names separated by ';', got %s.", quote(s))
		}
		// The canonical request lists headers in this order, and SigV4
		// defines it as sorted; insisting on it (without duplicates) means
		// one signature can only ever describe one canonical request.
		if i > 0 && a.SignedHeaders[i-1] >= name {
			return incomplete("SignedHeaders must be sorted and without duplicates, got %s.", quote(s))
		}
		hasHost = hasHost || name == "host"
	}
	if !hasHost {
		// Without host, a request signed for one endpoint could be
		// replayed against another that shares the key.
		return incomplete("SignedHeaders must include 'host', got %s.", quote(s))
	}
	return nil
}

// isLowerToken reports whether s is a non-empty lower-case HTTP header
// name (RFC 9110 token characters).
func isLowerToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// trimSpace trims the optional whitespace HTTP allows around values
// (spaces and tabs only).
func trimSpace(s string) string { return strings.Trim(s, " \t") }
