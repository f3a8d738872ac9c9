// Package file implements ctlake.Source over a folder of the local file
// system, so that a trail tree copied out of S3 (or written by ctgen) can be
// imported from a file:///absolute/folder/ URI without an S3 server.
//
// The folder is presented exactly as S3 would present a bucket holding the
// same files, so that the import engine cannot tell the two apart: keys are
// slash-separated paths relative to the root, listed in the byte order of
// the full key (not folder by folder), a prefix matches the key string (it
// may end in the middle of a name), a delimiter rolls keys up into common
// prefixes, pages hold at most 1000 entries, and folders without files do not
// exist. Symbolic links are followed only while they stay inside the root.
package file

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/ctlake/ctlake"
)

// PageSize is the largest number of entries (objects and common prefixes
// together) handed to one call of List's fn, as S3's ListObjectsV2 returns
// at most 1000 keys per page.
const PageSize = 1000

var _ ctlake.Source = (*Source)(nil)

// Source is a ctlake.Source over the files under one folder. It holds no
// mutable state and is safe for concurrent use.
type Source struct {
	root     string // the folder as given, cleaned: what Location shows
	realRoot string // root with symbolic links resolved: the containment boundary
}

// NewSource returns a Source over the folder root, which must be an absolute
// path to an existing folder.
func NewSource(root string) (*Source, error) {
	if !filepath.IsAbs(root) {
		return nil, fmt.Errorf("file source: %q is not an absolute path", root)
	}
	root = filepath.Clean(root)
	real, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, fmt.Errorf("file source: %w", err)
	}
	fi, err := os.Stat(real)
	if err != nil {
		return nil, fmt.Errorf("file source: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("file source: %s is not a folder", root)
	}
	return &Source{root: root, realRoot: real}, nil
}

// NewSourceFromURI opens the Source for a file:///absolute/folder/ URI and
// returns the key prefix the URI points at inside it.
//
// A file URI has no bucket, so the root is chosen to make keys look like the
// keys of a trail bucket: if the path holds an AWSLogs segment, the root is
// the folder that contains AWSLogs and the prefix starts with "AWSLogs/"
// (file:///data/trail/AWSLogs/123456789012/ gives root /data/trail and prefix
// AWSLogs/123456789012/); otherwise the root is the folder itself and the
// prefix is empty.
func NewSourceFromURI(u *url.URL) (*Source, string, error) {
	if u.Scheme != "file" {
		return nil, "", fmt.Errorf("file source: %q is not a file:// URI", u.String())
	}
	if u.Host != "" && u.Host != "localhost" {
		return nil, "", fmt.Errorf("file source: %q names a remote host", u.String())
	}
	p := u.Path
	if !strings.HasPrefix(p, "/") {
		return nil, "", fmt.Errorf("file source: %q is not an absolute path", u.String())
	}
	root, prefix := p, ""
	if i := strings.Index(p, "/AWSLogs/"); i >= 0 {
		root, prefix = p[:i+1], p[i+1:]
	} else if strings.HasSuffix(p, "/AWSLogs") {
		root, prefix = strings.TrimSuffix(p, "AWSLogs"), "AWSLogs/"
	}
	s, err := NewSource(filepath.FromSlash(root))
	if err != nil {
		return nil, "", err
	}
	return s, prefix, nil
}

// Location returns file:// followed by the absolute path of key.
func (s *Source) Location(key string) string {
	return "file://" + filepath.ToSlash(filepath.Join(s.root, filepath.FromSlash(key)))
}

// Open returns the content of the file at key. It returns a *ctlake.SourceError
// of type NoSuchKey if no regular file has this key (or it lies behind a
// symbolic link that leaves the root), and AccessDenied if the file cannot be
// read for lack of permission.
func (s *Source) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !validKey(key) {
		return nil, s.noSuchKey(key, nil)
	}
	real, err := filepath.EvalSymlinks(filepath.Join(s.root, filepath.FromSlash(key)))
	if err != nil {
		return nil, s.pathError(key, err)
	}
	if !within(s.realRoot, real) {
		return nil, s.noSuchKey(key, nil)
	}
	fi, err := os.Stat(real)
	if err != nil {
		return nil, s.pathError(key, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, s.noSuchKey(key, nil)
	}
	f, err := os.Open(real)
	if err != nil {
		return nil, s.pathError(key, err)
	}
	return f, nil
}

// List walks the folder in the order of the full keys. A folder that cannot
// be read fails the listing with a *ctlake.SourceError of type AccessDenied;
// fn's error stops it and is returned.
func (s *Source) List(ctx context.Context, prefix, delimiter string, fn func(objects []ctlake.Object, prefixes []string) error) error {
	l := &lister{ctx: ctx, prefix: prefix, delimiter: delimiter, fn: fn}
	// Start in the deepest folder that the prefix names completely: every
	// matching key lies under it.
	start := prefix[:strings.LastIndex(prefix, "/")+1]
	real := s.realRoot
	if start != "" {
		if !validKey(strings.TrimSuffix(start, "/")) {
			return nil // a key with an empty, "." or ".." segment cannot name a file
		}
		var err error
		real, err = filepath.EvalSymlinks(filepath.Join(s.realRoot, filepath.FromSlash(start)))
		if err != nil || !within(s.realRoot, real) {
			return nil // no such folder, or one that leaves the root: no keys
		}
	}
	if err := s.walk(l, start, real, nil); err != nil {
		return err
	}
	return l.flush()
}

