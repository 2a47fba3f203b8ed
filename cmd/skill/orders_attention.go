package main

import (
	"cmp"
	"context"
	"io"

	"github.com/dingdang-voicepay/voicepay/admin"
	"github.com/dingdang-voicepay/voicepay/server"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
)

// ordersAttention is `skill orders attention`: what the reconciler cannot
// settle by itself (GET /admin/attention of a running server with
// --server URL, or computed from the store directly).
func ordersAttention(ctx context.Context, e *env, cfg config, serverURL string, asJSON bool) error {
	var list server.AttentionList
	var err error
	if serverURL != "" {
		var c *admin.Client
		if c, err = newAdminClient(cfg, serverURL); err == nil {
			err = c.Get(ctx, "/admin/attention", &list)
		}
	} else {
		list, err = attentionDirect(ctx, cfg)
	}
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(e.stdout, list)
	}
	return printAttention(e.stdout, list.Items)
}

// attentionDirect lists what needs attention from the store, with the
// configured payment window and the reconciler's other defaults.
func attentionDirect(ctx context.Context, cfg config) (server.AttentionList, error) {
	window, err := cfg.paymentWindow()
	if err != nil {
		return server.AttentionList{}, err
	}
	list := server.AttentionList{Items: []pay.Attention{}}
	err = withStore(ctx, cfg, func(st shop.OrderStore) error {
		rec := &pay.Reconciler{Service: &pay.Service{Ledger: &shop.Ledger{Store: st}}, PaymentWindow: window}
		items, err := rec.Attention(ctx)
		list.Items = append(list.Items, items...)
		return err
	})
	return list, err
}

// printAttention prints one line per item, or says there is none.
func printAttention(w io.Writer, items []pay.Attention) error {
	if len(items) == 0 {
		_, err := io.WriteString(w, "nothing needs attention\n")
		return err
	}
	t := table{{"SINCE", "REASON", "TRADENO", "REFUNDTRADENO", "STATE", "AMOUNT", "DETAIL"}}
	for _, it := range items {
		t.add(tableTime(it.Since), it.Reason, it.TradeNo, cmp.Or(it.RefundTradeNo, "-"), string(it.State),
			it.Amount.Yuan(), it.Detail)
	}
	return t.write(w)
}
