package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/dingdang-voicepay/voicepay/admin"
	"github.com/dingdang-voicepay/voicepay/server"
	"github.com/dingdang-voicepay/voicepay/shop"
)

// runOrders is `skill orders list`, `skill orders show TRADENO`
// (orders_show.go) and `skill orders attention` (orders_attention.go): through
// the admin API of a running server (--server URL, token minted from
// SKILL_ADMIN_SECRET), or from the store directly.
func runOrders(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "orders")
	serverURL := fs.String("server", "", "base `URL` of a running server's operations listener (default: read the store directly)")
	user := fs.String("user", "", "list: only the orders of this `USER`")
	account := fs.String("account", "", "list: only the orders of this linked `ACCOUNT`")
	state := fs.String("state", "", "list: only these `STATES`, comma-separated (e.g. CREATED,DELIVERED)")
	limit := fs.Int("limit", server.DefaultAdminLimit, "list: at most `N` orders, newest first")
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	cfg, pos, err := parse(e, fs, args)
	if err != nil {
		return err
	}
	if *serverURL == "" {
		*serverURL = cfg.runningSandboxOps() // the sandbox holds the store: ask its admin API
	}
	switch {
	case len(pos) == 1 && pos[0] == "list":
		if *user != "" && *account != "" {
			return usageError("give --user or --account, not both")
		}
		q := url.Values{}
		for k, v := range map[string]string{"user": *user, "account": *account, "state": *state, "limit": strconv.Itoa(*limit)} {
			if v != "" {
				q.Set(k, v)
			}
		}
		var list server.OrderList
		if *serverURL != "" {
			var c *admin.Client
			if c, err = newAdminClient(cfg, *serverURL); err == nil {
				err = c.Get(ctx, "/admin/orders?"+q.Encode(), &list)
			}
		} else {
			owner := *user
			if *account != "" {
				owner = shop.AccountOwner(*account)
			}
			list, err = listDirect(ctx, cfg, owner, *state, *limit)
		}
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e.stdout, list)
		}
		return printOrders(e.stdout, list.Orders, *user != "" || *account != "" || *state != "")
	case len(pos) == 1 && pos[0] == "attention":
		return ordersAttention(ctx, e, cfg, *serverURL, *asJSON)
	case len(pos) == 2 && pos[0] == "show":
		var o server.OrderView
		if *serverURL != "" {
			var c *admin.Client
			if c, err = newAdminClient(cfg, *serverURL); err == nil {
				err = c.Get(ctx, "/admin/orders/"+url.PathEscape(pos[1]), &o)
			}
		} else {
			err = withStore(ctx, cfg, func(st shop.OrderStore) error {
				order, err := st.Order(ctx, pos[1])
				o = server.ViewOrder(order)
				return err
			})
		}
		var aerr *admin.Error
		if errors.Is(err, shop.ErrNotFound) || errors.As(err, &aerr) && aerr.Status == http.StatusNotFound {
			return fmt.Errorf("no order %s (`skill orders list` shows the newest)", pos[1])
		}
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e.stdout, o)
		}
		return printOrder(e.stdout, o)
	}
	return usageError("want `orders list`, `orders show TRADENO` or `orders attention`")
}

// listDirect lists orders from the store, with the admin API's filters.
func listDirect(ctx context.Context, cfg config, user, state string, limit int) (server.OrderList, error) {
	f := shop.OrderFilter{UserID: user, Limit: limit}
	for _, s := range strings.Split(state, ",") {
		if s = strings.TrimSpace(s); s != "" {
			f.States = append(f.States, shop.OrderState(strings.ToUpper(s)))
		}
	}
	list := server.OrderList{Orders: []server.OrderView{}}
	err := withStore(ctx, cfg, func(st shop.OrderStore) error {
		orders, err := st.Orders(ctx, f)
		for _, o := range orders {
			list.Orders = append(list.Orders, server.ViewOrder(o))
		}
		return err
	})
	return list, err
}

// withStore opens the configured order store, runs fn and closes it. A
// bbolt store that does not exist is not made: these commands only read,
// and an empty store made in the wrong directory said "no orders yet".
func withStore(ctx context.Context, cfg config, fn func(shop.OrderStore) error) error {
	if cfg.RedisURL == "" {
		if path := filepath.Join(cfg.Data, storeFile); !exists(path) {
			return fmt.Errorf("no order store at %s: run this where the sandbox or `skill serve` keeps its data (SKILL_DATA), or give --server URL", path)
		}
	}
	orders, state, _, err := openStores(ctx, cfg, time.Now, nil)
	if err != nil {
		return err
	}
	defer state.Close()
	defer orders.Close()
	return fn(orders)
}

// printOrders prints one line per order, or says there is none ("no
// orders yet", or "no orders match" when the list was filtered) instead of
// printing a lone header, as printAttention does.
func printOrders(w io.Writer, orders []server.OrderView, filtered bool) error {
	if len(orders) == 0 {
		line := "no orders yet\n"
		if filtered {
			line = "no orders match\n"
		}
		_, err := io.WriteString(w, line)
		return err
	}
	t := table{{"TRADENO", "STATE", "USER", "TOTAL", "REFUNDED", "DELIVERIES", "CREATED"}}
	for _, o := range orders {
		t.add(o.TradeNo, string(o.State), o.UserID, o.TotalAmt.Yuan(), o.RefundedAmt.Yuan(),
			strconv.Itoa(o.Deliveries), tableTime(o.CreatedAt))
	}
	return t.write(w)
}

// chinaTime is the zone of the times the tables print: China Standard
// Time, as the order pages show them (the store keeps UTC; --json prints
// it as stored).
var chinaTime = time.FixedZone("CST", 8*60*60)

// tableTime prints a time for a table, in China Standard Time with its
// offset, so that it reads the same on every machine and as on the order
// page: "2026-12-02 10:31:13 +08:00".
func tableTime(t time.Time) string {
	return t.In(chinaTime).Format("2006-01-02 15:04:05 -07:00")
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// newAdminClient is the admin API client of a running server's operations
// listener at base: with the ready token of SKILL_ADMIN_TOKEN (--token), or
// tokens minted per request with SKILL_ADMIN_SECRET (or a sandbox's, see
// adminSecret).
func newAdminClient(cfg config, base string) (*admin.Client, error) {
	if !strings.Contains(base, "://") {
		base = "http://" + base // --server 127.0.0.1:9090, as SKILL_OPS_ADDR is written
	}
	if cfg.AdminToken != "" {
		return &admin.Client{BaseURL: base, Token: cfg.AdminToken}, nil
	}
	secret := cfg.adminSecret()
	if secret == "" {
		return nil, badSetting("SKILL_ADMIN_SECRET", "not set (the admin API is disabled without it); or give --token")
	}
	return &admin.Client{BaseURL: base, Secret: []byte(secret), Operator: cliOperator()}, nil
}

// cliOperator names who runs the command in the order history's "by":
// "cli:" and the login name (or just "cli" when it cannot be told).
// admin-token --operator, or a token from --token, names someone else.
func cliOperator() string {
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	if name == "" || len(name) > 60 {
		return "cli"
	}
	return "cli:" + name
}

// exists reports whether a file is there.
func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
