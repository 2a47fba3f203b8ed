package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/dingdang-voicepay/voicepay/shop"
)

func testCanceledContext(t *testing.T, s shop.OrderStore) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := s.CreateOrder(ctx, NewOrder("T1", "u1", base)); err == nil {
		t.Error("CreateOrder with a canceled context succeeded")
	}
	if _, err := s.Order(context.Background(), "T1"); !errors.Is(err, shop.ErrNotFound) {
		t.Errorf("after a canceled CreateOrder, Order error = %v; want ErrNotFound", err)
	}
	if err := s.Ping(ctx); err == nil {
		t.Error("Ping with a canceled context succeeded")
	}
	if _, _, err := s.CreateOffer(ctx, NewOffer("of1", "u1", fresh())); err == nil {
		t.Error("CreateOffer with a canceled context succeeded")
	}
	if _, err := s.Offer(context.Background(), "of1"); !errors.Is(err, shop.ErrNotFound) {
		t.Errorf("after a canceled CreateOffer, Offer error = %v; want ErrNotFound", err)
	}
}

func testClose(t *testing.T, s shop.OrderStore) {
	ctx := context.Background()
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	mustCreate(t, s, NewOrder("T1", "u1", base))
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := s.Ping(ctx); err == nil {
		t.Error("Ping after Close succeeded")
	}
	if _, err := s.Order(ctx, "T1"); err == nil {
		t.Error("Order after Close succeeded")
	}
	if _, _, err := s.CreateOrder(ctx, NewOrder("T2", "u1", base)); err == nil {
		t.Error("CreateOrder after Close succeeded")
	}
	if _, _, err := s.CreateOffer(ctx, NewOffer("of1", "u1", fresh())); err == nil {
		t.Error("CreateOffer after Close succeeded")
	}
	if _, err := s.Offer(ctx, "of1"); err == nil {
		t.Error("Offer after Close succeeded")
	}
}
