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
//
// Every file and folder is opened through an os.Root on the boundary
// folder, so no path (a symbolic link, "..", a link swapped in while the
// import runs) can reach outside it: os.Root resolves each step with
// openat and refuses one that leaves the root.
type Source struct {
	root         string // the folder as given, cleaned: what keys are relative to and Location shows
	boundary     string // the folder nothing may be read outside of: root or a folder under it
	realBoundary string // boundary with its links resolved
	bound        string // boundary as a key prefix relative to root: "" or ending in "/"
}

// MaxDepth is how many folders deep below the boundary a listing goes. A
// trail tree is about ten deep; a deeper one is a loop that device and
// inode numbers did not catch (some file systems repeat them) or not a
// trail: the listing fails with a message instead of running on.
const MaxDepth = 64

// NewSource returns a Source over the folder root, which must be an absolute
// path to an existing folder.
func NewSource(root string) (*Source, error) {
	return NewSourceWithin(root, root)
}

// NewSourceWithin returns a Source whose keys are relative to root but
// that reads nothing outside boundary, root itself or a folder under it:
// keys outside it are never listed, and opening one fails with
// AccessDenied, as does a symbolic link that leads out of it.
func NewSourceWithin(root, boundary string) (*Source, error) {
	if !filepath.IsAbs(root) || !filepath.IsAbs(boundary) {
		return nil, fmt.Errorf("file source: %q is not an absolute path", root)
	}
	root, boundary = filepath.Clean(root), filepath.Clean(boundary)
	if !within(root, boundary) {
		return nil, fmt.Errorf("file source: %s is not under %s", boundary, root)
	}
	real, err := filepath.EvalSymlinks(boundary)
	if err != nil {
		return nil, fmt.Errorf("file source: %w", err)
	}
	fi, err := os.Stat(real)
	if err != nil {
		return nil, fmt.Errorf("file source: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("file source: %s is not a folder", boundary)
	}
	bound := ""
	if boundary != root {
		rel, err := filepath.Rel(root, boundary)
		if err != nil {
			return nil, fmt.Errorf("file source: %w", err)
		}
		bound = filepath.ToSlash(rel) + "/"
	}
	return &Source{root: root, boundary: boundary, realBoundary: real, bound: bound}, nil
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

// open opens the boundary folder as an os.Root, for one call: a Source
// keeps no descriptor open, since nothing closes it.
func (s *Source) open() (*os.Root, error) {
	r, err := os.OpenRoot(s.boundary)
	if err != nil {
		return nil, fmt.Errorf("open the import folder %s: %w", s.boundary, err)
	}
	return r, nil
}

// Open returns the content of the file at key. It returns a *ctlake.SourceError
// of type NoSuchKey if no regular file has this key, and AccessDenied if the
// file cannot be read for lack of permission, lies outside the boundary, or
// behind a symbolic link that leads out of it (or loops).
func (s *Source) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !validKey(key) {
		return nil, s.noSuchKey(key, nil)
	}
	rel, ok := strings.CutPrefix(key, s.bound)
	if !ok {
		return nil, s.outside(key)
	}
	r, err := s.open()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	f, err := s.openIn(r, filepath.FromSlash(rel))
	if err != nil {
		return nil, s.pathError(key, err)
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, s.noSuchKey(key, err)
	}
	return f, nil
}

// List walks the folder in the order of the full keys. A folder that cannot
// be read fails the listing with a *ctlake.SourceError of type AccessDenied;
// fn's error stops it and is returned. A symbolic link that leads out of
// the boundary (or loops) is listed as an object, which Open refuses with
// the reason: an import reports it as a failure instead of passing over it.
func (s *Source) List(ctx context.Context, prefix, delimiter string, fn func(objects []ctlake.Object, prefixes []string) error) error {
	l := &lister{ctx: ctx, prefix: prefix, delimiter: delimiter, fn: fn}
	// Start in the deepest folder that the prefix names completely and
	// that lies inside the boundary: every matching key lies under it.
	start := prefix[:strings.LastIndex(prefix, "/")+1]
	switch {
	case strings.HasPrefix(start, s.bound):
	case strings.HasPrefix(s.bound, prefix):
		start = s.bound // the prefix reaches above the boundary: only what is inside it
	default:
		return nil // no key of the prefix is inside the boundary
	}
	if start != "" && !validKey(strings.TrimSuffix(start, "/")) {
		return nil // a key with an empty, "." or ".." segment cannot name a file
	}
	r, err := s.open()
	if err != nil {
		return err
	}
	defer r.Close()
	if err := s.walk(r, l, start, nil); err != nil {
		return err
	}
	return l.flush()
}

// openIn opens rel under the boundary. os.Root refuses every absolute
// symbolic link, even one that points inside the boundary; such a path is
// resolved, and if its real path is inside the boundary, that link-free
// path is opened through the root again, so a link swapped in meanwhile
// still cannot lead out.
func (s *Source) openIn(r *os.Root, rel string) (*os.File, error) {
	f, err := r.Open(rel)
	if err != nil && leavesRoot(err) {
		inside, rerr := s.resolve(rel)
		if rerr != nil {
			return nil, rerr
		}
		return r.Open(inside)
	}
	return f, err
}

// statIn is os.Root.Stat with openIn's treatment of absolute links.
func (s *Source) statIn(r *os.Root, rel string) (fs.FileInfo, error) {
	fi, err := r.Stat(rel)
	if err != nil && leavesRoot(err) {
		inside, rerr := s.resolve(rel)
		if rerr != nil {
			return nil, rerr
		}
		return r.Stat(inside)
	}
	return fi, err
}

// errLeaves is resolve's answer for a path whose real path is outside the
// boundary.
var errLeaves = &fs.PathError{Op: "resolve", Err: errors.New("path escapes from the import folder")}

// resolve returns rel's real path relative to the boundary, if it is
// inside it; else the error of a dangling link, or errLeaves.
func (s *Source) resolve(rel string) (string, error) {
	real, err := filepath.EvalSymlinks(filepath.Join(s.boundary, rel))
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return "", err
	}
	if err != nil {
		return "", errLeaves
	}
	inside, err := filepath.Rel(s.realBoundary, real)
	if err != nil || inside == ".." || strings.HasPrefix(inside, ".."+string(filepath.Separator)) {
		return "", errLeaves
	}
	return inside, nil
}

