package lake

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"

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
}

func (p pageTokens) mac(payload string) string {
	m := hmac.New(sha256.New, p.key)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// encode returns the token that resumes the listing scope after the key after.
// Tokens are far longer than the 4-character minimum of the model.
func (p pageTokens) encode(scope, after string) string {
	b, _ := json.Marshal(tokenPayload{Scope: scope, After: after})
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
	if json.Unmarshal(raw, &t) != nil || t.Scope != scope {
		return "", bad
	}
	return t.After, nil
}
