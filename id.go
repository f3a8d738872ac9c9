package ctlake

import (
	"crypto/rand"
	"fmt"
	"regexp"
)

// NewID returns a random (version 4) UUID in lower case, the form AWS uses for
// event data store, import and query ids. The UUID shape in the model only
// admits lower-case hex, so the case matters to clients that validate it.
func NewID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand panics rather than return an error)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

var idPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// IsID reports whether s has the shape of an id minted by NewID.
func IsID(s string) bool { return idPattern.MatchString(s) }

// modelIDPattern is the model's UUID member pattern (import and query ids),
// quoted in the message of a malformed id.
var modelIDPattern = regexp.MustCompile(`^[a-f0-9\-]+$`)

// ValidateID checks an import or query id against the model: 36 characters
// of lower-case hex and dashes.
func ValidateID(member, id string) error {
	var v Validation
	if v.Length(member, id, 36, 36) {
		v.Pattern(member, id, modelIDPattern)
	}
	return v.Err()
}
