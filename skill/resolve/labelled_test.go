package resolve_test

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/dingdang-voicepay/voicepay/catalog"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/resolve"
)

// labelled is one line of testdata/heard.txt.
type labelled struct {
	line     int
	category string
	want     string   // a product id, "none" or "ambiguous"
	choices  []string // for "ambiguous:a,b": exactly these products
	q        resolve.Query
}

// readLabelled reads the labelled set.
func readLabelled(t testing.TB, path string) []labelled {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []labelled
	category := ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if c, ok := strings.CutPrefix(line, "## "); ok {
			category = c
			continue
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, "\t")
		if len(fields) < 2 {
			t.Fatalf("%s:%d: want a tab between the label and the phrase", path, n)
		}
		l := labelled{line: n, category: category, want: fields[0]}
		if w, ids, ok := strings.Cut(l.want, ":"); ok {
			l.want, l.choices = w, strings.Split(ids, ",")
		}
		for _, f := range fields[1:] {
			k, v, ok := strings.Cut(f, "=")
			switch {
			case !ok:
				l.q.Text = f
			case k == "album":
				l.q.Album = v
			case k == "episode":
				l.q.Episode = v
			case k == "text":
				l.q.Text = v
			default:
				t.Fatalf("%s:%d: unknown field %q", path, n, k)
			}
		}
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// labelledCatalog loads the catalog of the labelled set.
func labelledCatalog(t testing.TB) *shop.Catalog {
	t.Helper()
	data, err := os.ReadFile("testdata/catalog.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := catalog.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// verdict grades one resolution: right, or a wrong product offered (a One
// that is not what was meant), or neither (asked or missed needlessly).
func verdict(l labelled, r resolve.Result) (right, wrong bool) {
	var got []string
	for _, c := range r.Candidates {
		got = append(got, c.Product.ID)
	}
	switch r.Decision {
	case resolve.One:
		return got[0] == l.want, got[0] != l.want
	case resolve.Ambiguous:
		if l.want != "ambiguous" {
			return false, false
		}
		slices.Sort(got)
		want := slices.Sorted(slices.Values(l.choices))
		return l.choices == nil || slices.Equal(got, want), false
	}
	return l.want == "none", false
}

// TestLabelled resolves every phrase of the labelled set and reports the
// accuracy and the wrong-product rate: at least 95% right and no wrong
// product offered, ever.
func TestLabelled(t *testing.T) {
	set := readLabelled(t, "testdata/heard.txt")
	if len(set) < 200 {
		t.Fatalf("the labelled set has %d phrases, want at least 200", len(set))
	}
	x := resolve.New(labelledCatalog(t), resolve.Config{})
	type tally struct{ n, right, wrong int }
	var all tally
	by := map[string]*tally{}
	var order []string
	for _, l := range set {
		r := x.Resolve(l.q)
		right, wrong := verdict(l, r)
		if by[l.category] == nil {
			by[l.category] = &tally{}
			order = append(order, l.category)
		}
		for _, c := range []*tally{&all, by[l.category]} {
			c.n++
			if right {
				c.right++
			}
			if wrong {
				c.wrong++
			}
		}
		if !right {
			var got []string
			for _, c := range r.Candidates {
				got = append(got, fmt.Sprintf("%s %.2f", c.Product.ID, c.Score))
			}
			t.Logf("heard.txt:%d %+v: want %s %v, got %s %v", l.line, l.q, l.want, l.choices, r.Decision, got)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "resolution of the labelled set (%d phrases):\n", all.n)
	for _, c := range order {
		s := by[c]
		fmt.Fprintf(&b, "  %-45s %3d/%3d right, %d wrong product\n", c, s.right, s.n, s.wrong)
	}
	fmt.Fprintf(&b, "  accuracy %.1f%%, wrong-product rate %.1f%%", 100*float64(all.right)/float64(all.n), 100*float64(all.wrong)/float64(all.n))
	t.Log(b.String())
	if all.wrong > 0 {
		t.Errorf("%d wrong products offered, want 0", all.wrong)
	}
	if 100*all.right < 95*all.n {
		t.Errorf("accuracy %d/%d, want at least 95%%", all.right, all.n)
	}
}
