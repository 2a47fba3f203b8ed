package server

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/dingdang-voicepay/voicepay/internal/logctx"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// c.Locals keys of /skill requests.
const (
	localSkillAuth = "server.skill_auth" // *AuthResult
	localEnvelope  = "server.envelope"   // true when the request came in an SCF envelope
)

// errBadEnvelope is an SCF envelope that does not parse.
var errBadEnvelope = errors.New("server: malformed SCF envelope")

// skillRoutes registers POST /skill.
func (s *srv) skillRoutes(app *fiber.App) {
	app.Post("/skill", s.checkFailures, NewAuth(AuthConfig{
		Verifier:     s.skillVerifier,
		Extract:      extractSkill,
		ErrorHandler: s.skillAuthError,
		ContextKey:   localSkillAuth,
	}), s.handleSkill)
}

// extractSkill returns the signed bytes and header of a skill request: the
// raw body and the Authorization header, or, for an SCF envelope, the
// envelope's body string and its own Authorization.
func extractSkill(c *fiber.Ctx) ([]byte, string, error) {
	raw := c.BodyRaw()
	if !tsk.IsEnvelope(raw) {
		return FromRequest(c)
	}
	env, err := tsk.DecodeEnvelope(raw)
	if err != nil {
		return nil, "", errBadEnvelope
	}
	c.Locals(localEnvelope, true)
	return []byte(env.Body), env.Get(fiber.HeaderAuthorization), nil
}

// skillAuthError answers a skill request whose signature did not verify.
func (s *srv) skillAuthError(c *fiber.Ctx, err error) error {
	if err := s.authFailed(c); err != nil {
		return err
	}
	if errors.Is(err, errBadEnvelope) {
		return s.skillError(c, fiber.StatusBadRequest, "malformed envelope")
	}
	reason := AuthReason(err)
	s.cfg.Observer.SignatureFailed(s.metricRoute(c), reason)
	return s.skillError(c, fiber.StatusUnauthorized, reason)
}

// handleSkill decodes a verified skill request, checks it is for this skill
// and not a replay, and answers it with the dialog.
func (s *srv) handleSkill(c *fiber.Ctx) error {
	v := Verified(c, localSkillAuth)
	note(c, "algorithm", v.Auth.Algorithm)
	req, err := tsk.Decode(v.Body)
	if err != nil {
		note(c, "err", err.Error())
		return s.skillError(c, fiber.StatusBadRequest, "invalid request")
	}
	// The platform's own request id is the request's id from here on.
	if id := logctx.CleanID(req.Request.RequestID); id != "" {
		setRequestID(c, id)
	}
	note(c, "type", req.Request.Type)
	if req.Request.Intent != nil {
		note(c, "intent", req.Request.Intent.Name)
	}
	if err := req.CheckIDs(); err != nil {
		note(c, "err", err.Error())
		return s.skillError(c, fiber.StatusBadRequest, "bad id")
	}
	if req.SkillID() != s.cfg.SkillID {
		note(c, "skill_id", req.SkillID())
		return s.skillError(c, fiber.StatusUnauthorized, "wrong skill")
	}
	turn, fresh, err := s.beginTurn(c, v.Auth, req)
	if err != nil {
		note(c, "err", err.Error())
		return s.skillError(c, fiber.StatusServiceUnavailable, "unavailable")
	}
	if !fresh {
		return s.skillError(c, fiber.StatusUnauthorized, "replayed")
	}

	ctx, cancel := context.WithTimeout(turn, s.cfg.DialogTimeout)
	defer cancel()
	resp := s.cfg.Dialog.Handle(ctx, req)
	if resp == nil {
		resp = unavailableDialog{}.Handle(ctx, req)
	}
	body, err := json.Marshal(resp)
	if err != nil {
		note(c, "err", err.Error())
		return s.skillError(c, fiber.StatusInternalServerError, "internal error")
	}
	return s.skillReply(c, fiber.StatusOK, body)
}

// skillError answers a refused skill request with {"error": reason}, in an
// SCF envelope when the request came in one.
func (s *srv) skillError(c *fiber.Ctx, status int, reason string) error {
	note(c, "reason", reason)
	return s.skillReply(c, status, mustJSON(ErrorBody{Error: reason}))
}

// skillReply sends a JSON body, wrapped in an SCF envelope when the request
// came in one.
func (s *srv) skillReply(c *fiber.Ctx, status int, body []byte) error {
	if envelope(c) {
		wrapped, err := tsk.WrapResponse(body, nil)
		if err != nil {
			return err
		}
		body = wrapped
	}
	c.Set(fiber.HeaderContentType, "application/json;charset=UTF-8")
	return c.Status(status).Send(body)
}

// envelope reports whether the request came in an SCF envelope.
func envelope(c *fiber.Ctx) bool {
	b, _ := c.Locals(localEnvelope).(bool)
	return b
}

// mustJSON marshals values that cannot fail to marshal.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("server: " + err.Error())
	}
	return b
}
