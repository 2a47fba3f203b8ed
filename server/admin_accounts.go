package server

import (
	"net/url"

	"github.com/gofiber/fiber/v2"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// Linked accounts in the admin API: wherever a user id is accepted, an
// account id is too. An account owns purchases as the owner string
// shop.AccountOwner(id) ("account:<id>"), which ?user= also accepts.

// ownerQuery is the owner an admin list is filtered on: ?user=ID (a
// platform user id, or an owner string) or ?account=ID (a linked
// account); both at once is EINVALID.
func ownerQuery(c *fiber.Ctx) (string, error) {
	user, account := c.Query("user"), c.Query("account")
	switch {
	case user != "" && account != "":
		return "", shop.Errorf(shop.EINVALID, "give user or account, not both")
	case account != "":
		if err := shop.CheckAccount(account); err != nil {
			return "", err
		}
		return shop.AccountOwner(account), nil
	}
	return user, nil
}

// adminAccountEntitlements serves GET /admin/accounts/:account/entitlements:
// what a linked account owns.
func (s *srv) adminAccountEntitlements(c *fiber.Ctx) error {
	if s.cfg.Accounts == nil {
		return writeReason(c, fiber.StatusServiceUnavailable, "entitlements not configured")
	}
	account, err := url.PathUnescape(c.Params("account"))
	if err == nil {
		err = shop.CheckAccount(account)
	}
	if err != nil {
		return writeError(c, shop.Errorf(shop.EINVALID, "bad account id"))
	}
	owner := shop.AccountOwner(account)
	ents, err := s.cfg.Accounts.Entitlements(c.UserContext(), owner)
	if err != nil {
		return writeError(c, err)
	}
	if ents == nil {
		ents = []shop.Entitlement{}
	}
	return c.JSON(EntitlementList{UserID: owner, Account: account, Entitlements: ents})
}
