package console

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"regexp"
	"strconv"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/awsjson"
)

// sessionState is the answer of GET and POST /console/session. It holds
// the CSRF token but never the secret: the pages keep the token in memory
// only, and a page of another origin cannot read this answer (no CORS).
type sessionState struct {
	SignedIn     bool   `json:"signedIn"`
	AuthRequired bool   `json:"authRequired"`
	AccessKeyID  string `json:"accessKeyId,omitempty"`
	CSRFToken    string `json:"csrfToken,omitempty"`
	Account      string `json:"account"`
	// IdleTimeoutSeconds tells the pages when an unused session ends.
	IdleTimeoutSeconds int64 `json:"idleTimeoutSeconds"`
}

type signInRequest struct {
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
}

// accessKeyPattern is what an access key id looks like. Only such a value
// is logged: a secret pasted into the id field must not reach the log.
var accessKeyPattern = regexp.MustCompile(`^[A-Z0-9]{16,128}$`)

// maxSignInBytes caps a sign-in body: two keys and their names.
const maxSignInBytes = 4 << 10

func (c *Console) state(sess session, signedIn bool) sessionState {
	st := sessionState{
		SignedIn:           signedIn,
		AuthRequired:       c.authRequired(),
		Account:            c.cfg.Account,
		IdleTimeoutSeconds: int64(c.cfg.IdleTimeout.Seconds()),
	}
	if signedIn {
		st.AccessKeyID, st.CSRFToken = sess.accessKeyID, sess.csrfToken
	}
	return st
}

// serveSessionState tells the pages whether this browser is signed in, so
// that a reload keeps the session. Without authentication every browser
// gets a session at once: the pages then run the same way.
func (c *Console) serveSessionState(w http.ResponseWriter, r *http.Request) {
	if err := checkSameOrigin(r); err != nil {
		writeRefusal(w, err)
		return
	}
	noStore(w)
	if sess, ok := c.sessionOf(r); ok {
		writeJSON(w, c.state(sess, true))
		return
	}
	if !c.authRequired() {
		writeJSON(w, c.state(c.startSession(w, r, ""), true))
		return
	}
	writeJSON(w, c.state(session{}, false))
}

// serveSignIn checks a key pair against the key the server accepts and
// starts a session.
func (c *Console) serveSignIn(w http.ResponseWriter, r *http.Request) {
	if err := checkSameOrigin(r); err != nil {
		writeRefusal(w, err)
		return
	}
	noStore(w)
	// A JSON content type cannot be sent cross-site without a CORS
	// preflight, which this server never grants.
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		awsjson.WriteError(w, http.StatusUnsupportedMediaType, ctlake.UnsupportedMediaTypeException,
			"Sign in with a JSON body {\"accessKeyId\": …, \"secretAccessKey\": …} and Content-Type: application/json.")
		return
	}
	var in signInRequest
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxSignInBytes))
	if err == nil {
		err = json.Unmarshal(body, &in)
	}
	if err != nil {
		awsjson.WriteError(w, http.StatusBadRequest, ctlake.SerializationException,
			"The sign-in body must be a JSON object {\"accessKeyId\": …, \"secretAccessKey\": …} of at most 4 KiB.")
		return
	}
	if !c.authRequired() {
		writeJSON(w, c.state(c.startSession(w, r, ""), true))
		return
	}
	if in.AccessKeyID == "" || in.SecretAccessKey == "" {
		awsjson.WriteError(w, http.StatusBadRequest, ctlake.ValidationException, "Enter both the access key id and the secret access key.")
		return
	}
	client := clientAddress(r)
	if wait := c.backoff.wait(client); wait > 0 {
		secs := int(math.Ceil(wait.Seconds()))
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		awsjson.WriteError(w, http.StatusTooManyRequests, ctlake.ThrottlingException, fmt.Sprintf(
			"Too many failed sign-ins from this address: try again in %d s. Each further failure doubles the wait, up to %d s.", secs, int(maxBackoff.Seconds())))
		return
	}
	if !c.acceptsKey(in.AccessKeyID, in.SecretAccessKey) {
		c.backoff.failed(client)
		logged := "(not shaped like an access key id)"
		if accessKeyPattern.MatchString(in.AccessKeyID) {
			logged = in.AccessKeyID
		}
		c.cfg.Logger.Info("console sign-in refused", "access_key_id", logged, "remote", r.RemoteAddr)
		awsjson.WriteError(w, http.StatusUnauthorized, ctlake.UnrecognizedClientException,
			"This access key id and secret access key are not the pair the server accepts. Use the pair in the server's environment (CTLAKE_ACCESS_KEY_ID, CTLAKE_SECRET_ACCESS_KEY) or in <data>/credentials.env.")
		return
	}
	c.backoff.succeeded(client)
	sess := c.startSession(w, r, in.AccessKeyID)
	c.cfg.Logger.Info("console sign-in", "access_key_id", in.AccessKeyID, "remote", r.RemoteAddr)
	writeJSON(w, c.state(sess, true))
}

