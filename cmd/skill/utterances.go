package main

import (
	"slices"

	"github.com/dingdang-voicepay/voicepay/replay"
)

// fixtureUtterances returns what the users of the fixtures under dir say
// (their "say:" lines), each once, in the order of the files: the
// simulator's utterance buttons. It returns nil when there are none (the
// sandbox then offers the interaction model's samples). Misheard has those
// that are a mishearing (a "meant:" line), by what was meant.
func fixtureUtterances(dir string) (utterances []string, misheard map[string]string) {
	files, err := replay.Files(dir)
	if err != nil {
		return nil, nil
	}
	for _, path := range files {
		f, err := replay.ParseFile(path)
		if err != nil {
			continue
		}
		for _, t := range f.Turns {
			if t.User == nil || t.User.Say == "" {
				continue
			}
			if !slices.Contains(utterances, t.User.Say) {
				utterances = append(utterances, t.User.Say)
			}
			if t.User.Meant != "" {
				if misheard == nil {
					misheard = map[string]string{}
				}
				misheard[t.User.Say] = t.User.Meant
			}
		}
	}
	return utterances, misheard
}
