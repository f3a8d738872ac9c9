package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ctlake/ctlake"
)

// Credentials finds the secret access key for an access key id.
//
// The method is not called SecretAccessKey because StaticCredentials, which
// implements it, has a field of that name and Go forbids both.
type Credentials interface {
	LookupSecret(accessKeyID string) (secret string, ok bool)
}

// StaticCredentials is a Credentials with a single key pair.
type StaticCredentials struct{ AccessKeyID, SecretAccessKey string }

// LookupSecret implements Credentials. An empty key id or secret matches
// nothing, so a zero or half-configured value cannot let anyone in with an
// empty secret.
func (c StaticCredentials) LookupSecret(accessKeyID string) (string, bool) {
	if c.AccessKeyID == "" || c.SecretAccessKey == "" || accessKeyID != c.AccessKeyID {
		return "", false
	}
	return c.SecretAccessKey, true
}

// Verifier checks SigV4 signatures of requests.
type Verifier struct {
	Service     string // signing name expected in the credential scope, e.g. "cloudtrail"
	Credentials Credentials
	MaxSkew     time.Duration    // 0 means 15 minutes
	Now         func() time.Time // nil means time.Now
	// RequiredSignedHeaders are headers (lower case) the signature must
	// cover, e.g. "x-amz-target": an unsigned header could be changed
	// without breaking the signature.
	RequiredSignedHeaders []string
}

// Identity is what a valid signature proves.
type Identity struct {
	AccessKeyID string
	Region      string // from the credential scope
	Service     string
}

// defaultMaxSkew is the window AWS allows; clients resync their clock on
// the "Signature expired" error, so a tighter window costs retries and a
// wider one lengthens the replay window.
const defaultMaxSkew = 15 * time.Minute

// amzDateLayout is the ISO-8601 basic format of X-Amz-Date.
const amzDateLayout = "20060102T150405Z"

// Verify checks the Authorization header of r against body (the full request body, already read;
// r.Body is never read). It returns the caller's identity or an *Error.
func (v *Verifier) Verify(r *http.Request, body []byte) (Identity, error) {
	h, err := v.checkHeaders(r)
	if err != nil {
		return Identity{}, err
	}
	a, amzDate, secret := h.auth, h.amzDate, h.secret

	bodyHash := hexSHA256(body)
	if err := checkContentSHA256(r.Header, bodyHash); err != nil {
		return Identity{}, err
	}
	creq, err := canonicalRequest(r, a.SignedHeaders, bodyHash)
	if err != nil {
		return Identity{}, err
	}
	scope := a.Date + "/" + a.Region + "/" + a.Service + "/" + terminator
	stringToSign := algorithm + "\n" + amzDate + "\n" + scope + "\n" + hexSHA256([]byte(creq))

	key := hmacSHA256([]byte("AWS4"+secret), a.Date)
	key = hmacSHA256(key, a.Region)
	key = hmacSHA256(key, a.Service)
	key = hmacSHA256(key, terminator)
	want := hmacSHA256(key, stringToSign)

	// Compare the raw MACs in constant time so response timing does not
	// reveal how many leading bytes of a forged signature were right.
	got, _ := hex.DecodeString(a.Signature) // ParseAuthorization checked the hex
	if !hmac.Equal(got, want) {
		return Identity{}, invalid("%s", msgMismatch)
	}
	return Identity{AccessKeyID: a.AccessKeyID, Region: a.Region, Service: a.Service}, nil
}

// Precheck makes every check of Verify that needs no body: the form of
// the Authorization header, the signed headers, the date, the scope and the
// access key. A server calls it before reading the body, so that a request
// with no valid credentials costs neither the body's memory nor its time.
func (v *Verifier) Precheck(r *http.Request) error {
	_, err := v.checkHeaders(r)
	return err
}

// checkedHeaders is what checkHeaders found.
type checkedHeaders struct {
	auth    Authorization
	amzDate string
	secret  string
}