// folderID tells folders apart whatever path reached them.
type folderID struct{ dev, ino uint64 }

func idOf(fi fs.FileInfo) (folderID, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return folderID{}, false
	}
	return folderID{dev: uint64(st.Dev), ino: uint64(st.Ino)}, true
}

// walk lists the folder whose key prefix is dir ("" or ending in "/");
// visiting holds the folders being walked, by device and inode, to stop
// loops (symbolic links to an enclosing folder, /proc/self/root-style
// trees).
func (s *Source) walk(r *os.Root, l *lister, dir string, visiting []folderID) error {
	if err := l.ctx.Err(); err != nil {
		return err
	}
	rel := filepath.FromSlash(strings.TrimSuffix(strings.TrimPrefix(dir, s.bound), "/"))
	if rel == "" {
		rel = "."
	}
	if depth := strings.Count(rel, string(filepath.Separator)); depth >= MaxDepth {
		return &ctlake.SourceError{Type: ctlake.FailureAccessDenied,
			Message: fmt.Sprintf("cannot list %s: it is more than %d folders deep below the import folder %s, so it is not a trail tree (or it loops)", s.Location(dir), MaxDepth, s.boundary)}
	}
	f, err := s.openIn(r, rel)
	if err != nil {
		return s.listError(dir, err)
	}
	fi, err := f.Stat()
	if err != nil || !fi.IsDir() {
		f.Close()
		return nil
	}
	if id, ok := idOf(fi); ok {
		if slices.Contains(visiting, id) {
			f.Close()
			return nil // a loop: this folder is being walked already
		}
		visiting = append(visiting, id)
	}
	entries, err := f.ReadDir(-1)
	f.Close()
	if err != nil {
		return s.listError(dir, err)
	}

	type entry struct {
		name, sortName string // sortName ends in "/" for folders, so that siblings sort as their keys do
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
		e := entry{name: name}
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
			relName := filepath.Join(rel, name)
			fi, err := s.statIn(r, relName) // follows the link, inside the root only
			switch {
			case err == nil && fi.IsDir():
				e.dir = true
			case err == nil && fi.Mode().IsRegular():
				e.size = fi.Size()
			case err == nil, errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
				continue // dangling, or a device or pipe: no object
			default:
				// Out of the root, or a loop of links: listed, so that
				// Open refuses it with the reason.
				lfi, lerr := r.Lstat(relName)
				if lerr != nil {
					continue
				}
				e.size = lfi.Size()
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
		if err := s.walk(r, l, sub, visiting); err != nil {
			return err
		}
	}
	return nil
}

func (s *Source) listError(dir string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
		return nil
	case errors.Is(err, fs.ErrPermission):
		return &ctlake.SourceError{Type: ctlake.FailureAccessDenied, Message: "cannot list " + s.Location(dir), Err: err}
	case leavesRoot(err):
		return nil // a folder reached through a link out of the boundary: no keys
	}
	return fmt.Errorf("list %s: %w", s.Location(dir), err)
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

func (s *Source) outside(key string) error {
	return &ctlake.SourceError{Type: ctlake.FailureAccessDenied,
		Message: fmt.Sprintf("%s is outside the import folder %s; ctlake reads nothing outside it", s.Location(key), s.boundary)}
}

func (s *Source) pathError(key string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
		return s.noSuchKey(key, err)
	case errors.Is(err, fs.ErrPermission):
		return &ctlake.SourceError{Type: ctlake.FailureAccessDenied, Message: "cannot read " + s.Location(key), Err: err}
	case leavesRoot(err):
		// The message describes the path, never what lies behind it.
		return &ctlake.SourceError{Type: ctlake.FailureAccessDenied,
			Message: fmt.Sprintf("%s is behind a symbolic link that leads outside the import folder %s (or loops); ctlake does not follow it", s.Location(key), s.boundary)}
	}
	return fmt.Errorf("open %s: %w", s.Location(key), err)
}

// leavesRoot reports whether os.Root refused a path because it escapes the
// root (a link out of it, or "..") or because its links loop.
func leavesRoot(err error) bool {
	var pe *fs.PathError
	if errors.Is(err, syscall.ELOOP) || errors.Is(err, syscall.EXDEV) {
		return true
	}
	// os.Root's escape error is not exported; it is a PathError whose
	// message says so.
	return errors.As(err, &pe) && strings.Contains(pe.Err.Error(), "escapes")
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
