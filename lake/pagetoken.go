package lake

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/ctlake/ctlake"
)

// pageTokens mints and checks NextToken values. A token is opaque to
// clients: a base64url payload (the listing it continues and where) and an
// HMAC of it under a key kept in the catalog. A forged or altered token, or a
// token of one listing handed to another, fails the MAC check and is refused
// with InvalidNextTokenException instead of silently listing something else.
type pageTokens struct{ key []byte }

type tokenPayload struct {
	Scope string `json:"s"` // operation, account, region and filters the token belongs to
	After string `json:"a"` // resume after this key
	// ScopeBytes and AfterBytes hold the scope and the key instead when
	// they are not valid UTF-8 (a file:// source's file name can be
	// anything): JSON would replace their bad bytes, and the listing would
	// resume elsewhere, or the token would not match its own scope.
	ScopeBytes []byte `json:"sb,omitempty"`
	AfterBytes []byte `json:"b,omitempty"`
}

func (p pageTokens) mac(payload string) string {
	m := hmac.New(sha256.New, p.key)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// encode returns the token that resumes the listing scope after the key after.
// Tokens are far longer than the 4-character minimum of the model.
func (p pageTokens) encode(scope, after string) string {
	t := tokenPayload{Scope: scope, After: after}
	if !utf8.ValidString(scope) {
		t.Scope, t.ScopeBytes = "", []byte(scope)
	}
	if !utf8.ValidString(after) {
		t.After, t.AfterBytes = "", []byte(after)
	}
	b, _ := json.Marshal(t)
	payload := base64.RawURLEncoding.EncodeToString(b)
	return payload + "." + p.mac(payload)
}

// decode returns the key a token resumes after, or
// InvalidNextTokenException (with code, for operations that name it
// otherwise) if the token is not one this server made for scope.
func (p pageTokens) decode(token, scope, code string) (string, error) {
	bad := ctlake.Errorf(code, "The NextToken is not valid: it was not issued by this server for this request. Start the listing again without NextToken.")
	payload, mac, ok := strings.Cut(token, ".")
	if !ok || !hmac.Equal([]byte(mac), []byte(p.mac(payload))) {
		return "", bad
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return "", bad
	}
	var t tokenPayload
	if json.Unmarshal(raw, &t) != nil {
		return "", bad
	}
	if t.ScopeBytes != nil {
		t.Scope = string(t.ScopeBytes)
	}
	if t.Scope != scope {
		return "", bad
	}
	if t.AfterBytes != nil {
		return string(t.AfterBytes), nil
	}
	return t.After, nil
}

// pageByID returns the page of items after the item whose id a token names
// (the whole listing is read, then cut: listings of imports and queries
// are small), and the token of the next page.
func pageByID[T any](p pageTokens, scope string, token *string, limit int, id func(T) string, list func() ([]T, error)) ([]T, string, error) {
	after := ""
	if token != nil {
		var err error
		if after, err = p.decode(*token, scope, ctlake.InvalidNextTokenException); err != nil {
			return nil, "", err
		}
	}
	all, err := list()
	if err != nil {
		return nil, "", err
	}
	start := 0
	if after != "" {
		start = len(all)
		for i, item := range all {
			if id(item) == after {
				start = i + 1
				break
			}
		}
	}
	page := all[start:]
	next := ""
	if len(page) > limit {
		page = page[:limit]
		next = p.encode(scope, id(page[limit-1]))
	}
	return page, next, nil
}
