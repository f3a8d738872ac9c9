package trail

import (
	"github.com/ctlake/ctlake"
	"strings"
	"testing"
	"time"
)

func TestParseKey(t *testing.T) {
	day := time.Date(2023, 7, 10, 0, 0, 0, 0, time.UTC)
	stamp := time.Date(2023, 7, 10, 11, 45, 0, 0, time.UTC)
	const logName = "218007301253_CloudTrail_us-east-1_20230710T1145Z_7xgocspSowgK0Gto.json.gz"
	tests := []struct {
		name  string
		key   string
		want  Key
		isLog bool
	}{
		{
			name:  "no prefix",
			key:   "AWSLogs/218007301253/CloudTrail/us-east-1/2023/07/10/" + logName,
			want:  Key{Account: "218007301253", Kind: KindLog, Region: "us-east-1", Day: day, FileTime: stamp, Name: logName},
			isLog: true,
		},
		{
			name:  "prefix with slashes",
			key:   "org/security/trails/AWSLogs/218007301253/CloudTrail/us-east-1/2023/07/10/" + logName,
			want:  Key{Prefix: "org/security/trails", Account: "218007301253", Kind: KindLog, Region: "us-east-1", Day: day, FileTime: stamp, Name: logName},
			isLog: true,
		},
		{
			name:  "organization trail",
			key:   "AWSLogs/o-exampleorgid/111122223333/CloudTrail/eu-west-3/2024/02/29/111122223333_CloudTrail_eu-west-3_20240229T2355Z_abcdefghIJKLMNOP.json.gz",
			want:  Key{OrgID: "o-exampleorgid", Account: "111122223333", Kind: KindLog, Region: "eu-west-3", Day: time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), FileTime: time.Date(2024, 2, 29, 23, 55, 0, 0, time.UTC), Name: "111122223333_CloudTrail_eu-west-3_20240229T2355Z_abcdefghIJKLMNOP.json.gz"},
			isLog: true,
		},
		{
			name:  "organization trail under a prefix",
			key:   "mytrail/AWSLogs/o-aa1bb2cc3d/111122223333/CloudTrail/us-gov-west-1/2023/12/31/111122223333_CloudTrail_us-gov-west-1_20240101T0005Z_0123456789abcdef.json.gz",
			want:  Key{Prefix: "mytrail", OrgID: "o-aa1bb2cc3d", Account: "111122223333", Kind: KindLog, Region: "us-gov-west-1", Day: time.Date(2023, 12, 31, 0, 0, 0, 0, time.UTC), FileTime: time.Date(2024, 1, 1, 0, 5, 0, 0, time.UTC), Name: "111122223333_CloudTrail_us-gov-west-1_20240101T0005Z_0123456789abcdef.json.gz"},
			isLog: true,
		},
		{
			name: "AWSLogs inside the prefix",
			key:  "AWSLogs/999999999999/copies/AWSLogs/218007301253/CloudTrail/us-east-1/2023/07/10/" + logName,
			want: Key{Prefix: "AWSLogs/999999999999/copies", Account: "218007301253", Kind: KindLog, Region: "us-east-1", Day: day, FileTime: stamp, Name: logName},
			// The prefix's AWSLogs is not followed by a layout; the last one is.
			isLog: true,
		},
		{
			name: "a later AWSLogs that is not a layout is not taken",
			key:  "x/AWSLogs/218007301253/CloudTrail/us-east-1/2023/07/10/AWSLogs/file.json.gz",
			want: Key{}, // the file segment would contain a slash
		},
		{
			name:  "double slash before AWSLogs keeps one slash in the prefix",
			key:   "logs//AWSLogs/218007301253/CloudTrail/us-east-1/2023/07/10/" + logName,
			want:  Key{Prefix: "logs/", Account: "218007301253", Kind: KindLog, Region: "us-east-1", Day: day, FileTime: stamp, Name: logName},
			isLog: true,
		},
		{
			name: "digest file",
			key:  "AWSLogs/218007301253/CloudTrail-Digest/us-east-1/2023/07/10/218007301253_CloudTrail-Digest_us-east-1_my_trail.v2_us-east-1_20230710T124512Z.json.gz",
			want: Key{Account: "218007301253", Kind: KindDigest, Region: "us-east-1", Day: day, FileTime: time.Date(2023, 7, 10, 12, 45, 12, 0, time.UTC), Name: "218007301253_CloudTrail-Digest_us-east-1_my_trail.v2_us-east-1_20230710T124512Z.json.gz"},
		},
		{
			name: "insights file",
			key:  "AWSLogs/218007301253/CloudTrail-Insight/us-east-1/2023/07/10/218007301253_CloudTrail-Insight_us-east-1_20230710T1200Z_WXYZ0123abcd4567.json.gz",
			want: Key{Account: "218007301253", Kind: KindInsight, Region: "us-east-1", Day: day, FileTime: time.Date(2023, 7, 10, 12, 0, 0, 0, time.UTC), Name: "218007301253_CloudTrail-Insight_us-east-1_20230710T1200Z_WXYZ0123abcd4567.json.gz"},
		},
		{
			name: "uncompressed log (Invictus original name) parses but is not a log",
			key:  "AWSLogs/218007301253/CloudTrail/us-east-1/2023/07/10/218007301253_CloudTrail_us-east-1_20230710T1145Z_7xgocspSowgK0Gto.json",
			want: Key{Account: "218007301253", Kind: KindLog, Region: "us-east-1", Day: day, FileTime: stamp, Name: "218007301253_CloudTrail_us-east-1_20230710T1145Z_7xgocspSowgK0Gto.json"},
		},
		{
			name: "stray file without a stamp",
			key:  "AWSLogs/218007301253/CloudTrail/us-east-1/2023/07/10/notes.txt",
			want: Key{Account: "218007301253", Kind: KindLog, Region: "us-east-1", Day: day, Name: "notes.txt"},
		},
		{
			name: "stamp with an impossible time is no stamp",
			key:  "AWSLogs/218007301253/CloudTrail/us-east-1/2023/07/10/218007301253_CloudTrail_us-east-1_20230710T2460Z_7xgocspSowgK0Gto.json.gz",
			want: Key{Account: "218007301253", Kind: KindLog, Region: "us-east-1", Day: day, Name: "218007301253_CloudTrail_us-east-1_20230710T2460Z_7xgocspSowgK0Gto.json.gz"},
		},
		{
			name: "another service's folder",
			key:  "AWSLogs/218007301253/elasticloadbalancing/us-east-1/2023/07/10/218007301253_elasticloadbalancing_us-east-1_app.my-lb.json.gz",
			want: Key{Account: "218007301253", Kind: "elasticloadbalancing", Region: "us-east-1", Day: day, Name: "218007301253_elasticloadbalancing_us-east-1_app.my-lb.json.gz"},
		},
		// Keys that are not trail layouts.
		{name: "month 13", key: "AWSLogs/218007301253/CloudTrail/us-east-1/2023/13/10/" + logName},
		{name: "February 30", key: "AWSLogs/218007301253/CloudTrail/us-east-1/2023/02/30/" + logName},
		{name: "February 29 of a common year", key: "AWSLogs/218007301253/CloudTrail/us-east-1/2023/02/29/" + logName},
		{name: "day 00", key: "AWSLogs/218007301253/CloudTrail/us-east-1/2023/07/00/" + logName},
		{name: "one-digit month", key: "AWSLogs/218007301253/CloudTrail/us-east-1/2023/7/10/" + logName},
		{name: "day folder missing", key: "AWSLogs/218007301253/CloudTrail/us-east-1/2023/07/" + logName},
		{name: "region folder missing", key: "AWSLogs/218007301253/CloudTrail/2023/07/10/" + logName},
		{name: "account of 11 digits", key: "AWSLogs/21800730125/CloudTrail/us-east-1/2023/07/10/" + logName},
		{name: "account of 13 digits", key: "AWSLogs/2180073012530/CloudTrail/us-east-1/2023/07/10/" + logName},
		{name: "account with a letter", key: "AWSLogs/21800730125x/CloudTrail/us-east-1/2023/07/10/" + logName},
		{name: "org id too short", key: "AWSLogs/o-abc/111122223333/CloudTrail/us-east-1/2023/07/10/" + logName},
		{name: "org id upper case", key: "AWSLogs/o-EXAMPLEORG1/111122223333/CloudTrail/us-east-1/2023/07/10/" + logName},
		{name: "upper-case region", key: "AWSLogs/218007301253/CloudTrail/US-EAST-1/2023/07/10/" + logName},
		{name: "region-day folder, no file", key: "AWSLogs/218007301253/CloudTrail/us-east-1/2023/07/10/"},
		{name: "file in a subfolder", key: "AWSLogs/218007301253/CloudTrail/us-east-1/2023/07/10/extra/" + logName},
		{name: "AWSLogs not a whole segment", key: "myAWSLogs/218007301253/CloudTrail/us-east-1/2023/07/10/" + logName},
		{name: "lower-case awslogs", key: "awslogs/218007301253/CloudTrail/us-east-1/2023/07/10/" + logName},
		{name: "leading slash, empty prefix", key: "/AWSLogs/218007301253/CloudTrail/us-east-1/2023/07/10/" + logName},
		{name: "no AWSLogs", key: "218007301253/CloudTrail/us-east-1/2023/07/10/" + logName},
		{name: "empty", key: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ParseKey(tc.key)
			wantOK := tc.want != (Key{})
			if ok != wantOK {
				t.Fatalf("ParseKey(%q) ok = %v, want %v (got %+v)", tc.key, ok, wantOK, got)
			}
			if !ok {
				return
			}
			if got != tc.want {
				t.Errorf("ParseKey(%q)\n got %+v\nwant %+v", tc.key, got, tc.want)
			}
			if got.IsLog() != tc.isLog {
				t.Errorf("IsLog() = %v, want %v", got.IsLog(), tc.isLog)
			}
			if p := DayPrefix(got); p+got.Name != tc.key {
				t.Errorf("DayPrefix = %q; with the name it is not the key", p)
			}
		})
	}
}

