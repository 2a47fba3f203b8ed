package redis

import (
	"context"

	goredis "github.com/redis/go-redis/v9"

	"github.com/dingdang-voicepay/voicepay/internal/coalesce"
)

// maxPiped bounds how many commands one automatic pipeline carries.
const maxPiped = 256

// autoPipe sends the commands of concurrent callers together, as rueidis
// does (internal/coalesce): a command sent while no pipeline is in flight
// goes at once, alone; commands sent while one is in flight wait for it,
// and then all of them go in the next pipeline: one write and one read for
// the lot, on one connection, instead of a round trip each (a socket
// write, a read and a wake-up on both sides). Under load the pipelines
// grow with the load; a lone command waits for nothing.
//
// The dialog's commands go through it (a turn's check and reads, the
// session's get, save and delete, Remember) and so do listings (index pages, the
// orders' GETs); order writes do not: they are transactions, and each may
// wait for replicas.
//
// go-redis v9.23 has an automatic pipeline of its own (Client.AutoPipeline),
// marked experimental; its recovery after a write timeout may send again a
// command Redis already ran, and a turn's SET NX sent twice would refuse a
// fresh request as a replay. This one sends each group once, with go-redis's
// stable Pipelined.
type autoPipe struct {
	rdb   goredis.UniversalClient
	group coalesce.Group[goredis.Cmder]
}

func newAutoPipe(rdb goredis.UniversalClient) *autoPipe {
	a := &autoPipe{rdb: rdb}
	a.group.Run, a.group.Max = a.pipeline, maxPiped
	return a
}

// do sends cmd in the next pipeline and returns its error once it is
// answered (see send).
func (a *autoPipe) do(ctx context.Context, cmd goredis.Cmder) error {
	a.send(ctx, cmd)
	return cmd.Err()
}

// send sends cmds in the next pipeline and returns once each is answered,
// with its own result or error. A context already done sends nothing (each
// command gets its error); once queued, a command is never abandoned (a
// SET NX must not take effect for a caller that already answered
// "unavailable"): the client's read and write timeouts bound the wait.
func (a *autoPipe) send(ctx context.Context, cmds ...goredis.Cmder) {
	if err := ctx.Err(); err != nil {
		for _, c := range cmds {
			c.SetErr(err)
		}
		return
	}
	a.group.Do(cmds...)
}

// pipeline sends one group of commands. Each carries its own result or
// error; go-redis splits a cluster's pipeline by node and follows
// redirections. The commands' own contexts are not used: the group is
// sent for all of its callers.
func (a *autoPipe) pipeline(cmds []goredis.Cmder) {
	ctx := context.Background()
	if len(cmds) == 1 {
		_ = a.rdb.Process(ctx, cmds[0])
		return
	}
	_, _ = a.rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for _, c := range cmds {
			_ = p.Process(ctx, c)
		}
		return nil
	})
}
