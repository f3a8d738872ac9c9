package trail

import (
	"strings"

	"github.com/ctlake/ctlake"
)

// Level is how far a key prefix reaches into the trail layout
// [prefix/]AWSLogs/[<o-orgid>/]<account>/CloudTrail/<region>/<YYYY>/<MM>/<DD>/:
// what an import that starts there must walk.
type Level int

// Levels of a key prefix.
const (
	// LevelAbove: no "AWSLogs/" segment yet (the bucket root or a trail
	// key prefix); AWSLogs/ is looked for below.
	LevelAbove Level = iota
	// LevelAWSLogs: the prefix ends with "AWSLogs/"; account and
	// organization folders follow.
	LevelAWSLogs
	// LevelOrganization: AWSLogs/<o-orgid>/; account folders follow.
	LevelOrganization
	// LevelAccount: AWSLogs/[<o-orgid>/]<account>/; its CloudTrail/
	// folder is read, never its digest or Insights folders (spec §4.4).
	LevelAccount
	// LevelBelow: deeper than the account, a folder that is not a trail
	// layout's, or a partial name: the user chose the objects, and every
	// object under the prefix is taken.
	LevelBelow
)

// PrefixLevel says where a key prefix stands in the trail layout. The last
// "AWSLogs/" segment of the prefix is the one that counts.
func PrefixLevel(prefix string) Level {
	i := strings.LastIndex("/"+prefix, "/AWSLogs/")
	if i < 0 {
		return LevelAbove
	}
	tail := prefix[i+len(awsLogs):]
	if tail == "" {
		return LevelAWSLogs
	}
	if !strings.HasSuffix(tail, "/") {
		return LevelBelow // a partial name: the objects under it, as given
	}
	segs := strings.Split(strings.TrimSuffix(tail, "/"), "/")
	switch {
	case len(segs) == 1 && ctlake.IsOrganizationID(segs[0]):
		return LevelOrganization
	case len(segs) == 1 && ctlake.IsAccountID(segs[0]):
		return LevelAccount
	case len(segs) == 2 && ctlake.IsOrganizationID(segs[0]) && ctlake.IsAccountID(segs[1]):
		return LevelAccount
	}
	return LevelBelow
}

// Folder is what a folder name directly under AWSLogs/ (or under an
// organization folder) is in the trail layout.
type Folder int

// Kinds of folder under AWSLogs/.
const (
	FolderOther        Folder = iota // neither: no trail writes it
	FolderAccount                    // a 12-digit account id
	FolderOrganization               // o- and 10 to 32 lower-case letters or digits
)

// FolderOf classifies a folder name under AWSLogs/.
func FolderOf(name string) Folder {
	switch {
	case ctlake.IsAccountID(name):
		return FolderAccount
	case ctlake.IsOrganizationID(name):
		return FolderOrganization
	}
	return FolderOther
}

// ExpectedLayout describes the layouts an import reads, for messages.
const ExpectedLayout = "AWSLogs/<account-id>/CloudTrail/<region>/<YYYY>/<MM>/<DD>/ or AWSLogs/<o-organization-id>/<account-id>/CloudTrail/<region>/<YYYY>/<MM>/<DD>/ (an account id is 12 digits; an organization id is o- and 10 to 32 lower-case letters or digits)"
