package resolve_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/resolve"
)

// ids returns the ids of a result's candidates.
func ids(r resolve.Result) []string {
	var out []string
	for _, c := range r.Candidates {
		out = append(out, c.Product.ID)
	}
	return out
}

// TestResolveRules has one case per rule of the resolver, on the catalog
// of the labelled set.
func TestResolveRules(t *testing.T) {
	x := resolve.New(labelledCatalog(t), resolve.Config{})
	tests := []struct {
		rule string
		q    resolve.Query
		want resolve.Decision
		ids  []string
	}{
		{"exact name", resolve.Query{Text: "万古神帝第35集"}, resolve.One, []string{"ep35"}},
		{"exact id", resolve.Query{Text: "EP35"}, resolve.One, []string{"ep35"}},
		{"alias", resolve.Query{Text: "书币"}, resolve.One, []string{"coins"}},
		{"ascii word, full width", resolve.Query{Text: "ＶＩＰ"}, resolve.One, []string{"vip"}},
		{"episode in words", resolve.Query{Text: "万古神帝第三十五集"}, resolve.One, []string{"ep35"}},
		{"episode without 第", resolve.Query{Text: "万古神帝三十五集"}, resolve.One, []string{"ep35"}},
		{"bare episode in words", resolve.Query{Text: "万古神帝三十五"}, resolve.One, []string{"ep35"}},
		{"episode as 卅五", resolve.Query{Text: "万古神帝卅五集"}, resolve.One, []string{"ep35"}},
		{"full-width digits", resolve.Query{Text: "万古神帝第３５集"}, resolve.One, []string{"ep35"}},
		{"digit by digit", resolve.Query{Text: "万古神帝三五集"}, resolve.One, []string{"ep35"}},
		{"hundreds", resolve.Query{Text: "凡人修仙传第一百零一集"}, resolve.One, []string{"fanren101"}},
		{"numeral in a title", resolve.Query{Text: "一千零一夜"}, resolve.One, []string{"night"}},
		{"homophone", resolve.Query{Text: "万古神地"}, resolve.Ambiguous, []string{"ep35", "ep36"}},
		{"homophones and episode", resolve.Query{Text: "完股神地第三十五集"}, resolve.One, []string{"ep35"}},
		{"homophone, short name", resolve.Query{Text: "听书必"}, resolve.One, []string{"coins"}},
		{"homophone 悦/月", resolve.Query{Text: "会员悦卡"}, resolve.One, []string{"vip"}},
		{"confusion n/l", resolve.Query{Text: "南陵王第八集"}, resolve.One, []string{"lanling"}},
		{"confusion s/sh", resolve.Query{Text: "万古森帝第35集"}, resolve.One, []string{"ep35"}},
		{"confusion in/ing", resolve.Query{Text: "新辰变第35集"}, resolve.One, []string{"xcb35"}},
		{"confusion f/h", resolve.Query{Text: "寒人修仙传第100集"}, resolve.One, []string{"fanren100"}},
		{"fillers", resolve.Query{Text: "我想要买一下那个万古神帝第35集吧"}, resolve.One, []string{"ep35"}},
		{"album and index slots", resolve.Query{Album: "万古神帝", Episode: "35"}, resolve.One, []string{"ep35"}},
		{"index slot in words", resolve.Query{Album: "万古神帝", Episode: "第三十五集"}, resolve.One, []string{"ep35"}},
		{"index slot wins", resolve.Query{Text: "万古神帝第36集", Episode: "35"}, resolve.One, []string{"ep35"}},
		{"episode alone, one series", resolve.Query{Text: "第36集"}, resolve.One, []string{"ep36"}},
		{"episode alone, two series", resolve.Query{Text: "第35集"}, resolve.Ambiguous, []string{"ep35", "xcb35"}},
		{"index slot alone", resolve.Query{Episode: "35"}, resolve.Ambiguous, []string{"ep35", "xcb35"}},
		{"series without episode", resolve.Query{Text: "星辰变"}, resolve.Ambiguous, []string{"xcb01", "xcb35"}},
		{"whole set", resolve.Query{Text: "鬼吹灯全集"}, resolve.One, []string{"ghost"}},
		{"two episodes", resolve.Query{Text: "万古神帝第35集和第36集"}, resolve.Ambiguous, []string{"ep35", "ep36"}},
		{"two series", resolve.Query{Text: "星辰变第35集还是万古神帝第35集"}, resolve.Ambiguous, []string{"ep35", "xcb35"}},
		{"an episode and coins", resolve.Query{Text: "万古神帝第35集和三个听书币"}, resolve.Ambiguous, []string{"ep35", "coins"}}, // Several: see TestSeveral
		{"coins and an episode", resolve.Query{Text: "三个听书币和万古神帝第35集"}, resolve.Ambiguous, []string{"ep35", "coins"}},
		{"a part of a name", resolve.Query{Text: "会员年卡"}, resolve.One, []string{"vipyear"}},
		{"partial name asks", resolve.Query{Text: "听书"}, resolve.Ambiguous, []string{"coins"}},
		{"episode it lacks", resolve.Query{Text: "万古神帝第99集"}, resolve.None, []string{"ep35", "ep36"}},
		{"episode of an unknown series", resolve.Query{Text: "斗罗大陆第35集"}, resolve.None, nil},
		{"unrelated", resolve.Query{Text: "今天天气怎么样"}, resolve.None, nil},
		{"among the candidates", resolve.Query{Text: "星辰变", Among: []string{"ep35", "xcb35"}}, resolve.One, []string{"xcb35"}},
		{"among, none fits", resolve.Query{Text: "听书币", Among: []string{"ep35", "xcb35"}}, resolve.None, nil},
		{"among, said first", resolve.Query{Text: "先买三十六集吧", Among: []string{"ep35", "ep36"}}, resolve.One, []string{"ep36"}}, // to "先买A还是B？"
		{"capped", resolve.Query{Text: strings.Repeat("啊", 64) + "听书币"}, resolve.None, nil},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			r := x.Resolve(tt.q)
			if r.Decision != tt.want || !slices.Equal(ids(r), tt.ids) {
				t.Errorf("Resolve(%+v) = %s %v, want %s %v", tt.q, r.Decision, ids(r), tt.want, tt.ids)
			}
			for _, c := range r.Candidates {
				if c.Score <= 0 || c.Score > 1 {
					t.Errorf("score of %s = %v, want in (0, 1]", c.Product.ID, c.Score)
				}
			}
		})
	}
}

