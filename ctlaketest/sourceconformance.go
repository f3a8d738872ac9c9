package ctlaketest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ctlake/ctlake"
)

// RunSourceConformance checks the contract of ctlake.Source: that a source
// behaves as S3's ListObjectsV2 and GetObject do, so the import engine may
// not care which one it reads. newSource returns a source holding exactly
// files (key → content), fresh on each call. The expected listings come from
// a model of S3's rules in this file, never from the source under test.
func RunSourceConformance(t *testing.T, newSource func(t *testing.T, files map[string][]byte) ctlake.Source) {
	ctx := context.Background()

	t.Run("order", func(t *testing.T) {
		src := newSource(t, treeFiles)
		objects, prefixes := listAll(t, src, "", "")
		if len(prefixes) != 0 {
			t.Errorf("common prefixes without a delimiter: %q", prefixes)
		}
		want := sortedKeys(treeFiles)
		if got := objectKeys(objects); !slices.Equal(got, want) {
			t.Errorf("keys out of S3 order or missing:\n got  %q\n want %q", got, want)
		}
		for _, o := range objects {
			if o.Size != int64(len(treeFiles[o.Key])) {
				t.Errorf("%q: size %d, want %d", o.Key, o.Size, len(treeFiles[o.Key]))
			}
			if o.StorageClass != "" && o.StorageClass != "STANDARD" {
				t.Errorf("%q: storage class %q, want STANDARD", o.Key, o.StorageClass)
			}
		}
	})

	t.Run("prefix and delimiter", func(t *testing.T) {
		src := newSource(t, treeFiles)
		keys := sortedKeys(treeFiles)
		for _, prefix := range []string{
			"", "a", "a/", "a/c", "a/c/", "a.", "b", "zzz", "é", "sp ace/", "日本/",
			"AWSLogs/", "AWSLogs/111122223333/CloudTrail", "AWSLogs/111122223333/CloudTrail/",
			"AWSLogs/111122223333/CloudTrail/us-east-1/2024/01/0", // ends in the middle of a folder name
			"AWSLogs/111122223333/CloudTrail/us-east-1/2024/01/01/111122223333_CloudTrail_us-east-1_20240101T00",
		} {
			for _, delimiter := range []string{"", "/"} {
				wantObjects, wantPrefixes := modelList(keys, prefix, delimiter)
				objects, prefixes := listAll(t, src, prefix, delimiter)
				if got := objectKeys(objects); !slices.Equal(got, wantObjects) {
					t.Errorf("List(%q, %q) objects:\n got  %q\n want %q", prefix, delimiter, got, wantObjects)
				}
				if !slices.Equal(prefixes, wantPrefixes) {
					t.Errorf("List(%q, %q) common prefixes:\n got  %q\n want %q", prefix, delimiter, prefixes, wantPrefixes)
				}
			}
		}
	})

	t.Run("pagination", func(t *testing.T) {
		files := map[string][]byte{"r": []byte("r")}
		for i := range 2100 {
			files[fmt.Sprintf("p/%04d.json.gz", i)] = []byte{byte(i)}
		}
		for i := range 1050 {
			files[fmt.Sprintf("q/d%04d/f", i)] = nil
		}
		src := newSource(t, files)
		keys := sortedKeys(files)
		for _, c := range []struct {
			prefix, delimiter string
			minPages          int
		}{
			{"", "", 4},
			{"p/", "", 3},
			{"p/", "/", 3},
			{"q/", "/", 2},
			{"", "/", 1},
			{"p/1", "", 1}, // p/1000 to p/1999: exactly one full page
		} {
			wantObjects, wantPrefixes := modelList(keys, c.prefix, c.delimiter)
			var pages int
			var objects []ctlake.Object
			var prefixes []string
			err := src.List(ctx, c.prefix, c.delimiter, func(o []ctlake.Object, p []string) error {
				pages++
				checkPage(t, c.prefix, c.delimiter, o, p)
				objects, prefixes = append(objects, o...), append(prefixes, p...)
				return nil
			})
			if err != nil {
				t.Fatalf("List(%q, %q): %v", c.prefix, c.delimiter, err)
			}
			if got := objectKeys(objects); !slices.Equal(got, wantObjects) {
				t.Errorf("List(%q, %q): %d objects, want %d (or not in order)", c.prefix, c.delimiter, len(got), len(wantObjects))
			}
			if !slices.Equal(prefixes, wantPrefixes) {
				t.Errorf("List(%q, %q): %d common prefixes, want %d (or not in order)", c.prefix, c.delimiter, len(prefixes), len(wantPrefixes))
			}
			if pages < c.minPages {
				t.Errorf("List(%q, %q): %d pages for %d entries, want at least %d", c.prefix, c.delimiter, pages, len(wantObjects)+len(wantPrefixes), c.minPages)
			}
		}

		stop := errors.New("stop")
		var calls int
		err := src.List(ctx, "p/", "", func([]ctlake.Object, []string) error { calls++; return stop })
		if !errors.Is(err, stop) || calls != 1 {
			t.Errorf("fn's error: List returned %v after %d calls, want fn's error after 1", err, calls)
		}
	})

	t.Run("nothing to list", func(t *testing.T) {
		src := newSource(t, treeFiles)
		err := src.List(ctx, "no-such-prefix/", "/", func(o []ctlake.Object, p []string) error {
			t.Errorf("fn called for an empty listing with %d objects, %d prefixes", len(o), len(p))
			return nil
		})
		if err != nil {
			t.Errorf("List of an empty prefix: %v", err)
		}
	})

	t.Run("open", func(t *testing.T) {
		files := merge(treeFiles, map[string][]byte{
			"empty":             {},
			"binary.json.gz":    {0x1f, 0x8b, 0x08, 0x00, 0x00, 0xff, 0x00, 0x0a, 0x0d},
			"large/one-mib.bin": bytes.Repeat([]byte("0123456789abcdef"), 1<<16),
		})
		src := newSource(t, files)
		for _, key := range sortedKeys(files) {
			if got := readAll(t, src, key); !bytes.Equal(got, files[key]) {
				t.Errorf("Open(%q): %d bytes, want %d (content differs)", key, len(got), len(files[key]))
			}
		}
	})

	t.Run("no such key", func(t *testing.T) {
		src := newSource(t, treeFiles)
		for _, key := range []string{
			"missing",
			"a/missing",
			"a/c",    // a "folder": the prefix of a key, not a key
			"a/b/",   // a key plus a delimiter
			"A-B",    // keys are case-sensitive
			"sp ace", // a prefix of "sp ace/x y.json"
		} {
			rc, err := src.Open(ctx, key)
			if err == nil {
				rc.Close()
				t.Errorf("Open(%q) succeeded, want NoSuchKey", key)
				continue
			}
			var se *ctlake.SourceError
			if !errors.As(err, &se) || se.Type != ctlake.FailureNoSuchKey || se.Retryable {
				t.Errorf("Open(%q): %v (%T), want a *SourceError of type NoSuchKey, not retryable", key, err, err)
			}
		}
	})

	t.Run("location", func(t *testing.T) {
		src := newSource(t, treeFiles)
		seen := map[string]string{}
		for _, key := range sortedKeys(treeFiles) {
			loc := src.Location(key)
			if !strings.HasSuffix(loc, "/"+key) || !strings.Contains(loc, "://") {
				t.Errorf("Location(%q) = %q, want scheme://.../%s", key, loc, key)
			}
			if other, ok := seen[loc]; ok {
				t.Errorf("Location(%q) = Location(%q) = %q", key, other, loc)
			}
			seen[loc] = key
		}
	})

	t.Run("concurrent open", func(t *testing.T) {
		files := map[string][]byte{}
		for i := range 64 {
			files[fmt.Sprintf("c/%02d", i)] = bytes.Repeat([]byte{byte(i)}, 1000+i)
		}
		src := newSource(t, files)
		var wg sync.WaitGroup
		for key, want := range files {
			wg.Go(func() {
				for range 4 {
					rc, err := src.Open(ctx, key)
					if err != nil {
						t.Errorf("Open(%q): %v", key, err)
						return
					}
					got, err := io.ReadAll(rc)
					rc.Close()
					if err != nil || !bytes.Equal(got, want) {
						t.Errorf("Open(%q): read %d bytes, %v; want %d bytes", key, len(got), err, len(want))
						return
					}
				}
			})
		}
		wg.Wait()
	})

	t.Run("canceled context", func(t *testing.T) {
		src := newSource(t, treeFiles)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		err := src.List(cctx, "", "", func([]ctlake.Object, []string) error { return nil })
		if !errors.Is(err, context.Canceled) {
			t.Errorf("List with a canceled context: %v, want context.Canceled", err)
		}
		rc, err := src.Open(cctx, "a/b")
		if err == nil {
			rc.Close()
		}
		var se *ctlake.SourceError
		if !errors.Is(err, context.Canceled) || errors.As(err, &se) {
			t.Errorf("Open with a canceled context: %v, want context.Canceled and no SourceError (the object is not at fault)", err)
		}
	})
}

