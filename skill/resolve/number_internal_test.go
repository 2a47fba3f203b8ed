package resolve

import (
	"fmt"
	"testing"
)

func TestLexNumbers(t *testing.T) {
	loadSounds()
	tests := []struct {
		in      string
		asHeard bool
		want    string
	}{
		{"万古神帝第35集", false, "[35 episode]"},
		{"万古神帝第三十五集", false, "[35 episode]"},
		{"三国演义", false, "[]"},
		{"一千零一夜", false, "[]"},
		{"4k超清会员", false, "[]"},
		{"第35集", true, "[35 episode]"},
		{"三十五集", true, "[35 episode]"},
		{"万古神帝三十五", true, "[35 bare]"},
		{"万古神帝35", true, "[35 bare]"},
		{"万古神帝五吧", true, "[5 bare]"},
		{"两个听书币", true, "[2 count]"},
		{"第二个", true, "[2 ordinal]"},
		{"三国演义", true, "[]"},
		{"听一下", true, "[]"},
		{"万古神帝", true, "[]"},
		{"第35集和第36集", true, "[35 episode 36 episode]"},
		{"999999999999", true, "[]"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var p phrase
			lex([]rune(tt.in), tt.asHeard, &p)
			got := "["
			for i, n := range p.nums {
				if i > 0 {
					got += " "
				}
				got += fmt.Sprintf("%d %s", n.val, []string{"bare", "episode", "count", "ordinal"}[n.kind])
			}
			if got += "]"; got != tt.want {
				t.Errorf("lex(%q) numbers = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestFuzzy(t *testing.T) {
	pairs := [][2]string{
		{"nan", "lan"}, {"niu", "liu"}, {"zhang", "zan"}, {"chen", "ceng"}, {"shi", "si"},
		{"fan", "han"}, {"fang", "han"}, {"xing", "xin"}, {"feng", "hen"},
	}
	for _, p := range pairs {
		if fuzzy(p[0]) != fuzzy(p[1]) {
			t.Errorf("fuzzy(%q) = %q, fuzzy(%q) = %q; want them equal", p[0], fuzzy(p[0]), p[1], fuzzy(p[1]))
		}
	}
	apart := [][2]string{{"wan", "lan"}, {"song", "sun"}, {"ba", "pa"}, {"ng", "n"}}
	for _, p := range apart {
		if fuzzy(p[0]) == fuzzy(p[1]) {
			t.Errorf("fuzzy(%q) == fuzzy(%q) = %q; want them apart", p[0], p[1], fuzzy(p[0]))
		}
	}
}
