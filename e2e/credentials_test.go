package e2e

import (
	"os"
	"strings"
	"testing"
)

// readCredentialsFile reads the key pair a server keeps in its data folder
// and checks that only its owner can read it.
func readCredentialsFile(t *testing.T, path string) (key, secret string) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("%s has mode %o, want 600", path, mode)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "AWS_ACCESS_KEY_ID="); ok {
			key = v
		}
		if v, ok := strings.CutPrefix(line, "AWS_SECRET_ACCESS_KEY="); ok {
			secret = v
		}
	}
	if len(key) != 20 || !strings.HasPrefix(key, "AKIA") || len(secret) != 40 {
		t.Fatalf("%s holds key %q and a %d-character secret; want an AKIA… id of 20 and a secret of 40", path, key, len(secret))
	}
	return key, secret
}
