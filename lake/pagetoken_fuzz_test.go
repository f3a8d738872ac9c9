package lake

import (
	"errors"
	"testing"

	"github.com/ctlake/ctlake"
)

// fuzzTokens signs with a fixed key, so that the tokens in
// testdata/fuzz/FuzzPageToken are real tokens of this key.
var fuzzTokens = pageTokens{key: []byte("ctlake-fuzz-page-token-key-32-by")}

// FuzzPageToken checks the paging-token decoder against forged and
// mutated tokens: decode never panics; it refuses with the code it is
// given, with a message; it accepts only a token minted for the very same
// scope, and gives back the key it was minted with.
func FuzzPageToken(f *testing.F) {
	// Real scopes, as the service writes them, with tokens minted for them.
	for _, s := range []struct{ scope, after string }{
		{"ListEventDataStores/123456789012/us-east-1", "8d3c5f7e-2b1a-4c9d-8e7f-6a5b4c3d2e1f"},
		{"ListImports/123456789012/us-east-1/8d3c5f7e-2b1a-4c9d-8e7f-6a5b4c3d2e1f/COMPLETED", "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"},
		{"ListImportFailures/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0", "AWSLogs/123456789012/CloudTrail/us-east-1/2026/01/01/x.json.gz"},
		{"GetQueryResults/5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9", "1000"},
		{"LookupEvents/123456789012/us-east-1/EventName=ConsoleLogin/-62135596800000/-62135596800000/Management", `{"t":1700000000000,"id":"e"}`},
		{"ListQueries/123456789012/us-east-1/8d3c5f7e-2b1a-4c9d-8e7f-6a5b4c3d2e1f/0/FINISHED", "x"},
		{"ListImportFailures/x", "file-\xff\xfe.json.gz"},
	} {
		f.Add(fuzzTokens.encode(s.scope, s.after), s.scope, s.after)
	}
	f.Add("", "", "")
	f.Add(".", "ListEventDataStores/123456789012/us-east-1", "")
	f.Add("eyJzIjoiTGlzdEV2ZW50RGF0YVN0b3JlcyJ9.AAAAAAAAAAAAAAAAAAAAAAAA", "ListEventDataStores", "a")
	f.Fuzz(func(t *testing.T, token, scope, after string) {
		const code = ctlake.InvalidNextTokenException
		// Whatever the bytes, a refusal is the code asked for.
		got, err := fuzzTokens.decode(token, scope, code)
		if err != nil {
			var e *ctlake.Error
			if !errors.As(err, &e) || e.Code != code || len(e.Message) < 10 {
				t.Fatalf("decode(%q, %q): error %v, want %s with a message", token, scope, err, code)
			}
		} else if fuzzTokens.encode(scope, got) != token {
			// Only a token this key minted for this scope may pass.
			t.Fatalf("decode(%q, %q) accepted a token it did not mint (resumes after %q)", token, scope, got)
		}

		// A minted token round-trips, and only for its own scope.
		minted := fuzzTokens.encode(scope, after)
		if got, err := fuzzTokens.decode(minted, scope, code); err != nil || got != after {
			t.Fatalf("round trip of (%q, %q): %q, %v", scope, after, got, err)
		}
		for _, other := range []string{scope + "/", token, after} {
			if other == scope {
				continue
			}
			if got, err := fuzzTokens.decode(minted, other, code); err == nil {
				t.Fatalf("token of scope %q accepted for scope %q (resumes after %q)", scope, other, got)
			}
		}
		// Any one changed byte of a minted token makes it refused.
		if len(token) > 0 {
			b := []byte(minted)
			i := len(token) % len(b)
			b[i] = token[0]
			if mutated := string(b); mutated != minted {
				if got, err := fuzzTokens.decode(mutated, scope, code); err == nil {
					t.Fatalf("mutated token %q (byte %d of %q) accepted, resumes after %q", mutated, i, minted, got)
				}
			}
		}
		// Another key's token is never accepted.
		other := pageTokens{key: []byte("another-server-key")}
		if _, err := fuzzTokens.decode(other.encode(scope, after), scope, code); err == nil {
			t.Fatalf("a token of another key accepted for %q", scope)
		}
	})
}
