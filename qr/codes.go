package qr

import (
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	qrcode "github.com/skip2/go-qrcode"
)

// Defaults for the zero fields of Codes.
const (
	DefaultTTL       = 15 * time.Minute
	DefaultSize      = 512
	DefaultCacheSize = 1024
)

// Codes issues QR tokens and renders them. Secret is required (with an
// empty Secret no token verifies); the other fields have working zero
// values. A Codes must not be copied after first use.
type Codes struct {
	// Secret keys the HMAC-SHA256 token signatures.
	Secret []byte
	// TTL is how long a token stays valid (0 → DefaultTTL).
	TTL time.Duration
	// Now is the clock (nil → time.Now).
	Now func() time.Time
	// Size is the PNG's width and height in pixels (0 → DefaultSize).
	Size int
	// CacheSize bounds how many rendered images are kept (0 → DefaultCacheSize).
	CacheSize int

	once     sync.Once
	ttl      time.Duration
	size     int
	max      int
	mu       sync.Mutex
	lru      *list.List               // of *entry, most recent first
	byKey    map[string]*list.Element // content → element of lru
	inflight map[string]*call         // content → render in progress
	renders  atomic.Int64
}

// entry is one cached image.
type entry struct {
	key  string
	png  []byte
	etag string
}

// call is a render in progress that others may wait for.
type call struct {
	done chan struct{}
	png  []byte
	etag string
	err  error
}

// init fills the defaults, once.
func (c *Codes) init() {
	c.once.Do(func() {
		c.ttl = c.TTL
		if c.ttl <= 0 {
			c.ttl = DefaultTTL
		}
		c.size = c.Size
		if c.size <= 0 {
			c.size = DefaultSize
		}
		c.max = c.CacheSize
		if c.max <= 0 {
			c.max = DefaultCacheSize
		}
		c.lru = list.New()
		c.byKey = make(map[string]*list.Element)
		c.inflight = make(map[string]*call)
	})
}

func (c *Codes) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// PNG verifies token and returns the QR image of its content with an ETag
// (a quoted hash of the content and size, stable across restarts). A forged,
// malformed or expired token is ErrInvalid. Images are rendered once per
// content and cached; callers must not modify the returned slice.
func (c *Codes) PNG(token string) (png []byte, etag string, err error) {
	c.init()
	content, err := c.verify(token)
	if err != nil {
		return nil, "", err
	}
	c.mu.Lock()
	if el, ok := c.byKey[content]; ok {
		c.lru.MoveToFront(el)
		e := el.Value.(*entry)
		c.mu.Unlock()
		return e.png, e.etag, nil
	}
	if cl, ok := c.inflight[content]; ok {
		c.mu.Unlock()
		<-cl.done
		return cl.png, cl.etag, cl.err
	}
	cl := &call{done: make(chan struct{})}
	c.inflight[content] = cl
	c.mu.Unlock()

	cl.png, cl.etag, cl.err = c.render(content)

	c.mu.Lock()
	delete(c.inflight, content)
	if cl.err == nil {
		c.byKey[content] = c.lru.PushFront(&entry{key: content, png: cl.png, etag: cl.etag})
		for c.lru.Len() > c.max {
			old := c.lru.Back()
			c.lru.Remove(old)
			delete(c.byKey, old.Value.(*entry).key)
		}
	}
	c.mu.Unlock()
	close(cl.done)
	return cl.png, cl.etag, cl.err
}

// Renders reports how many images were rendered so far (cache misses).
func (c *Codes) Renders() int64 { return c.renders.Load() }

func (c *Codes) render(content string) ([]byte, string, error) {
	c.renders.Add(1)
	png, err := qrcode.Encode(content, qrcode.Medium, c.size)
	if err != nil {
		return nil, "", fmt.Errorf("qr: render: %w", err)
	}
	sum := sha256.Sum256([]byte(strconv.Itoa(c.size) + "\x00" + content))
	return png, `"` + hex.EncodeToString(sum[:12]) + `"`, nil
}
