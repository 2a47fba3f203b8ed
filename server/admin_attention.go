package server

import (
	"github.com/gofiber/fiber/v2"

	"github.com/dingdang-voicepay/voicepay/skill/pay"
)

// AttentionList is the reply of GET /admin/attention: the orders and
// refunds the reconciler cannot settle by itself, oldest first.
type AttentionList struct {
	Items []pay.Attention `json:"items"`
}

// adminAttention serves GET /admin/attention. The list is computed from
// the order store on each call, so every node answers the same.
func (s *srv) adminAttention(c *fiber.Ctx) error {
	if s.cfg.Watchlist == nil {
		return writeReason(c, fiber.StatusServiceUnavailable, "no reconciler configured")
	}
	items, err := s.cfg.Watchlist.Attention(c.UserContext())
	if err != nil {
		return writeError(c, err)
	}
	if items == nil {
		items = []pay.Attention{}
	}
	note(c, "items", len(items))
	return c.JSON(AttentionList{Items: items})
}