// treeFiles is a small bucket whose keys trip up a folder-by-folder walk:
// "a-b" < "a.b" < "a/b" < "a0" in byte order, and CloudTrail-Digest sorts
// before CloudTrail/. No key is a folder of another, so that a file system
// can hold them all.
var treeFiles = map[string][]byte{
	"AWSLogs/111122223333/CloudTrail/us-east-1/2024/01/01/111122223333_CloudTrail_us-east-1_20240101T0005Z_AbCdEfGh12345678.json.gz":               []byte("log1"),
	"AWSLogs/111122223333/CloudTrail/us-east-1/2024/01/01/111122223333_CloudTrail_us-east-1_20240101T0010Z_ZyXwVuTs98765432.json.gz":               []byte("log2"),
	"AWSLogs/111122223333/CloudTrail/us-east-1/2024/01/02/111122223333_CloudTrail_us-east-1_20240102T2355Z_QwErTyUi00000000.json.gz":               []byte("log3"),
	"AWSLogs/111122223333/CloudTrail/us-east-1/2024/01/10/111122223333_CloudTrail_us-east-1_20240110T1200Z_AsDfGhJk11111111.json.gz":               []byte("log4"),
	"AWSLogs/111122223333/CloudTrail/eu-west-1/2024/01/01/111122223333_CloudTrail_eu-west-1_20240101T0005Z_ZxCvBnMm22222222.json.gz":               []byte("log5"),
	"AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/01/01/111122223333_CloudTrail-Digest_us-east-1_main_us-east-1_20240101T010000Z.json.gz": []byte("digest"),
	"AWSLogs/o-abcdefghij/444455556666/CloudTrail/us-east-1/2024/01/01/444455556666_CloudTrail_us-east-1_20240101T0005Z_PoIuYtRe33333333.json.gz":  []byte("org"),
	"a-b":              []byte("a-b"),
	"a.b":              []byte("a.b"),
	"a/b":              []byte("a/b"),
	"a/c/d":            []byte("a/c/d"),
	"a0":               []byte("a0"),
	"ab/c":             []byte("ab/c"),
	"B":                []byte("B"),
	"b":                []byte("b"),
	"sp ace/x y.json":  []byte("spaces"),
	"é/ü.txt":          []byte("non-ASCII"),
	"日本/キー":            []byte("CJK"),
	"x+y=z&w;v":        []byte("reserved URL characters"),
	"per%cent":         []byte("percent"),
	"z~":               []byte("tilde"),
	"deep/1/2/3/4/5/6": []byte("deep"),
}