func TestIsLog(t *testing.T) {
	const folder = "AWSLogs/218007301253/CloudTrail/us-east-1/2023/07/10/"
	tests := []struct {
		name string
		want bool
	}{
		{"218007301253_CloudTrail_us-east-1_20230710T1145Z_7xgocspSowgK0Gto.json.gz", true},
		{"218007301253_CloudTrail_us-east-1_20230710T1145Z_7xgocspSowgK0Gto.json", false},
		{"218007301253_CloudTrail_us-east-1_20230710T1145Z_7xgocspSowgK0Gto.json.gz.tmp", false},
		{"218007301253_CloudTrail_us-east-1_20230710T114500Z_7xgocspSowgK0Gto.json.gz", false}, // digest-style stamp
		{"218007301253_CloudTrail_us-east-1_20230710T1145Z_.json.gz", false},
		{"218007301253_CloudTrail_us-east-1_20230710T1145Z_a_b.json.gz", false},
		{"218007301253_CloudTrail-Digest_us-east-1_20230710T1145Z_7xgocspSowgK0Gto.json.gz", false},
		{"21800730125_CloudTrail_us-east-1_20230710T1145Z_7xgocspSowgK0Gto.json.gz", false},
		{"218007301253_CloudTrail_us-east-1_20231310T1145Z_7xgocspSowgK0Gto.json.gz", false},
		{"218007301253_CloudTrail_us-east-1_7xgocspSowgK0Gto.json.gz", false},
		{"ConfigWritabilityCheckFile", false},
	}
	for _, tc := range tests {
		k, ok := ParseKey(folder + tc.name)
		if !ok {
			t.Fatalf("ParseKey(%q) failed", folder+tc.name)
		}
		if k.IsLog() != tc.want {
			t.Errorf("IsLog(%q) = %v, want %v", tc.name, k.IsLog(), tc.want)
		}
	}
	// The same log name in a digest folder is not a log.
	k, _ := ParseKey("AWSLogs/218007301253/CloudTrail-Digest/us-east-1/2023/07/10/218007301253_CloudTrail_us-east-1_20230710T1145Z_7xgocspSowgK0Gto.json.gz")
	if k.IsLog() {
		t.Error("a log-shaped name in CloudTrail-Digest/ counts as a log")
	}
}

