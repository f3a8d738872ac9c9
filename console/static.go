package console

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
)

// assets are the console's pages: plain HTML, CSS and ES modules written by
// hand, so there is nothing to build and no third-party code.
//
//go:embed assets
var assets embed.FS

// asset is one file, kept with its gzip form and its ETag.
type asset struct {
	contentType string
	plain, gz   []byte
	etag        string
}

type staticFiles struct {
	index  *asset
	byName map[string]*asset
}

// loadStatic reads and compresses every asset once, at start.
func loadStatic() (*staticFiles, error) {
	s := &staticFiles{byName: map[string]*asset{}}
	err := fs.WalkDir(assets, "assets", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := assets.ReadFile(name)
		if err != nil {
			return err
		}
		a, err := newAsset(name, body)
		if err != nil {
			return err
		}
		if name == "assets/index.html" {
			s.index = a
		} else {
			s.byName[path.Base(name)] = a
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load the console's files: %w", err)
	}
	if s.index == nil {
		return nil, fmt.Errorf("load the console's files: assets/index.html is missing")
	}
	return s, nil
}

func newAsset(name string, body []byte) (*asset, error) {
	ct := mime.TypeByExtension(path.Ext(name))
	if path.Ext(name) == ".js" {
		ct = "text/javascript; charset=utf-8" // modules must be JavaScript, whatever the host's mime table says
	}
	if ct == "" {
		return nil, fmt.Errorf("%s: no content type for its extension", name)
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(body)
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("gzip %s: %w", name, err)
	}
	sum := sha256.Sum256(body)
	return &asset{contentType: ct, plain: body, gz: buf.Bytes(), etag: `"` + hex.EncodeToString(sum[:12]) + `"`}, nil
}

func (s *staticFiles) serveIndex(w http.ResponseWriter, r *http.Request) { s.index.serve(w, r) }

func (s *staticFiles) serveAsset(w http.ResponseWriter, r *http.Request) {
	a, ok := s.byName[r.PathValue("file")]
	if !ok {
		http.Error(w, "The console has no file "+r.URL.Path+".", http.StatusNotFound)
		return
	}
	a.serve(w, r)
}

// serve answers with the file, gzipped when the browser takes it. Browsers
// revalidate on each load (no-cache) and get 304 while the ETag holds, so a
// new binary's pages show at once.
func (a *asset) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", a.etag)
	h.Set("Vary", "Accept-Encoding")
	if etagMatches(r.Header.Get("If-None-Match"), a.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := a.plain
	if acceptsGzip(r.Header.Get("Accept-Encoding")) {
		body = a.gz
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

func etagMatches(ifNoneMatch, etag string) bool {
	for _, t := range strings.Split(ifNoneMatch, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}

func acceptsGzip(acceptEncoding string) bool {
	for _, e := range strings.Split(acceptEncoding, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(e), ";")
		if strings.TrimSpace(name) == "gzip" && strings.ReplaceAll(strings.TrimSpace(params), " ", "") != "q=0" {
			return true
		}
	}
	return false
}
