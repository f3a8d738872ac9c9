package console

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/sigv4"
)

const (
	testKeyID  = "AKIACONSOLETEST00001"
	testSecret = "console-test-secret-0123456789abcdefghij"
)

// callerEcho stands where the CloudTrail API handler goes: it answers with
// the caller the console put in the context, which is all the console
// decides. The e2e tests run the real API behind the real console.
var callerEcho = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	c, ok := ctlake.CallerFromContext(r.Context())
	if !ok {
		http.Error(w, "no caller", http.StatusInternalServerError)
		return
	}
	body, _ := io.ReadAll(r.Body)
	json.NewEncoder(w).Encode(map[string]string{"account": c.Account, "region": c.Region, "key": c.AccessKeyID,
		"target": r.Header.Get("X-Amz-Target"), "body": string(body)})
})

// clock is a settable time for session expiry.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func startConsole(t *testing.T, auth bool) (*httptest.Server, *clock, *strings.Builder) {
	t.Helper()
	clk := &clock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	logs := &strings.Builder{}
	cfg := Config{API: callerEcho, Account: "123456789012", Now: clk.Now, Logger: newTestLogger(logs)}
	if auth {
		cfg.Verifier = &sigv4.Verifier{Service: "cloudtrail", Credentials: sigv4.StaticCredentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}}
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	return srv, clk, logs
}

type answer struct {
	status int
	header http.Header
	body   string
}

func do(t *testing.T, method, url string, header map[string]string, body string) answer {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, string(b)}
}

// signIn signs in and returns the session cookie ("name=value") and the
// CSRF token.
func signIn(t *testing.T, srv *httptest.Server) (cookie, csrf string) {
	t.Helper()
	a := do(t, "POST", srv.URL+SessionPath, map[string]string{"Content-Type": "application/json"},
		`{"accessKeyId":"`+testKeyID+`","secretAccessKey":"`+testSecret+`"}`)
	if a.status != http.StatusOK {
		t.Fatalf("sign-in: %d %s", a.status, a.body)
	}
	var st sessionState
	if err := json.Unmarshal([]byte(a.body), &st); err != nil || !st.SignedIn || st.CSRFToken == "" || st.AccessKeyID != testKeyID {
		t.Fatalf("sign-in answered %s (%v)", a.body, err)
	}
	if strings.Contains(a.body, testSecret) {
		t.Errorf("the sign-in answer holds the secret: %s", a.body)
	}
	resp := &http.Response{Header: a.header}
	for _, c := range resp.Cookies() {
		if c.Name == CookieName {
			return c.Name + "=" + c.Value, st.CSRFToken
		}
	}
	t.Fatalf("sign-in set no %s cookie: %v", CookieName, a.header)
	return "", ""
}

func apiHeaders(cookie, csrf string) map[string]string {
	return map[string]string{"Cookie": cookie, CSRFHeader: csrf, "X-Amz-Target": "CloudTrail_20131101.ListEventDataStores",
		"Content-Type": "application/x-amz-json-1.1"}
}

func wantRefused(t *testing.T, what string, a answer, status int, code string) {
	t.Helper()
	if a.status != status || !strings.Contains(a.body, `"`+code+`"`) {
		t.Errorf("%s: got %d %s, want %d %s", what, a.status, a.body, status, code)
	}
}

func TestSignIn(t *testing.T) {
	srv, _, logs := startConsole(t, true)
	json := map[string]string{"Content-Type": "application/json"}
	wantRefused(t, "wrong secret", do(t, "POST", srv.URL+SessionPath, json,
		`{"accessKeyId":"`+testKeyID+`","secretAccessKey":"not-the-secret"}`), 401, "UnrecognizedClientException")
	wantRefused(t, "unknown key", do(t, "POST", srv.URL+SessionPath, json,
		`{"accessKeyId":"AKIAUNKNOWN000000000","secretAccessKey":"`+testSecret+`"}`), 401, "UnrecognizedClientException")
	wantRefused(t, "empty secret", do(t, "POST", srv.URL+SessionPath, json,
		`{"accessKeyId":"`+testKeyID+`","secretAccessKey":""}`), 400, "ValidationException")
	wantRefused(t, "form body", do(t, "POST", srv.URL+SessionPath, map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
		"accessKeyId="+testKeyID), 415, "UnsupportedMediaTypeException")
	wantRefused(t, "sign-in from another site", do(t, "POST", srv.URL+SessionPath,
		map[string]string{"Content-Type": "application/json", "Origin": "https://evil.example"},
		`{"accessKeyId":"`+testKeyID+`","secretAccessKey":"`+testSecret+`"}`), 403, "AccessDeniedException")
	// A secret typed into the key id field is not logged.
	do(t, "POST", srv.URL+SessionPath, json, `{"accessKeyId":"`+testSecret+`","secretAccessKey":"x"}`)

	a := do(t, "POST", srv.URL+SessionPath, json, `{"accessKeyId":"`+testKeyID+`","secretAccessKey":"`+testSecret+`"}`)
	setCookie := a.header.Get("Set-Cookie")
	for _, want := range []string{CookieName + "=", "Path=/console", "HttpOnly", "SameSite=Strict"} {
		if !strings.Contains(setCookie, want) {
			t.Errorf("Set-Cookie %q lacks %s", setCookie, want)
		}
	}
	if strings.Contains(setCookie, "Secure") {
		t.Errorf("Set-Cookie %q is Secure on plain HTTP: the browser would never send it back", setCookie)
	}
	if a.header.Get("Cache-Control") != "no-store" {
		t.Errorf("the sign-in answer may be cached: Cache-Control %q", a.header.Get("Cache-Control"))
	}
	if strings.Contains(logs.String(), testSecret) {
		t.Errorf("the log holds the secret:\n%s", logs)
	}
	if !strings.Contains(logs.String(), "console sign-in refused") {
		t.Errorf("refused sign-ins are not logged:\n%s", logs)
	}
}

