// Package apptest wires the whole skill in-process for tests of packages that
// may not import the server or the stores themselves (only cmd/ may, by the
// house rules): the replay runner and the sandbox.
package apptest

import (
	"context"
	"crypto/rsa"
	"io"
	"log/slog"
	"path/filepath"

	"github.com/dingdang-voicepay/voicepay/catalog"
	"github.com/dingdang-voicepay/voicepay/device/ui"
	"github.com/dingdang-voicepay/voicepay/qr"
	"github.com/dingdang-voicepay/voicepay/sandbox"
	"github.com/dingdang-voicepay/voicepay/server"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/intents"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
	"github.com/dingdang-voicepay/voicepay/store/bolt"
	"github.com/dingdang-voicepay/voicepay/store/mem"
)

// Build wires the skill the way cmd/skill does, on a bbolt store in the
// wiring's data dir, with logs discarded. It has the shape of sandbox.Build.
func Build(_ context.Context, w sandbox.Wiring) (sandbox.App, func() error, error) {
	cat, err := catalog.Load(w.CatalogPath)
	if err != nil {
		return nil, nil, err
	}
	st, err := bolt.Open(filepath.Join(w.DataDir, "skill.db"), bolt.Config{})
	if err != nil {
		return nil, nil, err
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	offers := &pay.Offers{Secret: []byte(w.Keys.Secret)}
	platformPub := &w.Keys.Platform.PublicKey
	state := mem.New(mem.Config{})
	ledger := &shop.Ledger{Store: st, Catalog: cat}
	svc := &pay.Service{Ledger: ledger, SkillID: w.SkillID, Offers: offers, Logger: logger,
		Platform: &pay.Client{BaseURL: w.PlatformURL, SkillID: w.SkillID, Key: w.Keys.Skill, Logger: logger,
			Verifier: tsk.PayVerifier(nil, platformPub)}}
	codes := &qr.Codes{Secret: []byte(w.Keys.Secret)}
	dialog := intents.New(intents.Config{Catalog: cat, Sessions: state, Ledger: ledger, Payments: svc, Offers: offers, Logger: logger,
		QRURL: func(o *ui.Offer) string {
			page := w.PublicURL + "/orders/" + codes.Link(server.OrderLink(o.UserID, o.Product.ID, o.Count)...)
			return w.PublicURL + "/qr/" + codes.Token(page) + ".png"
		}})
	app := server.New(server.Config{
		SkillID: w.SkillID, PlatformKeys: []*rsa.PublicKey{platformPub}, Secrets: [][]byte{w.Keys.Secret},
		PrivateKey: w.Keys.Skill, Dialog: dialog, Partner: svc, Store: state, QR: codes,
		Catalog: cat, AdminSecret: w.AdminSecret, Ledger: st, Accounts: svc, Logger: logger,
	})
	return app, st.Close, nil
}
