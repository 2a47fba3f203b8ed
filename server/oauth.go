package server

import (
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
)

// oauthRoutes mounts account linking: the authorization server of
// skill/oauth is plain net/http (it runs on go-oauth2, which speaks
// net/http), adapted here so that no other package imports fiber.
func (s *srv) oauthRoutes(app *fiber.App) {
	if s.cfg.OAuth == nil {
		return
	}
	h := adaptor.HTTPHandler(s.cfg.OAuth)
	for _, path := range []string{"/oauth/authorize", "/oauth/token", "/oauth/callback"} {
		app.Get(path, h)
		app.Post(path, h)
	}
}
