package resolve_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/resolve"
)

// common is a pool of common characters that generated names are drawn
// from: many share syllables, as real titles do.
const common = "天地玄黄宇宙洪荒日月星辰万古神帝仙魔道剑龙凤山河风云雷电江湖侠客书生" +
	"春夏秋冬花草树木金银铜铁水火土石东西南北长安明清唐宋元汉王侯将相英雄" +
	"传奇记录故事梦想飞鸟鱼虫狼虎豹鹰白黑红青紫光影声色香味心灵魂魄千秋岁" +
	"城乡村镇海岛湖泊林原野沙漠冰雪霜雾电影歌舞诗词曲赋笑话鬼怪灯火夜雨晴"

// generated returns a catalog of series × episodes products with names
// made of 3 to 5 characters of common (seeded: the same every run).
func generated(series, episodes int) *shop.Catalog {
	rng := rand.New(rand.NewPCG(1, 2))
	pool := []rune(common)
	c := &shop.Catalog{}
	seen := map[string]bool{}
	for len(seen) < series {
		var b strings.Builder
		for range 3 + rng.IntN(3) {
			b.WriteRune(pool[rng.IntN(len(pool))])
		}
		name := b.String()
		if seen[name] {
			continue
		}
		seen[name] = true
		for e := 1; e <= episodes; e++ {
			c.Products = append(c.Products, shop.Product{
				ID: fmt.Sprintf("s%de%d", len(seen), e), Name: fmt.Sprintf("%s第%d集", name, e),
				Price: 100, Kind: shop.KindEntitlement,
			})
		}
	}
	return c
}

// heardFor returns phrases about the catalog as a speaker hears them:
// names with numbers in words, one character misheard, fillers around,
// and unrelated requests.
func heardFor(c *shop.Catalog, n int) []resolve.Query {
	rng := rand.New(rand.NewPCG(3, 4))
	pool := []rune(common)
	han := []string{"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}
	unrelated := []string{"今天天气怎么样", "播放周杰伦的歌", "我要买手机", "讲个笑话", "明天早上七点叫我"}
	var qs []resolve.Query
	for i := range n {
		p := c.Products[rng.IntN(len(c.Products))]
		name, ep, _ := strings.Cut(p.Name, "第")
		ep = strings.TrimSuffix(ep, "集")
		rs := []rune(name)
		switch i % 5 {
		case 0:
			qs = append(qs, resolve.Query{Text: "我要买" + p.Name + "吧"})
		case 1:
			rs[rng.IntN(len(rs))] = pool[rng.IntN(len(pool))]
			qs = append(qs, resolve.Query{Text: "播放" + string(rs) + "第" + han[len(ep)%10] + "集"})
		case 2:
			qs = append(qs, resolve.Query{Album: name, Episode: ep})
		case 3:
			qs = append(qs, resolve.Query{Text: unrelated[rng.IntN(len(unrelated))]})
		default:
			qs = append(qs, resolve.Query{Text: strings.Repeat(string(rs), 20)}) // long: capped
		}
	}
	return qs
}

// BenchmarkResolve times one resolution against a 1,000-product catalog
// (goal: at most 50 µs).
func BenchmarkResolve(b *testing.B) {
	c := generated(200, 5)
	x := resolve.New(c, resolve.Config{})
	qs := heardFor(c, 1000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		x.Resolve(qs[i%len(qs)])
	}
}

// BenchmarkIndex times building the index of a 1,000-product catalog,
// done once per catalog load.
func BenchmarkIndex(b *testing.B) {
	c := generated(200, 5)
	resolve.New(c, resolve.Config{}) // the pinyin table, once per process
	b.ReportAllocs()
	for b.Loop() {
		resolve.New(c, resolve.Config{})
	}
}

// BenchmarkLabelled resolves the labelled set and reports its accuracy
// and wrong-product rate next to the time per resolution.
func BenchmarkLabelled(b *testing.B) {
	set := readLabelled(b, "testdata/heard.txt")
	x := resolve.New(labelledCatalog(b), resolve.Config{})
	right, wrong := 0, 0
	for _, l := range set {
		r, w := verdict(l, x.Resolve(l.q))
		if r {
			right++
		}
		if w {
			wrong++
		}
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		x.Resolve(set[i%len(set)].q)
	}
	b.ReportMetric(100*float64(right)/float64(len(set)), "%right")
	b.ReportMetric(100*float64(wrong)/float64(len(set)), "%wrong")
}

// BenchmarkResolveWorst is the worst case of the postings: 1,000 titles
// sharing a syllable, and a phrase of 64 characters all sounding like it.
func BenchmarkResolveWorst(b *testing.B) {
	c := generated(1000, 1)
	for i := range c.Products {
		c.Products[i].Name = "之" + c.Products[i].Name
	}
	x := resolve.New(c, resolve.Config{})
	q := resolve.Query{Text: strings.Repeat("之知支汁", 40)}
	for b.Loop() {
		x.Resolve(q)
	}
}
