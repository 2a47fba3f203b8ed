package redis_test

import (
	"testing"

	"github.com/dingdang-voicepay/voicepay/internal/redistest"
	"github.com/dingdang-voicepay/voicepay/store/redis"
	"github.com/dingdang-voicepay/voicepay/store/storetest"
)

func TestLinkStore(t *testing.T) {
	srv := redistest.Start(t)
	storetest.RunLinks(t, func(t *testing.T) storetest.LinkOrderStore { return open(t, srv, redis.Config{}) })
}
