package server

import (
	"net"
	"strings"
)

// hostPolicy decides which Host headers the server answers: the names it
// is served as. A browser page of attacker.example whose name an attacker
// points at 127.0.0.1 (DNS rebinding) reaches the server with Host:
// attacker.example; refusing that name keeps such a page away from the
// API and the console, which is what lets --no-auth and the console's
// same-origin check (Origin against Host) be safe on loopback.
type hostPolicy struct {
	names    map[string]bool // lower case, no port, no trailing dot
	loopback bool            // any loopback IP (127.0.0.0/8, ::1)
	anyIP    bool            // any IP literal: the server listens on every interface
}

// newHostPolicy allows the host of the listen address, localhost, the
// loopback IPs when the listener is on loopback, every IP literal when it
// listens on all interfaces, and the names in allowed. An IP literal
// cannot be rebound: a page's origin is then that IP, not a name.
func newHostPolicy(addrHost string, bound net.IP, allowed []string) hostPolicy {
	p := hostPolicy{names: map[string]bool{"localhost": true}}
	for _, n := range append([]string{addrHost}, allowed...) {
		if n = normalHost(n); n != "" {
			p.names[n] = true
		}
	}
	switch {
	case bound == nil:
	case bound.IsUnspecified():
		p.anyIP, p.loopback = true, true
	case bound.IsLoopback():
		p.loopback = true
	default:
		p.names[bound.String()] = true
	}
	return p
}

// allows reports whether the Host header value host (with or without a
// port) names this server.
func (p hostPolicy) allows(host string) bool {
	h := normalHost(host)
	if h == "" {
		return false
	}
	if p.names[h] {
		return true
	}
	if ip := net.ParseIP(h); ip != nil {
		return p.anyIP || (p.loopback && ip.IsLoopback())
	}
	return false
}

// normalHost strips the port, the brackets of an IPv6 literal and a
// trailing dot, and lower-cases what is left.
func normalHost(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	return strings.ToLower(strings.TrimSuffix(host, "."))
}
