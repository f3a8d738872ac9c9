package file_test

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/ctlaketest"
	"github.com/ctlake/ctlake/file"
)

func TestSourceConformance(t *testing.T) {
	ctlaketest.RunSourceConformance(t, func(t *testing.T, files map[string][]byte) ctlake.Source {
		return newSource(t, writeTree(t, files))
	})
}

// writeTree writes files (key → content) under a new folder.
func writeTree(t *testing.T, files map[string][]byte) string {
	t.Helper()
	root := t.TempDir()
	for key, data := range files {
		p := filepath.Join(root, filepath.FromSlash(key))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func newSource(t *testing.T, root string) *file.Source {
	t.Helper()
	src, err := file.NewSource(root)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func list(t *testing.T, src *file.Source, prefix, delimiter string) (keys, prefixes []string) {
	t.Helper()
	err := src.List(context.Background(), prefix, delimiter, func(o []ctlake.Object, p []string) error {
		for _, obj := range o {
			keys = append(keys, obj.Key)
		}
		prefixes = append(prefixes, p...)
		return nil
	})
	if err != nil {
		t.Fatalf("List(%q, %q): %v", prefix, delimiter, err)
	}
	return keys, prefixes
}

func wantSourceError(t *testing.T, err error, typ string) {
	t.Helper()
	var se *ctlake.SourceError
	if !errors.As(err, &se) || se.Type != typ {
		t.Errorf("got %v (%T), want a *SourceError of type %s", err, err, typ)
	}
}

func TestSymlinks(t *testing.T) {
	outside := writeTree(t, map[string][]byte{"secret": []byte("outside"), "dir/f": []byte("outside dir")})
	root := writeTree(t, map[string][]byte{"a/real": []byte("real"), "b/x": []byte("x")})
	for link, target := range map[string]string{
		"a/inside":       filepath.Join(root, "a/real"),     // a file inside: followed
		"a/relative":     "real",                            // relative, inside: followed
		"a/escape":       filepath.Join(outside, "secret"),  // a file outside: hidden
		"a/escape-dir":   filepath.Join(outside, "dir"),     // a folder outside: hidden
		"a/dotdot":       "../../" + filepath.Base(outside), // relative way out: hidden
		"a/dangling":     filepath.Join(root, "nowhere"),    // hidden
		"c":              filepath.Join(root, "b"),          // a folder inside: followed
		"b/loop":         filepath.Join(root, "b"),          // a cycle: not followed
		"b/up":           root,                              // a cycle through the root
		"escape-as-root": outside,
	} {
		if err := os.Symlink(target, filepath.Join(root, filepath.FromSlash(link))); err != nil {
			t.Fatal(err)
		}
	}
	src := newSource(t, root)
	keys, _ := list(t, src, "", "")
	// Links that leave the root are listed, so that an import reports them
	// (Open refuses them below); dangling links and loops are not.
	want := []string{"a/dotdot", "a/escape", "a/escape-dir", "a/inside", "a/real", "a/relative", "b/x", "c/x", "escape-as-root"}
	if !slices.Equal(keys, want) {
		t.Errorf("keys %q, want %q", keys, want)
	}
	for _, key := range []string{"a/inside", "a/relative", "c/x"} {
		rc, err := src.Open(context.Background(), key)
		if err != nil {
			t.Errorf("Open(%q): %v", key, err)
			continue
		}
		rc.Close()
	}
	for _, key := range []string{"a/escape", "a/escape-dir/f", "escape-as-root/secret", "a/dotdot/secret"} {
		rc, err := src.Open(context.Background(), key)
		if err == nil {
			rc.Close()
		}
		wantSourceError(t, err, ctlake.FailureAccessDenied)
		want := "is behind a symbolic link that leads outside the import folder " + root + " (or loops); ctlake does not follow it"
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "outside dir") {
			t.Errorf("Open(%q): %v; want a message with %q", key, err, want)
		}
	}
	rc, err := src.Open(context.Background(), "a/dangling")
	if err == nil {
		rc.Close()
	}
	wantSourceError(t, err, ctlake.FailureNoSuchKey)
	// Listing from a prefix that goes through an escaping link finds nothing.
	if keys, _ := list(t, src, "escape-as-root/", ""); len(keys) != 0 {
		t.Errorf("List through a link out of the root: %q", keys)
	}
}

// TestBoundary: a source whose keys are relative to / (as file:// imports
// name them) reads nothing outside its boundary folder.
func TestBoundary(t *testing.T) {
	inside := writeTree(t, map[string][]byte{"AWSLogs/f": []byte("in")})
	outside := writeTree(t, map[string][]byte{"secret": []byte("out")})
	if err := os.Symlink(filepath.Join(outside, "secret"), filepath.Join(inside, "AWSLogs", "passwd")); err != nil {
		t.Fatal(err)
	}
	src, err := file.NewSourceWithin("/", inside)
	if err != nil {
		t.Fatal(err)
	}
	in := strings.TrimPrefix(filepath.ToSlash(inside), "/")
	keys, _ := list(t, src, "", "")
	if want := []string{in + "/AWSLogs/f", in + "/AWSLogs/passwd"}; !slices.Equal(keys, want) {
		t.Errorf("List(\"\") = %q, want %q", keys, want)
	}
	if keys, _ := list(t, src, strings.TrimPrefix(filepath.ToSlash(outside), "/")+"/", ""); len(keys) != 0 {
		t.Errorf("List outside the boundary: %q", keys)
	}
	_, err = src.Open(context.Background(), strings.TrimPrefix(filepath.ToSlash(outside), "/")+"/secret")
	wantSourceError(t, err, ctlake.FailureAccessDenied)
	if err == nil || !strings.Contains(err.Error(), "is outside the import folder "+inside) {
		t.Errorf("Open outside: %v", err)
	}
	_, err = src.Open(context.Background(), in+"/AWSLogs/passwd")
	wantSourceError(t, err, ctlake.FailureAccessDenied)
	rc, err := src.Open(context.Background(), in+"/AWSLogs/f")
	if err != nil {
		t.Fatal(err)
	}
	rc.Close()
}

// TestLoopsAreBounded: links back to an enclosing folder are walked once,
// and a source over /proc/self (whose root, cwd and exe links lead out of
// it, and whose task/ folders repeat it) lists in bounded time.
func TestLoopsAreBounded(t *testing.T) {
	root := writeTree(t, map[string][]byte{"a/b/f": []byte("f")})
	for link, target := range map[string]string{"a/b/up": "..", "a/b/top": root, "a/self": "."} {
		if err := os.Symlink(target, filepath.Join(root, filepath.FromSlash(link))); err != nil {
			t.Fatal(err)
		}
	}
	keys, _ := list(t, newSource(t, root), "", "")
	if want := []string{"a/b/f"}; !slices.Equal(keys, want) {
		t.Errorf("keys %q, want %q", keys, want)
	}
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc:", err)
	}
	src, err := file.NewSource("/proc/self/")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	err = src.List(context.Background(), "", "", func(o []ctlake.Object, _ []string) error {
		for _, obj := range o {
			if seen[obj.Key] {
				t.Errorf("%s listed twice", obj.Key)
			}
			seen[obj.Key] = true
			if strings.Count(obj.Key, "/") > file.MaxDepth {
				t.Errorf("%s is deeper than MaxDepth", obj.Key)
			}
		}
		return nil
	})
	if err != nil {
		var se *ctlake.SourceError
		if !errors.As(err, &se) {
			t.Fatalf("List /proc/self: %v", err)
		}
	}
	for _, key := range []string{"root", "cwd", "exe"} {
		if !seen[key] {
			t.Errorf("the link %s out of /proc/self was not listed (as a refused object)", key)
			continue
		}
		_, err := src.Open(context.Background(), key)
		wantSourceError(t, err, ctlake.FailureAccessDenied)
	}
}

func TestEmptyFoldersAreNotPrefixes(t *testing.T) {
	root := writeTree(t, map[string][]byte{"full/f": nil})
	if err := os.MkdirAll(filepath.Join(root, "empty", "deeper"), 0o755); err != nil {
		t.Fatal(err)
	}
	keys, prefixes := list(t, newSource(t, root), "", "/")
	if len(keys) != 0 || !slices.Equal(prefixes, []string{"full/"}) {
		t.Errorf("got keys %q, prefixes %q; want only full/ (S3 has no empty folders)", keys, prefixes)
	}
}

func TestOtherDelimiter(t *testing.T) {
	files := map[string][]byte{"a-1/x": nil, "a-2": nil, "a-2b-c": nil, "b": nil, "a/-z": nil}
	src := newSource(t, writeTree(t, files))
	for _, c := range []struct {
		prefix, delimiter string
		keys, prefixes    []string
	}{
		{"a", "-", nil, []string{"a-", "a/-"}},
		{"a-", "-", []string{"a-1/x", "a-2"}, []string{"a-2b-"}},
		{"", "2", []string{"a-1/x", "a/-z", "b"}, []string{"a-2"}},
	} {
		keys, prefixes := list(t, src, c.prefix, c.delimiter)
		if !slices.Equal(keys, c.keys) || !slices.Equal(prefixes, c.prefixes) {
			t.Errorf("List(%q, %q) = %q, %q; want %q, %q", c.prefix, c.delimiter, keys, prefixes, c.keys, c.prefixes)
		}
	}
}

func TestInvalidKeys(t *testing.T) {
	src := newSource(t, writeTree(t, map[string][]byte{"a/b": []byte("b")}))
	for _, key := range []string{"", "/a/b", "a//b", "./a/b", "a/./b", "a/../a/b", "../a/b", "a/b\x00"} {
		rc, err := src.Open(context.Background(), key)
		if err == nil {
			rc.Close()
		}
		wantSourceError(t, err, ctlake.FailureNoSuchKey)
	}
	if keys, _ := list(t, src, "a//", ""); len(keys) != 0 {
		t.Errorf("List(a//) = %q, want nothing", keys)
	}
}

func TestPermissionDenied(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads every file; permission errors cannot be produced")
	}
	root := writeTree(t, map[string][]byte{"locked": []byte("x"), "closed/f": []byte("y")})
	for _, p := range []string{"locked", "closed"} {
		if err := os.Chmod(filepath.Join(root, p), 0); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(filepath.Join(root, p), 0o755) })
	}
	src := newSource(t, root)
	_, err := src.Open(context.Background(), "locked")
	wantSourceError(t, err, ctlake.FailureAccessDenied)
	err = src.List(context.Background(), "closed/", "", func([]ctlake.Object, []string) error { return nil })
	wantSourceError(t, err, ctlake.FailureAccessDenied)
}

