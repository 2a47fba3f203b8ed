package shop

import (
	"fmt"
	"regexp"
	"strings"
)

// MaxQuantity bounds the quantity of one order line. A speaker purchase of more
// than this is almost certainly a misheard number.
const MaxQuantity = 999

// MaxTimedDays bounds the time one order line of a timed product (a
// membership) buys: a year. "买20元的会员" heard as twenty months, or
// "999个", is not a purchase anyone means of something that may not be
// refunded.
const MaxTimedDays = 366

// MaxUnits is how many units of p one order line may buy: MaxQuantity, or
// for a timed product as many as fit in MaxTimedDays (12 of 30 days; 12
// when its days are not said), at least one.
func (p Product) MaxUnits() int64 {
	switch {
	case !p.Kind.Timed():
		return MaxQuantity
	case p.Days <= 0 || p.Monthly():
		return 12
	}
	return max(1, MaxTimedDays/int64(p.Days))
}

// Monthly reports whether p is timed in units of a month (28 to 31 days):
// "一年" of it is twelve units.
func (p Product) Monthly() bool { return p.Kind.Timed() && p.Days >= 28 && p.Days <= 31 }

// Product is one sellable item of the catalog.
type Product struct {
	ID          string       `yaml:"id" json:"id"`
	Name        string       `yaml:"name" json:"name"`
	Description string       `yaml:"description" json:"description"`
	Price       Fen          `yaml:"price" json:"price"`
	Kind        Kind         `yaml:"kind" json:"kind"`
	Days        int          `yaml:"days,omitempty" json:"days,omitempty"`
	Aliases     []string     `yaml:"aliases,omitempty" json:"aliases,omitempty"`
	Image       string       `yaml:"image,omitempty" json:"image,omitempty"`
	Content     Content      `yaml:"content" json:"content"`
	Refund      RefundPolicy `yaml:"refund" json:"refund"`
}

// Content is what a purchase unlocks.
type Content struct {
	Speech string `yaml:"speech" json:"speech"`
	Audio  string `yaml:"audio,omitempty" json:"audio,omitempty"`
}

// RefundPolicy says whether and when a purchase can be refunded.
type RefundPolicy struct {
	Allowed    bool `yaml:"allowed" json:"allowed"`
	WithinDays int  `yaml:"within_days" json:"within_days"`
	UnusedOnly bool `yaml:"unused_only" json:"unused_only"`
}

// Catalog is the list of products, in the order they are offered.
type Catalog struct {
	Products []Product `yaml:"products" json:"products"`
}

var idPattern = regexp.MustCompile(`^[0-9A-Za-z_-]{1,32}$`)

// Validate reports the first problem of the catalog: duplicate or malformed
// ids, empty names, non-positive prices, unknown kinds, and what a kind
// requires (days for a subscription, none for the others).
func (c *Catalog) Validate() error {
	if len(c.Products) == 0 {
		return fmt.Errorf("catalog: no products")
	}
	seen := make(map[string]bool, len(c.Products))
	for i, p := range c.Products {
		where := fmt.Sprintf("catalog: product %d (%q)", i+1, p.ID)
		switch {
		case !idPattern.MatchString(p.ID):
			return fmt.Errorf("%s: id must be 1-32 letters, digits, '-' or '_'", where)
		case seen[p.ID]:
			return fmt.Errorf("%s: duplicate id", where)
		case strings.TrimSpace(p.Name) == "":
			return fmt.Errorf("%s: name is empty", where)
		case p.Price <= 0:
			return fmt.Errorf("%s: price must be > 0 fen, got %d", where, p.Price)
		case p.Kind.check(p) != "":
			return fmt.Errorf("%s: %s", where, p.Kind.check(p))
		case p.Refund.WithinDays < 0:
			return fmt.Errorf("%s: refund.within_days must be >= 0", where)
		}
		seen[p.ID] = true
	}
	return nil
}

// Product returns the product with the id.
func (c *Catalog) Product(id string) (Product, bool) {
	for _, p := range c.Products {
		if p.ID == id {
			return p, true
		}
	}
	return Product{}, false
}

// Match finds products by what a user said: an exact id, name or alias wins;
// otherwise every product whose name or alias contains the words, or is
// contained in them, is returned (several means the user must choose).
func (c *Catalog) Match(said string) []Product {
	said = normalize(said)
	if said == "" {
		return nil
	}
	var exact, partial []Product
	for _, p := range c.Products {
		names := append([]string{p.ID, p.Name}, p.Aliases...)
		hit := false
		for _, n := range names {
			n = normalize(n)
			if n == said {
				exact = append(exact, p)
				hit = false
				break
			}
			if n != "" && (strings.Contains(n, said) || strings.Contains(said, n)) {
				hit = true
			}
		}
		if hit {
			partial = append(partial, p)
		}
	}
	if len(exact) > 0 {
		return exact
	}
	return partial
}

func normalize(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '，', ',', '。', '.', '！', '!', '？', '?', '、', '《', '》', '"', '“', '”':
			return -1
		}
		return r
	}, s)
}
