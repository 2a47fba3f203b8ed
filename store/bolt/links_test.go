package bolt_test

import (
	"path/filepath"
	"testing"

	"github.com/dingdang-voicepay/voicepay/store/bolt"
	"github.com/dingdang-voicepay/voicepay/store/storetest"
)

func TestLinkStore(t *testing.T) {
	storetest.RunLinks(t, func(t *testing.T) storetest.LinkOrderStore {
		return open(t, filepath.Join(t.TempDir(), "skill.db"), bolt.Config{})
	})
}