func (v *Verifier) checkHeaders(r *http.Request) (checkedHeaders, error) {
	authz, err := authorizationHeader(r)
	if err != nil {
		return checkedHeaders{}, err
	}
	a, err := ParseAuthorization(authz)
	if err != nil {
		return checkedHeaders{}, err
	}
	for _, h := range v.RequiredSignedHeaders {
		if !slices.Contains(a.SignedHeaders, h) {
			return checkedHeaders{}, incomplete("The signature must cover the %s header (add %s to SignedHeaders): otherwise it could be changed without breaking the signature.", h, h)
		}
	}
	amzDate, signedAt, err := requestTime(r.Header)
	if err != nil {
		return checkedHeaders{}, err
	}

	// Cheap checks on the scope come before the key lookup and the hashing,
	// and give the client a precise reason instead of a bare mismatch.
	if a.Service != v.Service {
		return checkedHeaders{}, invalid("Credential should be scoped to correct service: '%s'.", v.Service)
	}
	if a.Date != amzDate[:8] {
		return checkedHeaders{}, invalid("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.",
			a.Date, amzDate[:8], amzDate)
	}
	if err := v.checkSkew(amzDate, signedAt); err != nil {
		return checkedHeaders{}, err
	}

	var secret string
	ok := false
	if v.Credentials != nil {
		secret, ok = v.Credentials.LookupSecret(a.AccessKeyID)
	}
	if !ok {
		return checkedHeaders{}, &Error{Code: ctlake.UnrecognizedClientException, Status: http.StatusBadRequest,
			Message: "The security token included in the request is invalid."}
	}
	return checkedHeaders{auth: a, amzDate: amzDate, secret: secret}, nil
}

const msgMismatch = "The request signature we calculated does not match the signature you provided. " +
	"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

// authorizationHeader returns the single Authorization header value, or the
// error AWS gives when there is none.
func authorizationHeader(r *http.Request) (string, error) {
	values := r.Header.Values("Authorization")
	switch {
	case len(values) > 1:
		return "", incomplete("Only one Authorization header may be sent.")
	case len(values) == 1 && trimSpace(values[0]) != "":
		return values[0], nil
	}
	if r.URL != nil && r.URL.Query().Has("X-Amz-Algorithm") {
		return "", incomplete("Presigned URLs (X-Amz-Algorithm query parameter) are not supported by this server: " +
			"sign requests with AWS Signature Version 4 in the Authorization header.")
	}
	return "", &Error{Code: ctlake.MissingAuthenticationTokenException, Status: http.StatusForbidden,
		Message: "Missing Authentication Token: sign requests with AWS Signature Version 4 " +
			"(Authorization header with AWS4-HMAC-SHA256, and an X-Amz-Date header)."}
}

// requestTime returns the signing time the client claims. The string is
// returned as sent because it goes verbatim into the string to sign.
func requestTime(h http.Header) (string, time.Time, error) {
	name := "X-Amz-Date"
	values := h.Values(name)
	if len(values) == 0 {
		name = "Date"
		values = h.Values(name)
	}
	switch len(values) {
	case 0:
		return "", time.Time{}, incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	case 1:
	default:
		return "", time.Time{}, incomplete("The %s header must be sent only once.", name)
	}
	s := values[0]
	t, err := time.Parse(amzDateLayout, s)
	if err != nil || len(s) != len(amzDateLayout) {
		return "", time.Time{}, incomplete("The %s header value %s is not an ISO-8601 basic UTC timestamp such as 20261129T001500Z.", name, quote(s))
	}
	return s, t, nil
}

func (v *Verifier) checkSkew(amzDate string, signedAt time.Time) error {
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	skew := v.MaxSkew
	if skew <= 0 {
		skew = defaultMaxSkew
	}
	n := now().UTC()
	window := skew.String()
	if skew%time.Minute == 0 {
		window = fmt.Sprintf("%d min", skew/time.Minute)
	}
	if earliest := n.Add(-skew); signedAt.Before(earliest) {
		return invalid("Signature expired: %s is now earlier than %s (%s - %s.)",
			amzDate, earliest.Format(amzDateLayout), n.Format(amzDateLayout), window)
	}
	if latest := n.Add(skew); signedAt.After(latest) {
		return invalid("Signature not yet current: %s is still later than %s (%s + %s.)",
			amzDate, latest.Format(amzDateLayout), n.Format(amzDateLayout), window)
	}
	return nil
}

// checkContentSHA256 refuses a body that differs from the hash the client
// declared. The canonical request always uses the hash computed here, so
// this check only turns a would-be signature mismatch into a clearer error;
// non-hex values (UNSIGNED-PAYLOAD, STREAMING-...) are left for the
// signature comparison to refuse, since the body is always signed here.
func checkContentSHA256(h http.Header, bodyHash string) error {
	for _, v := range h.Values("X-Amz-Content-Sha256") {
		if isHex(v, sha256.Size*2) && !strings.EqualFold(v, bodyHash) {
			return invalid("The provided 'x-amz-content-sha256' header does not match the SHA-256 of the request body.")
		}
	}
	return nil
}

func hexSHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
