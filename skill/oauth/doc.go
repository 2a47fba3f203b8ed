// Package oauth is account linking (the platform's account_linking, see
// PROTOCOL.md §4): the skill as an OAuth 2.0 authorization server for the
// one client there is, the Dingdang platform, running the
// authorization-code grant (RFC 6749, with PKCE when the client sends a
// challenge). The issued access token comes back in every skill request as
// context.System.user.accessToken, and Linker turns it into the account
// that owns purchases.
//
// The grant runs on go-oauth2/oauth2 (server and manager): its storage
// port is seven small methods, which map onto three of shop.LinkStore's
// (a code or refresh token is kept by its hash and taken atomically), and
// it speaks net/http, so Server.Handler is plain net/http that the HTTP
// adapter mounts. What the library leaves open is set here: exact
// redirect_uri matching (an unregistered one is never redirected to), the
// client authenticated on every grant (HTTP Basic or form), RFC 6749
// error codes and statuses, and the service's clock for every expiry.
//
// Access tokens are JWTs signed by the service (Tokens): sub is the account
// id, aud the skill; they are verified without storage, on any node.
// Refresh tokens rotate: each use retires the old one. A retired one
// presented again revokes its whole family, except as a prompt retry of a
// refresh whose answer was lost, while the token that answer carried is
// unused (tokenStore).
//
// Who the person is comes from a Login: DevLogin (a form to type any
// account name, or login_hint=NAME to sign in at once: development only)
// or OIDC (the developer's own identity provider; the account is its sub).
// The package imports no web framework.
package oauth
