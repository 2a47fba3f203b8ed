package logctx

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// Writer buffers log lines on their way to w and writes them out every
// interval, when its buffer fills, on Flush and on Close: a line costs a
// copy under a short lock instead of a write system call under the log
// handler's lock, on every request. A Handler given the Writer's Flush
// (Handler.FlushAt) writes warnings and errors out at once; at most an
// interval of info lines is lost if the process dies abruptly.
type Writer struct {
	mu    sync.Mutex
	buf   *bufio.Writer
	stop  chan struct{}
	done  chan struct{}
	close sync.Once
}

// NewWriter returns a Writer of size bytes on w, flushed every interval.
// Close it when done.
func NewWriter(w io.Writer, size int, every time.Duration) *Writer {
	b := &Writer{buf: bufio.NewWriterSize(w, size), stop: make(chan struct{}), done: make(chan struct{})}
	go b.flushEvery(every)
	return b
}

func (b *Writer) flushEvery(every time.Duration) {
	defer close(b.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			_ = b.Flush()
		case <-b.stop:
			return
		}
	}
}

// Write buffers p (one log line: a handler writes each record whole).
func (b *Writer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// Flush writes out what is buffered.
func (b *Writer) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Flush()
}

// Close stops the periodic flush and writes out what is buffered. Lines
// written after Close are still buffered, and written by a later Flush.
func (b *Writer) Close() error {
	b.close.Do(func() {
		close(b.stop)
		<-b.done
	})
	return b.Flush()
}
