package oauth_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/oauth"
)

// gate blocks the first PutGrant of a "rotated:" record once armed, until
// released.
type gate struct {
	oauth.Grants
	mu      sync.Mutex
	armed   bool
	blocked chan struct{}
	release chan struct{}
}

func (g *gate) PutGrant(ctx context.Context, key string, gr shop.Grant) error {
	g.mu.Lock()
	hold := g.armed && strings.HasPrefix(key, "rotated:")
	if hold {
		g.armed = false
	}
	g.mu.Unlock()
	if hold {
		close(g.blocked)
		<-g.release
	}
	return g.Grants.PutGrant(ctx, key, gr)
}

// Two concurrent refreshes of one token: the loser's record, written after
// the winner's, names the loser's successor. The loser keeps that
// successor (it deleted it before the fix), so the platform's retry of the
// winner's lost answer still finds a live token within grace.
func TestConcurrentLoserOverwritesRecord(t *testing.T) {
	g := &gate{blocked: make(chan struct{}), release: make(chan struct{})}
	e := newEnvGrants(t, nil, func(gr oauth.Grants) oauth.Grants { g.Grants = gr; return g })
	first := e.link(t)
	g.mu.Lock()
	g.armed = true
	g.mu.Unlock()
	var loser tokenReply
	var lerr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		loser, lerr = e.tokenCall(http.MethodPost, true, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first}})
	}()
	<-g.blocked
	if r := e.refresh(t, first); r.status != 200 { // the winner; its answer is lost
		close(g.release)
		t.Fatalf("winner: %d %v", r.status, r.body)
	}
	close(g.release)
	<-done
	if lerr != nil || loser.str("error") != "invalid_grant" {
		t.Fatalf("loser: %v %d %v", lerr, loser.status, loser.body)
	}
	if r := e.refresh(t, first); r.status != 200 {
		t.Errorf("the retry of the winner's lost answer, within grace: %d %v, want 200", r.status, r.body)
	}
}
