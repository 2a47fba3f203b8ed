package intents_test

import (
	"strings"
	"testing"

	"github.com/dingdang-voicepay/voicepay/device"
	"github.com/dingdang-voicepay/voicepay/skill/intents"
	"github.com/dingdang-voicepay/voicepay/store/mem"
)

// TestBusy: when the dialog memory is full, a turn that needs to remember a
// question says that too many people talk at once, and ends; turns that
// remember nothing still work.
func TestBusy(t *testing.T) {
	e := newEnv(t, device.Screenless)
	e.dialog = intents.New(e.config(func(c *intents.Config) { c.Sessions = mem.New(mem.Config{MaxBytes: 1}) }))
	r := e.intent(intents.Buy, map[string]string{"product": "万古神帝第35集"})
	wantSpeech(t, r, false, "现在使用的人太多了")
	r = e.intent(intents.Help, nil)
	if strings.Contains(speech(r), "太多") {
		t.Errorf("help, which remembers nothing, while busy: %q", speech(r))
	}
}