func TestDayPrefix(t *testing.T) {
	k := Key{Prefix: "a/b", OrgID: "o-exampleorgid", Account: "111122223333", Kind: KindLog, Region: "ap-southeast-2", Day: time.Date(2021, 1, 2, 0, 0, 0, 0, time.UTC)}
	if got, want := DayPrefix(k), "a/b/AWSLogs/o-exampleorgid/111122223333/CloudTrail/ap-southeast-2/2021/01/02/"; got != want {
		t.Errorf("DayPrefix = %q, want %q", got, want)
	}
	k = Key{Account: "111122223333", Kind: KindLog, Region: "us-east-1", Day: time.Date(2021, 11, 30, 0, 0, 0, 0, time.UTC)}
	if got, want := DayPrefix(k), "AWSLogs/111122223333/CloudTrail/us-east-1/2021/11/30/"; got != want {
		t.Errorf("DayPrefix = %q, want %q", got, want)
	}
}

func FuzzParseKey(f *testing.F) {
	for _, s := range []string{
		"AWSLogs/218007301253/CloudTrail/us-east-1/2023/07/10/218007301253_CloudTrail_us-east-1_20230710T1145Z_7xgocspSowgK0Gto.json.gz",
		"p/AWSLogs/o-exampleorgid/111122223333/CloudTrail/eu-west-3/2024/02/29/111122223333_CloudTrail_eu-west-3_20240229T2355Z_abcdefghIJKLMNOP.json.gz",
		"AWSLogs/x/AWSLogs/218007301253/CloudTrail-Digest/us-east-1/2023/07/10/218007301253_CloudTrail-Digest_us-east-1_t_us-east-1_20230710T124512Z.json.gz",
		"/AWSLogs/218007301253/CloudTrail/us-east-1/2023/07/10/f",
		"AWSLogs/218007301253/CloudTrail/us-east-1/2023/13/10/f",
		"//AWSLogs/218007301253/CloudTrail/us-east-1/2023/07/10/",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		k, ok := ParseKey(key)
		if !ok {
			if k != (Key{}) {
				t.Fatalf("ParseKey(%q) failed but returned %+v", key, k)
			}
			return
		}
		if !ctlake.IsAccountID(k.Account) || !isRegion(k.Region) || k.Kind == "" || k.Name == "" || strings.Contains(k.Name, "/") {
			t.Fatalf("ParseKey(%q) = %+v: a field breaks the layout", key, k)
		}
		if k.OrgID != "" && !ctlake.IsOrganizationID(k.OrgID) {
			t.Fatalf("ParseKey(%q): bad org id %q", key, k.OrgID)
		}
		if k.Day.Location() != time.UTC || !k.Day.Equal(k.Day.Truncate(24*time.Hour)) {
			t.Fatalf("ParseKey(%q): Day %v is not midnight UTC", key, k.Day)
		}
		p := DayPrefix(k)
		if p+k.Name != key {
			t.Fatalf("DayPrefix(ParseKey(%q)) + Name = %q", key, p+k.Name)
		}
		if again, ok := ParseKey(p + k.Name); !ok || again != k {
			t.Fatalf("ParseKey does not round-trip %q: %+v", key, again)
		}
		if k.IsLog() && k.FileTime.IsZero() {
			t.Fatalf("IsLog(%q) without a FileTime", key)
		}
	})
}
