package trail

import (
	"strings"
	"testing"

	"github.com/ctlake/ctlake"
)

func TestPrefixLevel(t *testing.T) {
	for prefix, want := range map[string]Level{
		"":                                        LevelAbove,
		"trails/security/":                        LevelAbove,
		"AWSLogs/":                                LevelAWSLogs,
		"trails/AWSLogs/":                         LevelAWSLogs,
		"xAWSLogs/":                               LevelAbove, // not a whole segment
		"AWSLogs/123456789012/":                   LevelAccount,
		"AWSLogs/o-aa1bb2cc3d/":                   LevelOrganization,
		"AWSLogs/o-aa1bb2cc3d/123456789012/":      LevelAccount,
		"p/AWSLogs/o-aa1bb2cc3d/123456789012/":    LevelAccount,
		"AWSLogs/o-abc123/":                       LevelBelow, // too short for an organization id
		"AWSLogs/12345678901/":                    LevelBelow, // 11 digits
		"AWSLogs/123456789012":                    LevelBelow, // a partial name
		"AWSLogs/123456789012/CloudTrail/":        LevelBelow,
		"AWSLogs/123456789012/CloudTrail-Digest/": LevelBelow,
		"AWSLogs/123456789012/CloudTrail-Insight/us-east-1/": LevelBelow,
		"AWSLogs/o-aa1bb2cc3d/o-aa1bb2cc3d/":                 LevelBelow,
		"AWSLogs/123456789012/123456789012/":                 LevelBelow,
		"AWSLogs/123456789012/x/AWSLogs/":                    LevelAWSLogs, // the last AWSLogs counts
	} {
		if got := PrefixLevel(prefix); got != want {
			t.Errorf("PrefixLevel(%q) = %d, want %d", prefix, got, want)
		}
	}
}

func TestFolderOf(t *testing.T) {
	for name, want := range map[string]Folder{
		"123456789012": FolderAccount, "o-aa1bb2cc3d": FolderOrganization, "o-abc123": FolderOther,
		"12345678901a": FolderOther, "CloudTrail": FolderOther, "": FolderOther,
		"o-" + "abcdefghij0123456789abcdefghij01": FolderOrganization, "o-" + "abcdefghij0123456789abcdefghij012": FolderOther,
	} {
		if got := FolderOf(name); got != want {
			t.Errorf("FolderOf(%q) = %d, want %d", name, got, want)
		}
	}
}

// TestNotGzipIsDescribedNotQuoted: a file that is not gzip is described by
// kind; its bytes (a password file a link led to) never reach the message.
func TestNotGzipIsDescribedNotQuoted(t *testing.T) {
	for content, want := range map[string]string{
		"root:x:0:0:root:/root:/bin/bash\n":                       "it looks like plain text",
		"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00": "it looks like binary data of another format",
	} {
		err := Decode(strings.NewReader(content), 1<<20, func(*ctlake.Event) error { return nil })
		if err == nil || !strings.Contains(err.Error(), "the file is not gzip-compressed ("+want+")") {
			t.Errorf("%q: %v; want %q", content, err, want)
		}
		for _, leak := range []string{"root", "72 6f", "ELF", "7f 45"} {
			if err != nil && strings.Contains(err.Error(), leak) {
				t.Errorf("%q: the message %q quotes the file (%q)", content, err, leak)
			}
		}
	}
}