// modelList is S3's ListObjectsV2 over sorted keys, without paging: the keys
// that start with prefix, those that continue past the next delimiter rolled
// up into common prefixes.
func modelList(keys []string, prefix, delimiter string) (objects, prefixes []string) {
	for _, k := range keys {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		if delimiter != "" {
			rest := k[len(prefix):]
			if i := strings.Index(rest, delimiter); i >= 0 {
				cp := prefix + rest[:i+len(delimiter)]
				if len(prefixes) == 0 || prefixes[len(prefixes)-1] != cp {
					prefixes = append(prefixes, cp)
				}
				continue
			}
		}
		objects = append(objects, k)
	}
	return objects, prefixes
}

// listAll lists everything, checking each page.
func listAll(t *testing.T, src ctlake.Source, prefix, delimiter string) ([]ctlake.Object, []string) {
	t.Helper()
	var objects []ctlake.Object
	var prefixes []string
	last := ""
	err := src.List(context.Background(), prefix, delimiter, func(o []ctlake.Object, p []string) error {
		checkPage(t, prefix, delimiter, o, p)
		// Pages follow each other in key order.
		first := pageFirst(o, p)
		if last != "" && first <= last {
			t.Errorf("List(%q, %q): page starting at %q follows one ending at %q", prefix, delimiter, first, last)
		}
		last = pageLast(o, p)
		objects, prefixes = append(objects, o...), append(prefixes, p...)
		return nil
	})
	if err != nil {
		t.Fatalf("List(%q, %q): %v", prefix, delimiter, err)
	}
	return objects, prefixes
}

