package main

import (
	"cmp"
	"fmt"
	"io"
	"strconv"

	"github.com/dingdang-voicepay/voicepay/server"
	"github.com/dingdang-voicepay/voicepay/shop"
)

// printOrder prints one order for a person (`skill orders show`): its
// fields, items, refunds and history, times in China Standard Time as
// `orders list` prints them (--json prints it as stored, in UTC).
func printOrder(w io.Writer, o server.OrderView) error {
	fields := table{
		{"tradeNo", o.TradeNo},
		{"state", string(o.State)},
		{"user", o.UserID},
	}
	if o.Account != "" {
		fields.add("account", o.Account)
	}
	fields.add("total", o.TotalAmt.Yuan())
	fields.add("refunded", o.RefundedAmt.Yuan())
	fields.add("transaction", cmp.Or(o.TransactionID, "-"))
	fields.add("deliveries", strconv.Itoa(o.Deliveries))
	if o.OfferID != "" {
		fields.add("offer", o.OfferID)
	}
	if o.PayIn != "" {
		fields.add("paid in", string(o.PayIn))
	}
	fields.add("created", tableTime(o.CreatedAt))
	if !o.ResumedAt.IsZero() {
		fields.add("resumed", tableTime(o.ResumedAt))
	}
	if !o.PageClosedAt.IsZero() {
		fields.add("page closed", tableTime(o.PageClosedAt))
	}
	fields.add("updated", tableTime(o.UpdatedAt))
	if q := o.QueryFails; q.Count > 0 {
		fields.add("query fails", queryFails(q))
	}
	if err := fields.write(w); err != nil {
		return err
	}

	items := table{{"ITEM", "QUANTITY", "AMOUNT"}}
	for _, l := range o.Details {
		items.add(l.ItemID, strconv.FormatInt(l.Quantity, 10), l.Amount.Yuan())
	}
	if err := section(w, items); err != nil {
		return err
	}
	if len(o.Refunds) > 0 {
		refunds := table{{"REFUNDTRADENO", "AMOUNT", "STATUS", "PLATFORM", "CREATED", "UPDATED", "REASON"}}
		var fails table
		for _, r := range o.Refunds {
			platform := r.RefundTransactionID // the platform's id: it took the refund
			if platform == "" && r.Status == shop.RefundProcessing {
				platform = "not acknowledged yet (the reconciler asks the platform)"
			}
			refunds.add(r.RefundTradeNo, r.Amount.Yuan(), string(r.Status), cmp.Or(platform, "-"), tableTime(r.CreatedAt),
				tableTime(r.UpdatedAt), cmp.Or(r.Reason, "-"))
			if r.QueryFails.Count > 0 {
				fails.add("query fails of "+r.RefundTradeNo, queryFails(r.QueryFails))
			}
		}
		if err := section(w, refunds); err != nil {
			return err
		}
		if len(fails) > 0 {
			if err := fails.write(w); err != nil {
				return err
			}
		}
	}
	history := table{{"AT", "FROM", "TO", "BY", "CAUSE"}}
	for _, h := range o.History {
		history.add(tableTime(h.At), cmp.Or(string(h.From), "-"), string(h.To), cmp.Or(h.By, "-"), h.Cause)
	}
	return section(w, history)
}

// section writes a table after an empty line.
func section(w io.Writer, t table) error {
	if _, err := fmt.Fprintln(w); err != nil {
		return err
	}
	return t.write(w)
}

// queryFails says a run of query answers not acted on: "5 in a row since
// 2026-12-02 10:31:13 +08:00, the last resend_refused 订单不存在或未支付".
func queryFails(q shop.QueryFails) string {
	s := strconv.Itoa(q.Count) + " in a row since " + tableTime(q.Since) + ", the last " + q.Why
	if q.RetMsg != "" {
		s += " " + q.RetMsg
	}
	return s
}
