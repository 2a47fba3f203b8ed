package main

import (
	"slices"

	"github.com/dingdang-voicepay/voicepay/replay"
)

// fixtureUtterances returns what the users of the fixtures under dir say
// (their "say:" lines), each once, in the order of the files: the
// simulator's utterance buttons. It returns nil when there are none (the
// sandbox then offers the interaction model's samples).
func fixtureUtterances(dir string) []string {
	files, err := replay.Files(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, path := range files {
		f, err := replay.ParseFile(path)
		if err != nil {
			continue
		}
		for _, t := range f.Turns {
			if t.User != nil && t.User.Say != "" && !slices.Contains(out, t.User.Say) {
				out = append(out, t.User.Say)
			}
		}
	}
	return out
}
