package fakeplatform

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"
)

// Server is a Platform serving its pay interfaces on a free port of
// 127.0.0.1, like an httptest.Server. Close it when done.
type Server struct {
	*Platform
	// URL is the base URL, "http://127.0.0.1:port", without a trailing slash.
	URL string

	srv       *http.Server
	served    chan struct{}
	transport *http.Transport
}

// NewServer starts serving p.Handler on 127.0.0.1.
func NewServer(p *Platform) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{
		Platform: p,
		URL:      "http://" + ln.Addr().String(),
		srv:      &http.Server{Handler: p.Handler(), ReadHeaderTimeout: 10 * time.Second},
		served:   make(chan struct{}),
		transport: &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
			MaxIdleConnsPerHost: 16,
		},
	}
	go func() {
		defer close(s.served)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			panic("fakeplatform: serve: " + err.Error())
		}
	}()
	return s, nil
}

// PayURL is the base of the pay interfaces, ending in "/": a skill's
// pay.Client.BaseURL.
func (s *Server) PayURL() string { return s.URL + PayPath }

// Client returns an HTTP client for the server, like httptest.Server's:
// Close closes its idle connections.
func (s *Server) Client() *http.Client {
	return &http.Client{Transport: s.transport}
}

// Close stops the server, waiting for requests in flight (a Delay cuts
// short when its client goes away).
func (s *Server) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		s.srv.Close()
	}
	<-s.served
	s.transport.CloseIdleConnections()
}
