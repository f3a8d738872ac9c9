package ctlake_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ctlake/ctlake"
)

// repeat runs check many times and fails unless it gives the same message
// every time: a message built from a map would change from run to run.
func repeat(t *testing.T, check func() error, wantCode, wantMessage string) {
	t.Helper()
	for i := 0; i < 50; i++ {
		err := check()
		if code, msg := ctlake.ErrorCode(err), ctlake.ErrorMessage(err); code != wantCode || msg != wantMessage {
			t.Fatalf("run %d: got %s: %q\nwant %s: %q", i+1, code, msg, wantCode, wantMessage)
		}
	}
}

func TestSelectorMessageIsStable(t *testing.T) {
	// Every operator of an Equals-only field is wrong; the first one in the
	// model's order is named.
	sels := []ctlake.AdvancedEventSelector{{FieldSelectors: []ctlake.AdvancedFieldSelector{{
		Field: "eventCategory", StartsWith: []string{"M"}, EndsWith: []string{"t"}, NotEquals: []string{"Data"},
		NotStartsWith: []string{"D"}, NotEndsWith: []string{"a"},
	}}}}
	repeat(t, func() error { return ctlake.ValidateSelectors(sels) }, ctlake.InvalidEventSelectorsException,
		"The advanced event selectors are not valid: selector 1: the field eventCategory can only be tested with Equals, not StartsWith.")

	empty := []ctlake.AdvancedEventSelector{{FieldSelectors: []ctlake.AdvancedFieldSelector{
		{Field: "eventCategory", Equals: []string{"Management"}},
		{Field: "eventName", Equals: []string{}, StartsWith: []string{}, NotEndsWith: []string{}},
	}}}
	repeat(t, func() error { return ctlake.ValidateSelectors(empty) }, ctlake.InvalidEventSelectorsException,
		"The advanced event selectors are not valid: selector 1: the field eventName has an empty Equals list.")
}

func TestStartImportMissingMembersMessageIsStable(t *testing.T) {
	in := ctlake.StartImportInput{Destinations: []string{"store"}, Source: &ctlake.ImportSource{}}
	repeat(t, in.Validate, ctlake.InvalidParameterException,
		"3 validation errors detected: "+
			"Value null at 'importSource.s3.s3LocationUri' failed to satisfy constraint: Member must not be null; "+
			"Value null at 'importSource.s3.s3BucketRegion' failed to satisfy constraint: Member must not be null; "+
			"Value null at 'importSource.s3.s3BucketAccessRoleArn' failed to satisfy constraint: Member must not be null")
}

func TestStartImportInputValidate(t *testing.T) {
	src := &ctlake.ImportSource{S3LocationURI: "s3://bucket/AWSLogs/", S3BucketRegion: "us-east-1",
		S3BucketAccessRoleARN: "arn:aws:iam::123456789012:role/Import"}
	jan, feb := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)
	badRole := *src
	badRole.S3BucketAccessRoleARN = "role"
	for _, c := range []struct {
		name string
		in   ctlake.StartImportInput
		want string // message prefix; "" means valid
	}{
		{"new import", ctlake.StartImportInput{Destinations: []string{"s"}, Source: src, StartEventTime: &jan, EndEventTime: &feb}, ""},
		{"retry", ctlake.StartImportInput{ImportID: "id"}, ""},
		{"retry with a source", ctlake.StartImportInput{ImportID: "id", Source: src}, "A retry takes ImportId alone"},
		{"nothing", ctlake.StartImportInput{}, "Give either ImportId"},
		{"two destinations", ctlake.StartImportInput{Destinations: []string{"a", "b"}, Source: src}, "Destinations has 2 items"},
		{"times reversed", ctlake.StartImportInput{Destinations: []string{"s"}, Source: src, StartEventTime: &feb, EndEventTime: &jan},
			"StartEventTime 2024-02-01T00:00:00Z is after EndEventTime 2024-01-01T00:00:00Z."},
		{"not a role", ctlake.StartImportInput{Destinations: []string{"s"}, Source: &badRole}, "S3BucketAccessRoleArn 'role' is not an IAM role ARN"},
	} {
		err := c.in.Validate()
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if ctlake.ErrorCode(err) != ctlake.InvalidParameterException || !strings.HasPrefix(ctlake.ErrorMessage(err), c.want) {
			t.Errorf("%s: got %v, want InvalidParameterException: %s…", c.name, err, c.want)
		}
	}
}