// checkPage checks one page: not empty, at most 1000 entries, in order,
// every entry under prefix, every common prefix ending in the delimiter.
func checkPage(t *testing.T, prefix, delimiter string, objects []ctlake.Object, prefixes []string) {
	t.Helper()
	n := len(objects) + len(prefixes)
	if n == 0 || n > 1000 {
		t.Errorf("List(%q, %q): a page of %d entries, want 1 to 1000", prefix, delimiter, n)
	}
	keys := objectKeys(objects)
	if !slices.IsSorted(keys) || !slices.IsSorted(prefixes) {
		t.Errorf("List(%q, %q): page not in key order", prefix, delimiter)
	}
	for _, k := range keys {
		if !strings.HasPrefix(k, prefix) {
			t.Errorf("List(%q, %q): key %q outside the prefix", prefix, delimiter, k)
		}
	}
	for _, p := range prefixes {
		if delimiter == "" || !strings.HasPrefix(p, prefix) || !strings.HasSuffix(p, delimiter) {
			t.Errorf("List(%q, %q): bad common prefix %q", prefix, delimiter, p)
		}
	}
}

func pageFirst(objects []ctlake.Object, prefixes []string) string {
	var s []string
	if len(objects) > 0 {
		s = append(s, objects[0].Key)
	}
	if len(prefixes) > 0 {
		s = append(s, prefixes[0])
	}
	return slices.Min(s)
}

func pageLast(objects []ctlake.Object, prefixes []string) string {
	var s []string
	if len(objects) > 0 {
		s = append(s, objects[len(objects)-1].Key)
	}
	if len(prefixes) > 0 {
		s = append(s, prefixes[len(prefixes)-1])
	}
	return slices.Max(s)
}

func readAll(t *testing.T, src ctlake.Source, key string) []byte {
	t.Helper()
	rc, err := src.Open(context.Background(), key)
	if err != nil {
		t.Fatalf("Open(%q): %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %q: %v", key, err)
	}
	return b
}

func objectKeys(objects []ctlake.Object) []string {
	keys := make([]string, len(objects))
	for i, o := range objects {
		keys[i] = o.Key
	}
	return keys
}

func sortedKeys(files map[string][]byte) []string {
	keys := make([]string, 0, len(files))
	for k := range files {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func merge(ms ...map[string][]byte) map[string][]byte {
	out := map[string][]byte{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}