// walk lists the folder whose key prefix is dir ("" or ending in "/") and
// whose real path is real; visiting holds the real paths of the folders being
// walked, to stop symbolic-link cycles.
func (s *Source) walk(l *lister, dir, real string, visiting []string) error {
	if err := l.ctx.Err(); err != nil {
		return err
	}
	entries, err := os.ReadDir(real)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			return nil
		}
		if errors.Is(err, fs.ErrPermission) {
			return &ctlake.SourceError{Type: ctlake.FailureAccessDenied, Message: "cannot list " + s.Location(dir), Err: err}
		}
		return fmt.Errorf("list %s: %w", s.Location(dir), err)
	}
	visiting = append(visiting, real)

	type entry struct {
		name, sortName string // sortName ends in "/" for folders, so that siblings sort as their keys do
		real           string
		size           int64
		dir            bool
	}
	list := make([]entry, 0, len(entries))
	for _, de := range entries {
		name := de.Name()
		key := dir + name
		// Prune early: a file must match the prefix, a folder must be on
		// the way to it or under it.
		if !strings.HasPrefix(key, l.prefix) && !strings.HasPrefix(l.prefix, key) {
			continue
		}
		e := entry{name: name, real: filepath.Join(real, name)}
		switch t := de.Type(); {
		case t.IsDir():
			e.dir = true
		case t.IsRegular():
			fi, err := de.Info()
			if err != nil {
				continue // removed since the folder was read
			}
			e.size = fi.Size()
		case t&fs.ModeSymlink != 0:
			target, err := filepath.EvalSymlinks(e.real)
			if err != nil || !within(s.realRoot, target) {
				continue // dangling, or leaves the root
			}
			fi, err := os.Stat(target)
			if err != nil {
				continue
			}
			switch {
			case fi.IsDir():
				if slices.ContainsFunc(visiting, func(v string) bool { return within(target, v) }) {
					continue // a cycle: the target holds a folder being walked
				}
				e.dir, e.real = true, target
			case fi.Mode().IsRegular():
				e.size, e.real = fi.Size(), target
			default:
				continue
			}
		default:
			continue // devices, pipes and sockets are not objects
		}
		e.sortName = name
		if e.dir {
			e.sortName += "/"
			if sub := dir + e.sortName; !strings.HasPrefix(sub, l.prefix) && !strings.HasPrefix(l.prefix, sub) {
				continue
			}
		}
		list = append(list, e)
	}
	slices.SortFunc(list, func(a, b entry) int { return strings.Compare(a.sortName, b.sortName) })

	for _, e := range list {
		key := dir + e.name
		if !e.dir {
			if strings.HasPrefix(key, l.prefix) {
				if err := l.add(key, e.size); err != nil {
					return err
				}
			}
			continue
		}
		sub := key + "/"
		if l.skip != "" && strings.HasPrefix(sub, l.skip) {
			continue // rolled up into a common prefix already
		}
		if err := s.walk(l, sub, e.real, visiting); err != nil {
			return err
		}
	}
	return nil
}

// lister turns the ordered stream of keys into pages, rolling keys up into
// common prefixes.
type lister struct {
	ctx               context.Context
	prefix, delimiter string
	fn                func([]ctlake.Object, []string) error

	objects  []ctlake.Object
	prefixes []string
	lastCP   string // the last common prefix emitted
	skip     string // folders under this key prefix need not be walked
}

func (l *lister) add(key string, size int64) error {
	if l.delimiter != "" {
		rest := key[len(l.prefix):]
		if i := strings.Index(rest, l.delimiter); i >= 0 {
			cp := l.prefix + rest[:i+len(l.delimiter)]
			if cp == l.lastCP {
				return nil
			}
			l.lastCP, l.skip = cp, cp
			l.prefixes = append(l.prefixes, cp)
			return l.maybeFlush()
		}
	}
	l.objects = append(l.objects, ctlake.Object{Key: key, Size: size, StorageClass: "STANDARD"})
	return l.maybeFlush()
}

func (l *lister) maybeFlush() error {
	if len(l.objects)+len(l.prefixes) < PageSize {
		return nil
	}
	return l.flush()
}

// flush hands the page to fn. Each page gets fresh slices, since fn may keep
// them.
func (l *lister) flush() error {
	if len(l.objects)+len(l.prefixes) == 0 {
		return nil
	}
	if err := l.ctx.Err(); err != nil {
		return err
	}
	objects, prefixes := l.objects, l.prefixes
	l.objects, l.prefixes = nil, nil
	return l.fn(objects, prefixes)
}

func (s *Source) noSuchKey(key string, err error) error {
	return &ctlake.SourceError{Type: ctlake.FailureNoSuchKey, Message: "no file at " + s.Location(key), Err: err}
}

func (s *Source) pathError(key string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
		return s.noSuchKey(key, err)
	case errors.Is(err, fs.ErrPermission):
		return &ctlake.SourceError{Type: ctlake.FailureAccessDenied, Message: "cannot read " + s.Location(key), Err: err}
	}
	return fmt.Errorf("open %s: %w", s.Location(key), err)
}

// validKey reports whether key can name a file under the root: relative,
// with no empty, "." or ".." segment. Other S3 keys ("a//b", "../x") exist
// in S3 but can never be listed here, so Open reports them missing.
func validKey(key string) bool {
	if key == "" || strings.HasPrefix(key, "/") || strings.ContainsRune(key, 0) {
		return false
	}
	for seg := range strings.SplitSeq(key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

// within reports whether path is root or lies under it; both are cleaned
// absolute paths.
func within(root, path string) bool {
	if path == root {
		return true
	}
	if !strings.HasSuffix(root, string(filepath.Separator)) {
		root += string(filepath.Separator)
	}
	return strings.HasPrefix(path, root)
}
