// Package console serves ctlake's web console at /console/: a few static
// pages (embedded in the binary, no build step) that are a client of
// ctlake's own CloudTrail API.
//
// The browser never holds the secret access key after signing in, and never
// signs requests. It posts the key pair once to POST /console/session; the
// server checks it in constant time against the key it accepts and answers
// with a session cookie (HttpOnly, SameSite=Strict, Path=/console) and a
// per-session CSRF token. The pages then call POST /console/api with the
// operation in X-Amz-Target and the token in X-Ctlake-Csrf; the console
// checks the session, the token and the request's origin, and runs the same
// API handler as POST / with the signed-in caller in the context.
//
// # Sections
//
//   - console.go: the handler, its configuration and routes
//   - session.go: sessions kept in memory with an idle expiry
//   - signin.go: sign-in, sign-out and the session state
//   - api.go: the API calls of the pages
//   - origin.go: the same-origin checks and the security headers
//   - static.go: the embedded pages with ETag and gzip
package console

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/ctlake/ctlake/sigv4"
)

// Paths the console serves; the server mounts the handler at Prefix.
const (
	Prefix      = "/console/"
	SessionPath = "/console/session"
	APIPath     = "/console/api"
	// CookiePath scopes the session cookie: the browser never sends it to
	// the CloudTrail API at POST /.
	CookiePath = "/console"
	CookieName = "ctlake_console"
	// CSRFHeader carries the per-session token on every state-changing call.
	CSRFHeader = "X-Ctlake-Csrf"
	// RegionHeader names the region a console call acts in (the region of
	// a SigV4 call is in its credential scope; the console has none).
	RegionHeader = "X-Ctlake-Region"
)

// Defaults of Config.
const (
	DefaultIdleTimeout = 12 * time.Hour
	DefaultRegion      = "us-east-1"
	// DefaultMaxSessions bounds the memory sessions take: signing in beyond
	// it ends the least recently used session.
	DefaultMaxSessions = 1000
)

// Config configures a Console.
type Config struct {
	// API is the CloudTrail API handler, the one the server mounts at POST /.
	API http.Handler
	// Verifier holds the key the server accepts. Nil means the server runs
	// without authentication (--no-auth): the console then needs no sign-in.
	Verifier *sigv4.Verifier
	// Account is the account id every caller acts as.
	Account string
	// IdleTimeout ends a session unused for this long; DefaultIdleTimeout
	// when zero.
	IdleTimeout time.Duration
	// MaxSessions caps the sessions kept; DefaultMaxSessions when zero.
	MaxSessions int
	Logger      *slog.Logger
	// Now is the clock of session expiry; time.Now when nil.
	Now func() time.Time
}

// Console is the http.Handler of /console/.
type Console struct {
	cfg      Config
	sessions *sessions
	backoff  *signInBackoff
	static   *staticFiles
	mux      *http.ServeMux
}

// New returns the console handler for cfg.
func New(cfg Config) (*Console, error) {
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = DefaultMaxSessions
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	static, err := loadStatic()
	if err != nil {
		return nil, err
	}
	c := &Console{
		cfg:      cfg,
		sessions: newSessions(cfg.IdleTimeout, cfg.MaxSessions, cfg.Now),
		backoff:  newSignInBackoff(cfg.Now, maxBackoffClients),
		static:   static,
		mux:      http.NewServeMux(),
	}
	c.mux.HandleFunc("GET /console/{$}", c.static.serveIndex)
	c.mux.HandleFunc("GET /console/assets/{file}", c.static.serveAsset)
	c.mux.HandleFunc("GET "+SessionPath, c.serveSessionState)
	c.mux.HandleFunc("POST "+SessionPath, c.serveSignIn)
	c.mux.HandleFunc("DELETE "+SessionPath, c.serveSignOut)
	c.mux.HandleFunc("POST "+APIPath, c.serveAPI)
	return c, nil
}

// authRequired reports whether callers must sign in.
func (c *Console) authRequired() bool { return c.cfg.Verifier != nil }

// ServeHTTP implements http.Handler.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setSecurityHeaders(w.Header())
	c.mux.ServeHTTP(w, r)
}