func TestResolveCountOrdinalEmpty(t *testing.T) {
	x := resolve.New(labelledCatalog(t), resolve.Config{})
	tests := []struct {
		text    string
		count   int64
		ordinal int
		empty   bool
	}{
		{"两个听书币", 2, 0, false},
		{"买３个听书币", 3, 0, false},
		{"听书币一千个", 0, 0, false}, // above shop.MaxQuantity: not a count
		{"一百二个听书币", 120, 0, false},
		{"1.5个听书币", 0, 0, false}, // no whole count (it read 5)
		{"1点5个听书币", 0, 0, false}, // the same, said
		{"两个半听书币", 0, 0, false},  // it read 2
		{"一点五个听书币", 0, 0, false},
		{"三四个听书币", 0, 0, false}, // a range: three or four (it read 34)
		{"一两个听书币", 0, 0, false},
		{"第二个", 0, 2, true},
		{"第1个", 0, 1, true},
		{"第二吧", 0, 2, false}, // also episode 2: not empty
		{"星辰变第二", 0, 0, false},
		{"我要买", 0, 0, true},
		{"", 0, 0, true},
		{"西游记", 0, 0, false},
		{"二十块钱的会员", 0, 0, false}, // a sum: no count, no episode
		{"仨听书币", 3, 0, false},
		{"来俩听书币", 2, 0, false},
		{"买20元的听书币", 0, 0, false},
		{"五块钱", 0, 0, true},
	}
	for _, tt := range tests {
		r := x.Resolve(resolve.Query{Text: tt.text})
		if r.Count != tt.count || r.Ordinal != tt.ordinal || r.Empty != tt.empty {
			t.Errorf("Resolve(%q): count %d, ordinal %d, empty %v; want %d, %d, %v",
				tt.text, r.Count, r.Ordinal, r.Empty, tt.count, tt.ordinal, tt.empty)
		}
	}
}

