package main

import (
	"slices"
	"testing"
)

// TestCommandSettings: every setting a command's help lists is one of the
// table's (a misspelt name would silently leave it out).
func TestCommandSettings(t *testing.T) {
	all := allSettings()
	for _, c := range commands() {
		for _, name := range c.settings {
			if !slices.Contains(all, name) {
				t.Errorf("command %s: no setting %q", c.name, name)
			}
		}
	}
}
