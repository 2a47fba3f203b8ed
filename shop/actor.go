package shop

import "context"

type actorKey struct{}

// WithActor returns ctx saying who acts: the operator named by an admin
// API token. The order-history entries written for that context record it
// (Transition.By).
func WithActor(ctx context.Context, actor string) context.Context {
	return context.WithValue(ctx, actorKey{}, actor)
}

// Actor returns who acts in ctx (WithActor), or "".
func Actor(ctx context.Context) string {
	a, _ := ctx.Value(actorKey{}).(string)
	return a
}

// StampActor records ctx's actor on the history entries of o from index
// from on: those one change added.
func StampActor(ctx context.Context, o *Order, from int) {
	a := Actor(ctx)
	if a == "" {
		return
	}
	for i := max(from, 0); i < len(o.History); i++ {
		o.History[i].By = a
	}
}
