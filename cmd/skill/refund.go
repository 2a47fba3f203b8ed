package main

import (
	"context"
	"fmt"
	"net/url"

	"github.com/dingdang-voicepay/voicepay/admin"
	"github.com/dingdang-voicepay/voicepay/server"
	"github.com/dingdang-voicepay/voicepay/shop"
)

// runRefund refunds an order: --amount fen (0, the default, refunds all that
// is left) with an optional --reason. The refund policy applies. Through the
// admin API with --server URL, else directly (store and platform client
// built from the configuration, as the server would). A refund the
// platform could not be reached for is queued: the order stays REFUNDING
// and the reconciler retries it. It prints the order after the refund as
// `orders show` does (printOrder), or as JSON with --json.
func runRefund(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "refund")
	serverURL := fs.String("server", "", "base `URL` of a running server's operations listener (default: use the store directly)")
	amount := fs.Int64("amount", 0, "amount to refund in `FEN`; 0 refunds all that is left")
	reason := fs.String("reason", "", "why, a `TEXT` sent to the platform as refundDesc")
	asJSON := fs.Bool("json", false, "print the order as JSON instead of a summary")
	cfg, pos, err := parse(e, fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError("want exactly one TRADENO")
	}
	if *amount < 0 {
		return usageError("--amount must be >= 0")
	}
	tradeNo := pos[0]
	if *serverURL == "" {
		*serverURL = cfg.runningSandboxOps() // the sandbox holds the store: ask its admin API
	}
	var o server.OrderView
	if *serverURL != "" {
		req := server.RefundRequest{Amount: shop.Fen(*amount), Reason: *reason}
		var c *admin.Client
		if c, err = newAdminClient(cfg, *serverURL); err == nil {
			err = c.Post(ctx, "/admin/orders/"+url.PathEscape(tradeNo)+"/refund", req, &o)
		}
	} else {
		var a *app
		if a, err = newApp(ctx, cfg, options{}); err != nil {
			return err
		}
		defer a.Close()
		var order shop.Order
		order, err = a.pay.Refund(shop.WithActor(ctx, cliOperator()), tradeNo, shop.Fen(*amount), *reason)
		if err != nil {
			return fmt.Errorf("%s (%s)", shop.ErrorMessage(err), err)
		}
		o = server.ViewOrder(order)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, o)
	}
	return printOrder(e.stdout, o)
}