func TestAPIChecks(t *testing.T) {
	srv, _, _ := startConsole(t, true)
	cookie, csrf := signIn(t, srv)
	url := srv.URL + APIPath

	h := apiHeaders("", csrf)
	delete(h, "Cookie")
	wantRefused(t, "no session", do(t, "POST", url, h, "{}"), 403, "MissingAuthenticationTokenException")
	wantRefused(t, "forged session", do(t, "POST", url, apiHeaders(CookieName+"=forged", csrf), "{}"), 403, "MissingAuthenticationTokenException")
	h = apiHeaders(cookie, "")
	delete(h, CSRFHeader)
	wantRefused(t, "no CSRF token", do(t, "POST", url, h, "{}"), 403, "InvalidCSRFTokenException")
	wantRefused(t, "wrong CSRF token", do(t, "POST", url, apiHeaders(cookie, csrf+"x"), "{}"), 403, "InvalidCSRFTokenException")
	h = apiHeaders(cookie, csrf)
	h["Origin"] = "http://evil.example"
	wantRefused(t, "foreign Origin", do(t, "POST", url, h, "{}"), 403, "AccessDeniedException")
	h = apiHeaders(cookie, csrf)
	h["Sec-Fetch-Site"] = "cross-site"
	wantRefused(t, "cross-site fetch", do(t, "POST", url, h, "{}"), 403, "AccessDeniedException")
	h = apiHeaders(cookie, csrf)
	h[RegionHeader] = "Moon-1; drop"
	wantRefused(t, "bad region", do(t, "POST", url, h, "{}"), 400, "ValidationException")
	if a := do(t, "GET", url, apiHeaders(cookie, csrf), ""); a.status != http.StatusMethodNotAllowed {
		t.Errorf("GET %s: %d, want 405", APIPath, a.status)
	}

	h = apiHeaders(cookie, csrf)
	h["Origin"] = srv.URL
	h["Sec-Fetch-Site"] = "same-origin"
	h[RegionHeader] = "eu-west-3"
	a := do(t, "POST", url, h, `{"MaxResults":5}`)
	var got map[string]string
	if a.status != 200 || json.Unmarshal([]byte(a.body), &got) != nil {
		t.Fatalf("a good call: %d %s", a.status, a.body)
	}
	want := map[string]string{"account": "123456789012", "region": "eu-west-3", "key": testKeyID,
		"target": "CloudTrail_20131101.ListEventDataStores", "body": `{"MaxResults":5}`}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("the API saw %s %q, want %q", k, got[k], v)
		}
	}
	delete(h, RegionHeader)
	if a := do(t, "POST", url, h, "{}"); !strings.Contains(a.body, `"region":"us-east-1"`) {
		t.Errorf("without a region header the call is not in us-east-1: %s", a.body)
	}
}

func TestSessionExpiry(t *testing.T) {
	srv, clk, _ := startConsole(t, true)
	cookie, csrf := signIn(t, srv)
	call := func() answer { return do(t, "POST", srv.URL+APIPath, apiHeaders(cookie, csrf), "{}") }
	clk.Add(DefaultIdleTimeout - time.Minute)
	if a := call(); a.status != 200 {
		t.Fatalf("a session used within the idle timeout ended: %d %s", a.status, a.body)
	}
	clk.Add(DefaultIdleTimeout - time.Minute) // idle time counts from the last call
	if a := call(); a.status != 200 {
		t.Fatalf("use did not extend the session: %d %s", a.status, a.body)
	}
	clk.Add(DefaultIdleTimeout)
	wantRefused(t, "idle session", call(), 403, "MissingAuthenticationTokenException")
	a := do(t, "GET", srv.URL+SessionPath, map[string]string{"Cookie": cookie}, "")
	if !strings.Contains(a.body, `"signedIn":false`) || strings.Contains(a.body, csrf) {
		t.Errorf("an ended session still answers as signed in: %s", a.body)
	}
}

