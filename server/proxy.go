package server

import (
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// clientIP is the address of the client: the peer's own, or, when the peer
// is a trusted proxy (Config.TrustedProxies), the nearest address in
// X-Forwarded-For that is not itself a trusted proxy (reading from the
// right, as each proxy appends the address it saw; what a client wrote
// itself on the left is never believed past an untrusted hop).
func (s *srv) clientIP(c *fiber.Ctx) string {
	peer, ok := netip.AddrFromSlice(c.Context().RemoteIP())
	if !ok {
		return c.IP()
	}
	peer = peer.Unmap()
	if !s.trusted(peer) {
		return peer.String()
	}
	client := peer
	parts := strings.Split(c.Get(fiber.HeaderXForwardedFor), ",")
	for i := len(parts) - 1; i >= 0; i-- {
		ip, err := netip.ParseAddr(strings.TrimSpace(parts[i]))
		if err != nil {
			break
		}
		client = ip.Unmap()
		if !s.trusted(client) {
			break
		}
	}
	return client.String()
}

// scheme is the scheme the client used: https when this server terminated
// TLS, else X-Forwarded-Proto when a trusted proxy sent it, else http.
func (s *srv) scheme(c *fiber.Ctx) string {
	if c.Context().IsTLS() {
		return "https"
	}
	if peer, ok := netip.AddrFromSlice(c.Context().RemoteIP()); ok && s.trusted(peer.Unmap()) {
		if p := strings.ToLower(strings.TrimSpace(strings.Split(c.Get(fiber.HeaderXForwardedProto), ",")[0])); p == "https" || p == "http" {
			return p
		}
	}
	return "http"
}

// trusted reports whether ip is in one of the trusted proxy ranges.
func (s *srv) trusted(ip netip.Addr) bool {
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}