func TestPageLimit(t *testing.T) {
	n := func(v int64) *int64 { return &v }
	for _, c := range []struct {
		max     *int64
		most    int
		want    int
		wantErr string
	}{
		{nil, 1000, 1000, ""},
		{nil, 50, 50, ""},
		{n(1), 1000, 1, ""},
		{n(1000), 1000, 1000, ""},
		{n(50), 50, 50, ""},
		{n(0), 1000, 0, "MaxResults 0 is out of range: give a value from 1 to 1000."},
		{n(1001), 1000, 0, "MaxResults 1001 is out of range: give a value from 1 to 1000."},
		{n(51), 50, 0, "MaxResults 51 is out of range: give a value from 1 to 50."},
		{n(-1), 50, 0, "MaxResults -1 is out of range: give a value from 1 to 50."},
	} {
		got, err := ctlake.PageLimit(c.max, c.most, ctlake.InvalidMaxResultsException)
		if c.wantErr != "" {
			if ctlake.ErrorCode(err) != ctlake.InvalidMaxResultsException || ctlake.ErrorMessage(err) != c.wantErr {
				t.Errorf("PageLimit(%d, %d): got %v, want %s", *c.max, c.most, err, c.wantErr)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("PageLimit(%v, %d) = %d, %v; want %d", c.max, c.most, got, err, c.want)
		}
	}
}

func TestValidateNextToken(t *testing.T) {
	s := func(v string) *string { return &v }
	for _, c := range []struct {
		token *string
		want  string
	}{
		{nil, ""},
		{s("abcd"), ""},
		{s(strings.Repeat("a", 1000)), ""},
		{s("abc"), "1 validation error detected: Value 'abc' at 'nextToken' failed to satisfy constraint: Member must have length greater than or equal to 4"},
		{s(strings.Repeat("a", 1001)), "1 validation error detected: Value '" + strings.Repeat("a", 200) + "…' at 'nextToken' failed to satisfy constraint: Member must have length less than or equal to 1000"},
	} {
		err := ctlake.ValidateNextToken(c.token)
		if c.want == "" {
			if err != nil {
				t.Errorf("%v: %v", c.token, err)
			}
			continue
		}
		if ctlake.ErrorCode(err) != ctlake.InvalidNextTokenException || ctlake.ErrorMessage(err) != c.want {
			t.Errorf("got %v, want InvalidNextTokenException: %s", err, c.want)
		}
	}
}

func TestValidateID(t *testing.T) {
	if err := ctlake.ValidateID("queryId", ctlake.NewID()); err != nil {
		t.Errorf("a new id: %v", err)
	}
	err := ctlake.ValidateID("importId", strings.Repeat("G", 36))
	want := "1 validation error detected: Value '" + strings.Repeat("G", 36) + "' at 'importId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-f0-9\\-]+$"
	if ctlake.ErrorCode(err) != ctlake.InvalidParameterException || ctlake.ErrorMessage(err) != want {
		t.Errorf("got %v, want %s", err, want)
	}
	err = ctlake.ValidateID("queryId", "abc")
	want = "1 validation error detected: Value 'abc' at 'queryId' failed to satisfy constraint: Member must have length greater than or equal to 36"
	if ctlake.ErrorMessage(err) != want {
		t.Errorf("got %v, want %s", err, want)
	}
}