// acceptsKey compares the secret in constant time; an unknown key id costs
// the same comparison, against a value no secret equals.
func (c *Console) acceptsKey(accessKeyID, secret string) bool {
	want, known := c.cfg.Verifier.Credentials.LookupSecret(accessKeyID)
	if !known {
		want = "\x00unknown access key id\x00"
	}
	return equalSecret(secret, want) && known
}

// serveSignOut ends the session and clears its cookie. It needs the CSRF
// token, so that another site cannot sign a browser out.
func (c *Console) serveSignOut(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	id, _, err := c.checkCall(r)
	if err != nil {
		writeRefusal(w, err)
		return
	}
	c.sessions.end(id)
	http.SetCookie(w, c.cookie(r, "", -1))
	w.WriteHeader(http.StatusNoContent)
}

// startSession creates a session and sets its cookie.
func (c *Console) startSession(w http.ResponseWriter, r *http.Request, accessKeyID string) session {
	id, sess := c.sessions.create(accessKeyID)
	http.SetCookie(w, c.cookie(r, id, 0))
	return sess
}

// cookie is the session cookie. It has no Max-Age: it ends with the
// browser, and the server ends it after IdleTimeout anyway. It is Secure
// only when the request came over TLS: ctlake itself serves plain HTTP (on
// loopback by default), where a Secure cookie would never be sent back.
func (c *Console) cookie(r *http.Request, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name:     CookieName,
		Value:    value,
		Path:     CookiePath,
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   r.TLS != nil,
		SameSite: http.SameSiteStrictMode,
	}
}

// sessionOf returns the live session of the request's cookie.
func (c *Console) sessionOf(r *http.Request) (session, bool) {
	_, sess, ok := c.sessionWithID(r)
	return sess, ok
}

func (c *Console) sessionWithID(r *http.Request) (string, session, bool) {
	ck, err := r.Cookie(CookieName)
	if err != nil {
		return "", session{}, false
	}
	sess, ok := c.sessions.get(ck.Value)
	return ck.Value, sess, ok
}

// errNoSession and friends are the refusals of console calls.
var (
	errNoSession = &refusal{http.StatusForbidden, ctlake.MissingAuthenticationTokenException,
		"Sign in to the console first: this browser has no session, or it ended after being idle."}
	errBadCSRF = &refusal{http.StatusForbidden, ctlake.InvalidCSRFTokenException,
		"The request lacks the console's CSRF token in " + CSRFHeader + ", or the token is not this session's. Reload the console."}
)

// refusal is a console call refused before it reaches the API.
type refusal struct {
	status        int
	code, message string
}

func (e *refusal) Error() string { return e.code + ": " + e.message }

func writeRefusal(w http.ResponseWriter, err error) {
	var rf *refusal
	if !errors.As(err, &rf) {
		rf = &refusal{http.StatusForbidden, ctlake.AccessDeniedException, err.Error()}
	}
	awsjson.WriteError(w, rf.status, rf.code, rf.message)
}

func writeJSON(w http.ResponseWriter, v any) {
	body, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

// noStore keeps answers that carry a session's token out of every cache.
func noStore(w http.ResponseWriter) { w.Header().Set("Cache-Control", "no-store") }