func TestResolveLast(t *testing.T) {
	x := resolve.New(labelledCatalog(t), resolve.Config{})
	for text, want := range map[string]bool{
		"最后一个":    true,
		"最后那个吧":   true,
		"就要最后那一个": true,
		"最后一种":    true,
		"最后这个":    true,
		"最后一个听书币": false, // a product named: that one
		"最后":      false,
		"最后的武士":   false, // a name, maybe
		"最后一集":    false,
	} {
		r := x.Resolve(resolve.Query{Text: text})
		if r.Last != want {
			t.Errorf("Resolve(%q).Last = %v, want %v", text, r.Last, want)
		}
		if want && (r.Count != 0 || r.Ordinal != 0) {
			t.Errorf("Resolve(%q): count %d, ordinal %d; want neither", text, r.Count, r.Ordinal)
		}
	}
}

func TestResolveEmptyCatalog(t *testing.T) {
	for _, c := range []*shop.Catalog{nil, {}} {
		r := resolve.New(c, resolve.Config{}).Resolve(resolve.Query{Text: "万古神帝第35集"})
		if r.Decision != resolve.None || len(r.Candidates) != 0 {
			t.Errorf("empty catalog: got %s %v, want none", r.Decision, ids(r))
		}
	}
}

func TestResolveConfig(t *testing.T) {
	c := labelledCatalog(t)
	strict := resolve.New(c, resolve.Config{Accept: 0.99})
	if r := strict.Resolve(resolve.Query{Text: "听书必"}); r.Decision != resolve.Ambiguous {
		t.Errorf("Accept 0.99: 听书必 = %s, want ambiguous", r.Decision)
	}
	short := resolve.New(c, resolve.Config{MaxRunes: 3})
	if r := short.Resolve(resolve.Query{Text: "听书币和会员月卡"}); r.Decision != resolve.One || ids(r)[0] != "coins" {
		t.Errorf("MaxRunes 3: got %s %v, want one coins", r.Decision, ids(r))
	}
	one := resolve.New(c, resolve.Config{MaxCandidates: 1})
	if r := one.Resolve(resolve.Query{Text: "第35集"}); len(r.Candidates) != 1 {
		t.Errorf("MaxCandidates 1: %d candidates", len(r.Candidates))
	}
}

func TestResultProduct(t *testing.T) {
	x := resolve.New(labelledCatalog(t), resolve.Config{})
	if p, ok := x.Resolve(resolve.Query{Text: "听书币"}).Product(); !ok || p.ID != "coins" {
		t.Errorf("Product() = %q, %v; want coins, true", p.ID, ok)
	}
	if _, ok := x.Resolve(resolve.Query{Text: "第35集"}).Product(); ok {
		t.Error("Product() of an ambiguous result: ok, want not ok")
	}
	for d, want := range map[resolve.Decision]string{resolve.None: "none", resolve.One: "one", resolve.Ambiguous: "ambiguous"} {
		if d.String() != want {
			t.Errorf("Decision(%d).String() = %q, want %q", d, d.String(), want)
		}
	}
}

// TestResolveConcurrent resolves from many goroutines at once (run with
// -race): the index and its pooled scratch are safe for concurrent use.
func TestResolveConcurrent(t *testing.T) {
	x := resolve.New(labelledCatalog(t), resolve.Config{})
	set := readLabelled(t, "testdata/heard.txt")
	want := make([]resolve.Result, len(set))
	for i, l := range set {
		want[i] = x.Resolve(l.q)
	}
	done := make(chan bool)
	for g := range 4 {
		go func() {
			defer func() { done <- true }()
			for i := g; i < len(set); i += 4 {
				if got := x.Resolve(set[i].q); got.Decision != want[i].Decision || !slices.Equal(ids(got), ids(want[i])) {
					t.Errorf("concurrent %+v: %s %v, want %s %v", set[i].q, got.Decision, ids(got), want[i].Decision, ids(want[i]))
				}
			}
		}()
	}
	for range 4 {
		<-done
	}
}