func TestNewSource(t *testing.T) {
	dir := writeTree(t, map[string][]byte{"f": nil})
	if _, err := file.NewSource("relative/path"); err == nil {
		t.Error("a relative root was accepted")
	}
	if _, err := file.NewSource(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing root was accepted")
	}
	if _, err := file.NewSource(filepath.Join(dir, "f")); err == nil {
		t.Error("a file as root was accepted")
	}
	src := newSource(t, dir)
	if got, want := src.Location("x/y z"), "file://"+filepath.ToSlash(dir)+"/x/y z"; got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
}

func TestNewSourceFromURI(t *testing.T) {
	base := writeTree(t, map[string][]byte{"trail/AWSLogs/123456789012/CloudTrail/us-east-1/2024/01/01/f.json.gz": nil})
	b := filepath.ToSlash(base)
	for _, c := range []struct{ uri, root, prefix string }{
		{"file://" + b + "/trail/", b + "/trail", ""},
		{"file://" + b + "/trail", b + "/trail", ""},
		{"file://" + b + "/trail/AWSLogs/", b + "/trail", "AWSLogs/"},
		{"file://" + b + "/trail/AWSLogs", b + "/trail", "AWSLogs/"},
		{"file://" + b + "/trail/AWSLogs/123456789012/CloudTrail/", b + "/trail", "AWSLogs/123456789012/CloudTrail/"},
		{"file://localhost" + b + "/trail/", b + "/trail", ""},
	} {
		u, err := url.Parse(c.uri)
		if err != nil {
			t.Fatal(err)
		}
		src, prefix, err := file.NewSourceFromURI(u)
		if err != nil {
			t.Errorf("%s: %v", c.uri, err)
			continue
		}
		if got := src.Location("k"); got != "file://"+c.root+"/k" || prefix != c.prefix {
			t.Errorf("%s: root %q, prefix %q; want root %q, prefix %q", c.uri, got, prefix, c.root, c.prefix)
		}
	}
	for _, bad := range []string{"s3://bucket/", "file://otherhost/data/", "file:relative/path"} {
		u, _ := url.Parse(bad)
		if _, _, err := file.NewSourceFromURI(u); err == nil {
			t.Errorf("%s was accepted", bad)
		}
	}
}
