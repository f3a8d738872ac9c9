package console

import (
	"net/http"
	"net/url"

	"github.com/ctlake/ctlake"
)

// contentSecurityPolicy allows the console's own files and nothing else:
// no inline script or style, no framing, no other hosts.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// setSecurityHeaders sets the headers every console answer carries.
func setSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
}

var errForeignOrigin = &refusal{http.StatusForbidden, ctlake.AccessDeniedException,
	"The console answers only its own pages: this request came from another site (Origin or Sec-Fetch-Site)."}

// checkSameOrigin refuses a request a browser sent on behalf of another
// site. Browsers send Sec-Fetch-Site and, on POST, Origin; a client that
// sends neither (curl, a script) is not a browser a site can drive, and
// still needs the session cookie and the CSRF token.
func checkSameOrigin(r *http.Request) error {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return errForeignOrigin
	}
	if origin := r.Header.Get("Origin"); origin != "" {
		u, err := url.Parse(origin)
		if err != nil || u.Host != r.Host || (u.Scheme != "http" && u.Scheme != "https") {
			return errForeignOrigin
		}
	}
	return nil
}