func TestSignOut(t *testing.T) {
	srv, _, _ := startConsole(t, true)
	cookie, csrf := signIn(t, srv)
	wantRefused(t, "sign-out without the CSRF token", do(t, "DELETE", srv.URL+SessionPath, map[string]string{"Cookie": cookie}, ""),
		403, "InvalidCSRFTokenException")
	a := do(t, "DELETE", srv.URL+SessionPath, map[string]string{"Cookie": cookie, CSRFHeader: csrf}, "")
	if a.status != http.StatusNoContent || !strings.Contains(a.header.Get("Set-Cookie"), "Max-Age=0") {
		t.Errorf("sign-out: %d, Set-Cookie %q", a.status, a.header.Get("Set-Cookie"))
	}
	wantRefused(t, "after sign-out", do(t, "POST", srv.URL+APIPath, apiHeaders(cookie, csrf), "{}"), 403, "MissingAuthenticationTokenException")
}

func TestSessionCap(t *testing.T) {
	clk := &clock{now: time.Unix(0, 0)}
	s := newSessions(time.Hour, 3, clk.Now)
	var ids []string
	for i := 0; i < 5; i++ {
		id, _ := s.create("AKIA")
		ids = append(ids, id)
		clk.Add(time.Second)
	}
	if s.len() != 3 {
		t.Errorf("%d sessions kept, want at most 3", s.len())
	}
	if _, ok := s.get(ids[0]); ok {
		t.Errorf("the least recently used session was kept")
	}
	if _, ok := s.get(ids[4]); !ok {
		t.Errorf("the newest session was dropped")
	}
}

func TestNoAuth(t *testing.T) {
	srv, _, _ := startConsole(t, false)
	a := do(t, "GET", srv.URL+SessionPath, nil, "")
	var st sessionState
	if err := json.Unmarshal([]byte(a.body), &st); err != nil || !st.SignedIn || st.AuthRequired || st.CSRFToken == "" {
		t.Fatalf("without authentication the console should start a session at once: %s", a.body)
	}
	cookie := strings.SplitN(a.header.Get("Set-Cookie"), ";", 2)[0]
	if a := do(t, "POST", srv.URL+APIPath, apiHeaders(cookie, st.CSRFToken), "{}"); a.status != 200 {
		t.Errorf("a call without authentication: %d %s", a.status, a.body)
	}
	// The CSRF token is still needed: another site must not drive the API
	// through a visitor's browser.
	wantRefused(t, "no-auth call without the token", do(t, "POST", srv.URL+APIPath, apiHeaders(cookie, "nope"), "{}"), 403, "InvalidCSRFTokenException")
}

func TestStaticFiles(t *testing.T) {
	srv, _, _ := startConsole(t, true)
	a := do(t, "GET", srv.URL+"/console/", nil, "")
	if a.status != 200 || !strings.HasPrefix(a.header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /console/: %d %s", a.status, a.header.Get("Content-Type"))
	}
	for k, v := range map[string]string{
		"Content-Security-Policy": contentSecurityPolicy, "X-Content-Type-Options": "nosniff",
		"X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
	} {
		if a.header.Get(k) != v {
			t.Errorf("%s: %q, want %q", k, a.header.Get(k), v)
		}
	}
	for _, want := range []string{"default-src 'self'", "frame-ancestors 'none'", "script-src 'self'"} {
		if !strings.Contains(contentSecurityPolicy, want) {
			t.Errorf("the CSP lacks %s", want)
		}
	}
	if strings.Contains(contentSecurityPolicy, "unsafe") {
		t.Errorf("the CSP allows unsafe sources: %s", contentSecurityPolicy)
	}
	// Every script is a file: the CSP forbids inline ones.
	if strings.Count(a.body, "<script") != strings.Count(a.body, "<script type=\"module\" src=") {
		t.Errorf("index.html has an inline script")
	}

	etag := a.header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	if a := do(t, "GET", srv.URL+"/console/", map[string]string{"If-None-Match": etag}, ""); a.status != http.StatusNotModified {
		t.Errorf("revalidation with the ETag: %d, want 304", a.status)
	}

	req, _ := http.NewRequest("GET", srv.URL+"/console/assets/main.js", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Content-Type") != "text/javascript; charset=utf-8" {
		t.Errorf("main.js: Content-Encoding %q, Content-Type %q", resp.Header.Get("Content-Encoding"), resp.Header.Get("Content-Type"))
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	js, _ := io.ReadAll(zr)
	if !strings.Contains(string(js), "import") {
		t.Errorf("main.js does not decompress to the module")
	}
	if a := do(t, "GET", srv.URL+"/console/assets/nope.js", nil, ""); a.status != 404 {
		t.Errorf("a missing asset: %d", a.status)
	}
	if a := do(t, "GET", srv.URL+"/console/assets/..%2fconsole.go", nil, ""); a.status != 404 {
		t.Errorf("a path outside the assets: %d %s", a.status, a.body)
	}
}

// TestAssetsSmall keeps the console light: no library crept in.
func TestAssetsSmall(t *testing.T) {
	s, err := loadStatic()
	if err != nil {
		t.Fatal(err)
	}
	total, gz := len(s.index.plain), len(s.index.gz)
	for _, a := range s.byName {
		total += len(a.plain)
		gz += len(a.gz)
	}
	t.Logf("console assets: %d bytes, %d gzipped", total, gz)
	if total > 60<<10 {
		t.Errorf("the console's files are %d bytes, over the 60 KiB budget", total)
	}
}
