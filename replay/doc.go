// Package replay runs utterance fixtures: recorded conversations between a
// speaker, the Dingdang platform and the skill, each turn with the answer it
// must get. A skill developer tests a dialog with it without a speaker, an
// account or a network, and `make test` fails on any drift.
//
// # Fixture format
//
// One txtar file (golang.org/x/tools/txtar) per conversation, under
// testdata/utterances. The header (the txtar comment) is "key: value" lines:
//
//	title: 有屏音箱买一集，付款后继续播放
//	device: screened        # or screenless: a device.Kinds name
//	user: alice             # the platform user id
//	account: acct-alice     # optional: linked before the first turn, so every
//	                        # request carries the account's access token
//
// Then the turns, in order. Turn N is a section "N user" or "N platform",
// followed by its expectation "N want". Every section is a small YAML block
// (JSON is YAML too), checked for unknown keys.
//
// A user turn is a skill request:
//
//	say: 我要买万古神帝第35集         # the utterance (queryText)
//	intent: buy                      # the intent the platform's NLU found
//	slots: {product: 万古神帝第35集}
//	confirmation: CONFIRMED          # optional intent confirmationStatus
//	request: launch                  # instead of an intent: launch,
//	                                 # session-ended (reason:), element-selected (token:)
//	session: "2"                     # optional: start another session
//
// A platform turn is one step of the platform's pay side:
//
//	step: create-order          # the user orders the last Charge: its userId is
//	                            # the userToken, its items the details
//	step: pay                   # the fake platform marks the order paid
//	step: ship-notify           # copies: 3 sends it three times
//	step: connections-response  # the post-payment jump (partnerOrderId = tradeNo);
//	                            # ids: swapped (as in the platform's example) or missing
//	                            # order: 1 names the conversation's first order
//	step: refund-notify         # status: SUCCESS (default) or FAIL
//	step: advance               # by: 2h moves the clock of the skill and its
//	                            # platform forward (a Target that is a Clock)
//	step: link                  # account: acct-alice: the user links an account
//	                            # in the app (a Target that is a Linker); later
//	                            # requests carry its access token
//	step: new-user-id           # the user re-adds the skill: a new platform
//	                            # userId; the link (its token) stays
//
// A ship-notify placed after the connections-response is a late one: the
// skill has to ask orderquery when the user comes back. So is one placed
// after a user turn that repeats the original request (pic/pay3: the
// platform replays it after payment). An advance before a create-order
// places the order that much later than the offer, as the phone app does
// for a screenless speaker. When the fixture ends, passed or not, the
// Runner moves the clock back by what its advances added (Clock.Rewind), so
// that a sandbox replayed against with --url is left at real time.
//
// The want block of a user turn holds the speech, whether the session ends,
// and each directive with its key fields (template type and title, Charge
// items, audio URL, elicited slot); that of a platform turn the reply codes.
// Either may hold "order:" (state, deliveries, refunded amount, refunds, and
// the linked account that owns it) to
// check the current order through the store's admin view; it is checked only
// when present. Values that change every run are normalised to placeholders:
// <tradeNo>, <transactionId>, <token>, <qr>, <date>.
//
// # Running
//
// Runner plays fixtures against a Target: an in-process sandbox or a running
// server (see HTTPTarget), both beside the fake platform of package
// fakeplatform. With Update set it rewrites the want blocks from what the
// skill answered, so a fixture starts as requests only. The whole skill is
// wired only in cmd/skill, so the fixtures of testdata/utterances run from
// there: `skill replay`, and `go test ./cmd/skill -run Fixtures` (which also
// checks every answer against the platform's response schema).
package replay
