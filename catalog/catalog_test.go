package catalog_test

import (
	"strings"
	"testing"

	"github.com/dingdang-voicepay/voicepay/catalog"
	"github.com/dingdang-voicepay/voicepay/shop"
)

func TestLoadDemo(t *testing.T) {
	for name, load := range map[string]func() (*shop.Catalog, error){
		"Default":    catalog.Default,
		"Load(\"\")": func() (*shop.Catalog, error) { return catalog.Load("") },
		"the file":   func() (*shop.Catalog, error) { return catalog.Load("default.yaml") },
	} {
		c, err := load()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		p, ok := c.Product("vip")
		if !ok || p.Kind != shop.KindSubscription || p.Days != 30 || p.Price != 1990 {
			t.Fatalf("%s: vip = %+v", name, p)
		}
	}
	if _, err := catalog.Load("no-such.yaml"); err == nil {
		t.Error("a missing catalog file loads")
	}
}

func TestParseRejects(t *testing.T) {
	const good = `
  - id: a
    name: A
    price: 100
    kind: entitlement
`
	tests := []struct {
		name, yaml, want string
	}{
		{"empty", ``, "empty file"},
		{"no products", `products: []`, "no products"},
		{"duplicate id", "products:" + good + good, "duplicate id"},
		{"zero price", "products:\n  - {id: a, name: A, price: 0, kind: entitlement}", "price must be > 0"},
		{"negative price", "products:\n  - {id: a, name: A, price: -5, kind: entitlement}", "price must be > 0"},
		{"unknown kind", "products:\n  - {id: a, name: A, price: 5, kind: gift}", "unknown kind"},
		{"subscription without days", "products:\n  - {id: a, name: A, price: 5, kind: subscription}", "needs days"},
		{"long id", "products:\n  - {id: " + strings.Repeat("x", 33) + ", name: A, price: 5, kind: entitlement}", "1-32"},
		{"bad id", "products:\n  - {id: 'a b', name: A, price: 5, kind: entitlement}", "1-32"},
		{"typo key", "products:\n  - {id: a, name: A, prise: 5, kind: entitlement}", "prise"},
		{"no name", "products:\n  - {id: a, price: 5, kind: entitlement}", "name is empty"},
		{"price overflow", "products:\n  - {id: a, name: A, price: 99999999999999999999, kind: entitlement}", "catalog"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := catalog.Parse([]byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Parse error = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}
