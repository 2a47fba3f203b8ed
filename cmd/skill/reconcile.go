package main

import (
	"context"
	"fmt"
	"os/signal"
	"syscall"

	"github.com/dingdang-voicepay/voicepay/skill/pay"
)

// runReconcile asks the platform about orders that look unpaid and refunds
// still processing, settling what its callbacks missed. With --once it makes
// one pass and prints the report; without, it runs until SIGINT or SIGTERM
// (`skill serve` already runs it in the background). It opens the store
// directly, so a running server's bbolt file is locked: use Redis, or let
// the server's own reconciler do the work.
func runReconcile(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "reconcile")
	once := fs.Bool("once", false, "make one pass, print the report and exit")
	cfg, err := parseNoArgs(e, fs, args)
	if err != nil {
		return err
	}
	a, err := newApp(ctx, cfg, options{})
	if err != nil {
		return err
	}
	defer a.Close()
	if !*once {
		ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
		defer stop()
		a.reconciler.Run(ctx)
		return nil
	}
	rep, err := a.reconciler.RunOnce(ctx)
	printReport(e, rep)
	return err
}

// printReport prints a reconcile report as one line of key=value pairs.
func printReport(e *env, rep pay.ReconcileReport) {
	fmt.Fprintf(e.stdout, "checked=%d delivered=%d closed=%d refunds_settled=%d refunds_resent=%d query_fails=%d errors=%d skipped=%d attention=%d\n",
		rep.Checked, rep.Delivered, rep.Closed, rep.RefundsSettled, rep.RefundsResent, rep.QueryFails, rep.Errors, rep.Skipped, rep.Attention)
}