// TestSeveral: a phrase naming several products in full says so, or
// several episodes joined ("和") or spanned ("到"); one that fits several
// names does not.
func TestSeveral(t *testing.T) {
	x := resolve.New(labelledCatalog(t), resolve.Config{})
	for q, want := range map[string]bool{
		"万古神帝第35集和三个听书币":    true,
		"星辰变第35集还是万古神帝第35集": true,
		"万古神帝":           false,
		"第35集":           false,
		"听书币":            false,
		"万古神帝第35集和第36集":  true, // two episodes wanted
		"万古神帝第35集还是第36集": false,
		"万古神帝35和36":      true, // bare numbers joined: both (it sold 36 alone)
		"万古神帝35、36":      true,
		"万古神帝三十五跟三十六":    true,
		"万古神帝35还是36":     false,
		"万古神帝35和37":      false,
		"万古神帝三十五和三十六集":   true, // the 集 marks both
		"万古神帝35到36集":     true, // a span: it sold 36 alone
		"万古神帝第35集到第36集":  true,
		"万古神帝三十五至三十六":    true,
		"万古神帝35-36":      true,
		"万古神帝35到37集":     true,  // 35 and 36, there is no 37
		"万古神帝37到39集":     false, // none of them sold
	} {
		if got := x.Resolve(resolve.Query{Text: q}).Several; got != want {
			t.Errorf("Resolve(%q).Several = %v, want %v", q, got, want)
		}
	}
}

// TestLengthsSaid: a length of time said is no part of a name when no
// name says one ("买半年会员" is the membership), and part of one when a
// name does (a 半年会员 of its own).
func TestLengthsSaid(t *testing.T) {
	monthly := shop.Product{ID: "vip", Name: "会员月卡", Price: 1990, Kind: shop.KindSubscription, Days: 30, Aliases: []string{"会员"}}
	half := shop.Product{ID: "half", Name: "半年会员", Price: 9900, Kind: shop.KindSubscription, Days: 180}
	x := resolve.New(&shop.Catalog{Products: []shop.Product{monthly}}, resolve.Config{})
	if !x.Lengths() {
		t.Error("no name says a length, and Lengths is false")
	}
	for _, q := range []string{"半年会员", "一年会员", "三个月的会员", "一个季度的会员"} {
		if p, ok := x.Resolve(resolve.Query{Text: q}).Product(); !ok || p.ID != "vip" {
			t.Errorf("Resolve(%q) = %v, %v; want vip", q, p.ID, ok)
		}
	}
	x = resolve.New(&shop.Catalog{Products: []shop.Product{monthly, half}}, resolve.Config{})
	if x.Lengths() {
		t.Error("a name says a length, and Lengths is true")
	}
	if p, ok := x.Resolve(resolve.Query{Text: "半年会员"}).Product(); !ok || p.ID != "half" {
		t.Errorf("Resolve(半年会员) = %v, %v; want half", p.ID, ok)
	}
}

// TestTitlesWithCountAndLengthWords: titles with 仨 or 年 still resolve
// with words around them ("买我们仨" found nothing when 仨 was always a
// count), and lengths are still read beside them ("一年会员").
func TestTitlesWithCountAndLengthWords(t *testing.T) {
	cat := &shop.Catalog{Products: []shop.Product{
		{ID: "we3", Name: "我们仨", Price: 500, Kind: shop.KindEntitlement},
		{ID: "snh", Name: "少年歌行第1集", Price: 200, Kind: shop.KindEntitlement},
		{ID: "vip", Name: "会员月卡", Price: 1990, Kind: shop.KindSubscription, Days: 30, Aliases: []string{"会员"}},
	}}
	x := resolve.New(cat, resolve.Config{})
	for q, want := range map[string]string{"买我们仨": "we3", "播放我们仨": "we3", "我要听少年歌行第一集": "snh", "买一年会员": "vip"} {
		if p, ok := x.Resolve(resolve.Query{Text: q}).Product(); !ok || p.ID != want {
			t.Errorf("Resolve(%q) = %q, %v; want %s", q, p.ID, ok, want)
		}
	}
	if !x.Lengths() {
		t.Error("a title with 年 turned lengths off")
	}
}
