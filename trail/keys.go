package trail

import (
	"github.com/ctlake/ctlake"
	"strings"
	"time"
)

// Key is what a trail object key says about the file.
type Key struct {
	Prefix   string    // the trail key prefix before "AWSLogs/" ("" if none), without trailing slash
	OrgID    string    // "o-xxxxxxxxxx" for organization trails, else ""
	Account  string    // 12 digits
	Kind     string    // "CloudTrail", "CloudTrail-Digest", "CloudTrail-Insight", or another folder name
	Region   string    // the region folder, such as "us-east-1"
	Day      time.Time // midnight UTC of the YYYY/MM/DD folders (delivery day)
	FileTime time.Time // the YYYYMMDDTHHmmZ stamp in the file name (delivery time); zero if the name has none
	Name     string    // the file name: the last segment of the key
}

// Kinds of trail folders.
const (
	KindLog     = "CloudTrail"
	KindDigest  = "CloudTrail-Digest"
	KindInsight = "CloudTrail-Insight"
)

const awsLogs = "AWSLogs/"

// ParseKey reads an object key laid out as CloudTrail delivers files:
//
//	[prefix/]AWSLogs/<account>/<Kind>/<region>/<YYYY>/<MM>/<DD>/<file>
//	[prefix/]AWSLogs/<o-orgid>/<account>/<Kind>/<region>/<YYYY>/<MM>/<DD>/<file>
//
// The prefix may itself contain "AWSLogs" segments: the last one followed
// by a valid layout is the real one. ok is false if no "AWSLogs" segment is
// followed by a valid layout (a 12-digit account, a region folder of
// lower-case letters, digits and hyphens, a real calendar date in
// two-digit month and day folders, and a file name with no further
// slash), and for a key that starts with "/AWSLogs/", whose prefix cannot
// be told from none.
func ParseKey(key string) (Key, bool) {
	for end := len(key); ; {
		i := strings.LastIndex(key[:end], awsLogs)
		if i < 0 {
			return Key{}, false
		}
		end = i
		if i > 0 && key[i-1] != '/' || i == 1 {
			continue
		}
		k, ok := parseLayout(key[i+len(awsLogs):])
		if !ok {
			continue
		}
		if i > 0 {
			k.Prefix = key[:i-1]
		}
		return k, true
	}
}

// parseLayout reads what follows "AWSLogs/".
func parseLayout(rest string) (Key, bool) {
	var seg [8]string
	n, more := 0, true
	for n < len(seg) && more {
		seg[n], rest, more = strings.Cut(rest, "/")
		n++
	}
	if more || n < 7 { // more segments than any layout, or fewer
		return Key{}, false
	}
	var k Key
	s := seg[:n]
	if n == 8 {
		if !ctlake.IsOrganizationID(s[0]) {
			return Key{}, false
		}
		k.OrgID, s = s[0], s[1:]
	}
	k.Account, k.Kind, k.Region, k.Name = s[0], s[1], s[2], s[6]
	if !ctlake.IsAccountID(k.Account) || k.Kind == "" || !isRegion(k.Region) || k.Name == "" {
		return Key{}, false
	}
	if len(s[3]) != 4 || len(s[4]) != 2 || len(s[5]) != 2 {
		return Key{}, false
	}
	y, ok1 := atoi(s[3])
	m, ok2 := atoi(s[4])
	d, ok3 := atoi(s[5])
	if !ok1 || !ok2 || !ok3 || !validDate(y, m, d) {
		return Key{}, false
	}
	k.Day = time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	k.FileTime = nameTime(k.Name)
	return k, true
}

// nameTime finds the delivery stamp in a file name: the last
// underscore-separated field (up to its first '.') that is a valid
// YYYYMMDDTHHmmZ or, as in digest names, YYYYMMDDTHHmmssZ.
func nameTime(name string) time.Time {
	for name != "" {
		field := name
		if i := strings.LastIndexByte(name, '_'); i >= 0 {
			field, name = name[i+1:], name[:i]
		} else {
			name = ""
		}
		if i := strings.IndexByte(field, '.'); i >= 0 {
			field = field[:i]
		}
		if t, ok := parseStamp(field); ok {
			return t
		}
	}
	return time.Time{}
}

// parseStamp parses YYYYMMDDTHHmmZ or YYYYMMDDTHHmmssZ.
func parseStamp(s string) (time.Time, bool) {
	if (len(s) != 14 && len(s) != 16) || s[8] != 'T' || s[len(s)-1] != 'Z' {
		return time.Time{}, false
	}
	y, ok1 := atoi(s[0:4])
	mo, ok2 := atoi(s[4:6])
	d, ok3 := atoi(s[6:8])
	h, ok4 := atoi(s[9:11])
	mi, ok5 := atoi(s[11:13])
	sec, ok6 := 0, true
	if len(s) == 16 {
		sec, ok6 = atoi(s[13:15])
	}
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || !validDate(y, mo, d) || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.UTC), true
}

// IsLog reports whether the key is a trail log file: in a CloudTrail folder
// and named <account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<unique>.json.gz.
// The name's account and region are checked for shape, not compared with
// the folders'. Other files in a CloudTrail folder (an uncompressed .json,
// a stray object) are not logs; what to do with them is the caller's
// choice (spec §4.5 makes them import failures).
func (k Key) IsLog() bool {
	if k.Kind != KindLog {
		return false
	}
	base, ok := strings.CutSuffix(k.Name, ".json.gz")
	if !ok {
		return false
	}
	acct, base, _ := strings.Cut(base, "_")
	kind, base, _ := strings.Cut(base, "_")
	region, base, _ := strings.Cut(base, "_")
	stamp, unique, _ := strings.Cut(base, "_")
	if !ctlake.IsAccountID(acct) || kind != KindLog || !isRegion(region) || len(stamp) != 14 || unique == "" {
		return false
	}
	if _, ok := parseStamp(stamp); !ok {
		return false
	}
	for i := 0; i < len(unique); i++ {
		if c := unique[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// DayPrefix renders the region-day folder of k, the unit of work of an
// import: [prefix/]AWSLogs/[org/]account/Kind/region/YYYY/MM/DD/. For a key
// that ParseKey accepted, it is a prefix of that key.
func DayPrefix(k Key) string {
	var b strings.Builder
	b.Grow(len(k.Prefix) + len(k.OrgID) + len(k.Account) + len(k.Kind) + len(k.Region) + 24)
	if k.Prefix != "" {
		b.WriteString(k.Prefix)
		b.WriteByte('/')
	}
	b.WriteString(awsLogs)
	if k.OrgID != "" {
		b.WriteString(k.OrgID)
		b.WriteByte('/')
	}
	b.WriteString(k.Account)
	b.WriteByte('/')
	b.WriteString(k.Kind)
	b.WriteByte('/')
	b.WriteString(k.Region)
	b.WriteByte('/')
	b.WriteString(k.Day.Format("2006/01/02/"))
	return b.String()
}

// isRegion accepts region names such as us-east-1 and us-gov-west-1:
// lower-case letters, digits and hyphens.
func isRegion(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || c == '-') {
			return false
		}
	}
	return true
}
