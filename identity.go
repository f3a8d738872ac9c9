package ctlake

import "context"

// Caller is who a request acts for: the account the server serves, the
// region named in the request's SigV4 credential scope, and the access key
// that signed it. Every resource belongs to one account and one region, as on
// AWS, so two regions of one server are two separate namespaces.
type Caller struct {
	Account     string
	Region      string
	AccessKeyID string
}

type callerKey struct{}

// NewContext returns a copy of ctx that carries c.
func NewContext(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFromContext returns the Caller carried by ctx; ok is false when the
// request never went through authentication.
func CallerFromContext(ctx context.Context) (c Caller, ok bool) {
	c, ok = ctx.Value(callerKey{}).(Caller)
	return c, ok
}
