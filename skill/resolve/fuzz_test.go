package resolve_test

import (
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/dingdang-voicepay/voicepay/skill/resolve"
)

// FuzzResolve holds the resolver to its promises whatever is heard: no
// panic; a One is one product, a question lists at most MaxCandidates;
// scores in (0, 1]; only Among is offered when given; the same answer
// twice; nothing after the first MaxRunes runes of the text counts.
func FuzzResolve(f *testing.F) {
	for _, s := range []string{"万古神帝第35集", "第三十五集", "两个听书币", "卅五", "ＶＩＰ", "第二个",
		"一万二千三百四十五", "99999999999999999999", "鬼吹灯全集", "\xff\xfe", "第第第集集集"} {
		f.Add(s, "", "", false)
	}
	f.Add("", "万古神帝", "35", false)
	f.Add("星辰变", "", "", true)
	c := labelledCatalog(f)
	x := resolve.New(c, resolve.Config{})
	f.Fuzz(func(t *testing.T, text, album, episode string, among bool) {
		q := resolve.Query{Text: text, Album: album, Episode: episode}
		if among {
			q.Among = []string{"ep35", "xcb35"}
		}
		r := x.Resolve(q)
		switch {
		case r.Decision == resolve.One && len(r.Candidates) != 1:
			t.Fatalf("one with %d candidates", len(r.Candidates))
		case r.Decision == resolve.Ambiguous && len(r.Candidates) == 0:
			t.Fatal("ambiguous without candidates")
		case len(r.Candidates) > resolve.DefaultMaxCandidates:
			t.Fatalf("%d candidates", len(r.Candidates))
		}
		for _, cand := range r.Candidates {
			if cand.Score <= 0 || cand.Score > 1 {
				t.Fatalf("score %v", cand.Score)
			}
			if among && !slices.Contains(q.Among, cand.Product.ID) {
				t.Fatalf("%s offered outside Among", cand.Product.ID)
			}
		}
		again := x.Resolve(q)
		if again.Decision != r.Decision || !slices.Equal(ids(again), ids(r)) {
			t.Fatalf("not deterministic: %s %v then %s %v", r.Decision, ids(r), again.Decision, ids(again))
		}
		if album == "" && utf8.RuneCountInString(text) > resolve.DefaultMaxRunes {
			cut := string([]rune(text)[:resolve.DefaultMaxRunes])
			q.Text = cut
			if c := x.Resolve(q); c.Decision != r.Decision || !slices.Equal(ids(c), ids(r)) {
				t.Fatalf("runes past the cap counted: %s %v, cut %s %v", r.Decision, ids(r), c.Decision, ids(c))
			}
		}
	})
}
