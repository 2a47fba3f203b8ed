package replay

import (
	"context"
	"errors"
	"fmt"
)

// Linker is a Target whose platform links accounts (the platform's part of
// account linking against the skill's authorization server), for the
// header "account:" and the platform step "link". HTTPTarget is one when
// it drives a sandbox.
type Linker interface {
	// Link links the platform user to the account and returns the access
	// token the platform then sends in the user's skill requests.
	Link(ctx context.Context, user, account string) (accessToken string, err error)
}

// link links the run's user to the account (made unique to the run, as
// the user is, and normalised back to its name); the user's later requests
// carry the access token.
func (r *run) link(ctx context.Context, account string) (Want, error) {
	l, ok := r.target.(Linker)
	if !ok {
		return Want{}, errors.New("link: this target cannot link accounts (run in-process, or against `skill sandbox`)")
	}
	unique := "replay." + r.nonce + "." + account
	r.norm.Learn(unique, account)
	tok, err := l.Link(ctx, r.user, unique)
	if err != nil {
		return Want{}, fmt.Errorf("link: %w", err)
	}
	r.token = tok
	return Want{Reply: "LINKED " + account}, nil
}

// newUserID gives the user a new platform userId, as the platform does
// when the skill is added again; a linked account stays linked (the
// platform keeps sending its token).
func (r *run) newUserID() (Want, error) {
	if r.users == 0 {
		r.first = r.user
	}
	r.users++
	r.user = fmt.Sprintf("%s~%d", r.first, r.users+1)
	r.norm.Learn(r.user, fmt.Sprintf("%s~%d", r.f.User, r.users+1))
	return Want{Reply: "NEW USER ID"}, nil
}
