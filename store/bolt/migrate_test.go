package bolt_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/store/bolt"
	"github.com/dingdang-voicepay/voicepay/store/storetest"
	bbolt "go.etcd.io/bbolt"
)

// writeOldFile writes orders the way the store did before its user index
// was length-prefixed: by_user keyed "userID NUL tradeNo". With a user id
// holding a NUL, that index broke every listing of the shorter id.
func writeOldFile(t *testing.T, path string, orders ...shop.Order) {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bbolt.Tx) error {
		ob, _ := tx.CreateBucket([]byte("orders"))
		ub, _ := tx.CreateBucket([]byte("by_user"))
		tb, _ := tx.CreateBucket([]byte("by_time"))
		for _, o := range orders {
			data, _ := json.Marshal(o)
			tk := make([]byte, 12)
			binary.BigEndian.PutUint64(tk, uint64(o.CreatedAt.Unix())^(1<<63))
			binary.BigEndian.PutUint32(tk[8:], uint32(o.CreatedAt.Nanosecond()))
			if err := ob.Put([]byte(o.TradeNo), data); err != nil {
				return err
			}
			if err := ub.Put(append(append([]byte(o.UserID), 0), o.TradeNo...), tk); err != nil {
				return err
			}
			if err := tb.Put(append(tk, o.TradeNo...), []byte(o.TradeNo)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestOldUserIndexRebuilt: opening a file with the older, non-injective
// user index rebuilds it, and every user lists exactly their own orders,
// the one whose id extends another's with a NUL included.
func TestOldUserIndexRebuilt(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "skill.db")
	users := []string{"victim", "victim\x00zz", "victim\x00", "other"}
	var orders []shop.Order
	for i, u := range users {
		orders = append(orders, storetest.NewOrder(fmt.Sprintf("T%d", i), u, base.Add(time.Duration(i)*time.Minute)))
	}
	writeOldFile(t, path, orders...)

	s := open(t, path, bolt.Config{})
	for i, u := range users {
		got, err := s.Orders(ctx, shop.OrderFilter{UserID: u})
		if err != nil || len(got) != 1 || got[0].TradeNo != fmt.Sprintf("T%d", i) {
			t.Errorf("Orders(%q) = %v, %v; want [T%d]", u, got, err, i)
		}
	}
	if all, err := s.Orders(ctx, shop.OrderFilter{}); err != nil || len(all) != len(users) {
		t.Errorf("Orders() = %d, %v; want %d", len(all), err, len(users))
	}
	// New orders go to the new index; a reopen does not rebuild again.
	if _, _, err := s.CreateOrder(ctx, storetest.NewOrder("T9", "victim", base.Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, path, bolt.Config{})
	if got, err := s.Orders(ctx, shop.OrderFilter{UserID: "victim"}); err != nil || len(got) != 2 {
		t.Errorf("after reopen, Orders(victim) = %d orders, %v; want 2", len(got), err)
	}
}

// TestCountsOfOlderFile: a file written before the store kept its order
// counts has them counted once when opened.
func TestCountsOfOlderFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	a := storetest.NewOrder("T1", "u1", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	b := storetest.NewOrder("T2", "u1", a.CreatedAt.Add(time.Second))
	c := storetest.NewOrder("T3", "u2", a.CreatedAt.Add(2*time.Second))
	c.State = shop.StateDelivered
	writeOldFile(t, path, a, b, c)
	s, err := bolt.Open(path, bolt.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.OrderCounts(context.Background())
	if err != nil || len(got) != 2 || got[shop.StateCreated] != 2 || got[shop.StateDelivered] != 1 {
		t.Fatalf("counts = %v, %v; want 2 CREATED, 1 DELIVERED", got, err)
	}
}

// oldTimeIndexKey is the bolt store's key of an order in by_time and
// open_orders.
func oldTimeIndexKey(o shop.Order) []byte {
	tk := make([]byte, 12)
	binary.BigEndian.PutUint64(tk, uint64(o.CreatedAt.Unix())^(1<<63))
	binary.BigEndian.PutUint32(tk[8:], uint32(o.CreatedAt.Nanosecond()))
	return append(tk, o.TradeNo...)
}

// writeOldIndex replaces the file's index of open orders and its version
// with old, as an older version of the store left them.
func writeOldIndex(t *testing.T, path string, old storetest.OldIndex) {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bbolt.Tx) error {
		if err := tx.DeleteBucket([]byte("open_orders")); err != nil {
			return err
		}
		if err := tx.Bucket([]byte("meta")).Delete([]byte("open_version")); err != nil {
			return err
		}
		if old.None {
			return nil
		}
		if old.Version > 0 {
			if err := tx.Bucket([]byte("meta")).Put([]byte("open_version"), []byte(fmt.Sprint(old.Version))); err != nil {
				return err
			}
		}
		b, err := tx.CreateBucket([]byte("open_orders"))
		if err != nil {
			return err
		}
		for _, o := range old.Orders {
			if err := b.Put(oldTimeIndexKey(o), []byte(o.TradeNo)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// openIndex returns the tradeNos of the file's index of open orders, in
// key order.
func openIndex(t *testing.T, path string) []string {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var got []string
	_ = db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket([]byte("open_orders")).ForEach(func(_, v []byte) error {
			got = append(got, string(v))
			return nil
		})
	})
	return got
}

// TestOpenIndexOfOlderFile: a file written before the store kept its
// index of open orders, or with one built for an older definition of
// open, has it rebuilt when opened (storetest.RunOpenUpgrade).
func TestOpenIndexOfOlderFile(t *testing.T) {
	storetest.RunOpenUpgrade(t, func(t *testing.T) (shop.OrderStore, func(t *testing.T, old storetest.OldIndex) shop.OrderStore) {
		path := filepath.Join(t.TempDir(), "skill.db")
		s := open(t, path, bolt.Config{})
		return s, func(t *testing.T, old storetest.OldIndex) shop.OrderStore {
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			writeOldIndex(t, path, old)
			return open(t, path, bolt.Config{})
		}
	})
}

// TestOpenIndexRebuilt: opening a file whose open index was built for an
// older shop.OpenVersion rebuilds it to exactly the open orders (the
// missing added, the stale dropped), logs it once, and records the
// version: the next open leaves the index alone.
func TestOpenIndexRebuilt(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "skill.db")
	s := open(t, path, bolt.Config{})
	var orders []shop.Order
	for i, st := range []shop.OrderState{shop.StateCreated, shop.StateDelivered, shop.StateRefunding, shop.StateClosed} {
		o := storetest.NewOrder(fmt.Sprintf("E%d", i), "u1", base.Add(time.Duration(i)*time.Second))
		o.State = st
		o, _, err := s.CreateOrder(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		orders = append(orders, o)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Version 1 missed E2 and kept the settled E1 and E3.
	writeOldIndex(t, path, storetest.OldIndex{Version: 1, Orders: []shop.Order{orders[0], orders[1], orders[3]}})
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	s = open(t, path, bolt.Config{Logger: logger})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(openIndex(t, path)); got != "[E0 E2]" {
		t.Errorf("rebuilt open_orders holds %v; want [E0 E2]", got)
	}
	line := buf.String()
	for _, want := range []string{"rebuilt the index of open orders", "from_version=1", fmt.Sprintf("version=%d", shop.OpenVersion), "orders_read=4", "orders_open=2"} {
		if !strings.Contains(line, want) {
			t.Errorf("log %q lacks %q", line, want)
		}
	}
	// Current now: a stale entry put back is not rebuilt away, and
	// nothing is logged.
	writeOldIndex(t, path, storetest.OldIndex{Version: shop.OpenVersion, Orders: orders[:1]})
	buf.Reset()
	s = open(t, path, bolt.Config{Logger: logger})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(openIndex(t, path)); got != "[E0]" || buf.Len() != 0 {
		t.Errorf("reopened at the current version: open_orders %v, log %q; want [E0] untouched, no log", got, buf.String())
	}
}

// TestOpenIndexExact: the open_orders bucket holds exactly the open
// orders after creates and moves in and out of the open states.
func TestOpenIndexExact(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "skill.db")
	s := open(t, path, bolt.Config{})
	for i, st := range []shop.OrderState{shop.StateCreated, shop.StateCreated, shop.StateDelivered, shop.StateClosed} {
		o := storetest.NewOrder(fmt.Sprintf("E%d", i), "u1", base.Add(time.Duration(i)*time.Second))
		o.State = st
		if _, _, err := s.CreateOrder(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	for no, to := range map[string]shop.OrderState{"E0": shop.StatePaid, "E1": shop.StateClosed, "E2": shop.StateRefunding, "E3": shop.StatePaid} {
		if _, err := s.UpdateOrder(ctx, no, func(o *shop.Order) error { return o.Move(to, "test", base) }); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if got := openIndex(t, path); fmt.Sprint(got) != "[E0 E2 E3]" {
		t.Errorf("open_orders holds %v; want [E0 E2 E3]", got)
	}
}
